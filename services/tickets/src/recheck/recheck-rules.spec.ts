import type { Summary } from '../domain/timeline';
import { createHash } from 'node:crypto';
import { composeMessage } from '../messages/message-rules';
import { RECHECK_LINK_TTL_MS, newRecheckLink, recheckBlocker, recheckSummaries, skipOfRefusal, withoutToken, type RecheckSkip } from './recheck-rules';

const AT = new Date('2026-11-20T10:00:00Z');
const LATER = new Date('2026-11-21T09:00:00Z');

describe('recheckBlocker', () => {
  it.each<[string, Parameters<typeof recheckBlocker>[0], RecheckSkip | null]>([
    ['still resolved by that resolve, base URL known', { status: 'resolved', resolvedAt: AT, scheduledResolvedAt: AT, publicBaseUrl: 'https://cl.example' }, null],
    ['reopened and open', { status: 'open', resolvedAt: null, scheduledResolvedAt: AT, publicBaseUrl: 'https://cl.example' }, 'reopened'],
    ['reopened and claimed', { status: 'claimed', resolvedAt: null, scheduledResolvedAt: AT, publicBaseUrl: 'https://cl.example' }, 'reopened'],
    ['reopened and resolved again (another resolve)', { status: 'resolved', resolvedAt: LATER, scheduledResolvedAt: AT, publicBaseUrl: 'https://cl.example' }, 'reopened'],
    ['no PUBLIC_BASE_URL', { status: 'resolved', resolvedAt: AT, scheduledResolvedAt: AT }, 'no_public_base_url'],
    ['reopened wins over no PUBLIC_BASE_URL', { status: 'open', resolvedAt: null, scheduledResolvedAt: AT }, 'reopened'],
  ])('%s → %s', (_what, input, expected) => {
    expect(recheckBlocker(input)).toBe(expected);
  });
});

describe('skipOfRefusal (what composeMessage refuses)', () => {
  const ticket = { id: 't-1', touchpoint: 'checkout', customerId: 'c-1', customerName: 'Deniz', customerLocale: 'tr' };
  const templates = { recheck: { en: { sms: 'Hi {{customer.name}}: {{recheckUrl}}' }, tr: { sms: 'Merhaba {{customer.name}}: {{recheckUrl}}' } } };
  const contact = (patch: Record<string, unknown>) => ({
    customerId: 'c-1', name: 'Deniz', email: null, phone: '+905551234567', locale: 'tr', smsOptedOutAt: null, smsOptOutReason: null, emailOptedOutAt: null, emailOptOutReason: null, ...patch,
  });
  it.each<[string, Parameters<typeof composeMessage>[0], RecheckSkip | 'sent']>([
    ['a phone, consent, a link', { request: { channel: 'sms', template: 'recheck' }, ticket, contact: contact({}), agentName: 'Ayşe', templates, recheckUrl: 'https://cl.example/r/x' }, 'sent'],
    ['no phone', { request: { channel: 'sms', template: 'recheck' }, ticket, contact: contact({ phone: null }), agentName: 'Ayşe', templates, recheckUrl: 'https://cl.example/r/x' }, 'no_phone'],
    ['no contact at all', { request: { channel: 'sms', template: 'recheck' }, ticket, contact: null, agentName: 'Ayşe', templates, recheckUrl: 'https://cl.example/r/x' }, 'no_phone'],
    ['opted out', { request: { channel: 'sms', template: 'recheck' }, ticket, contact: contact({ smsOptedOutAt: AT }), agentName: 'Ayşe', templates, recheckUrl: 'https://cl.example/r/x' }, 'opted_out'],
    ['no template', { request: { channel: 'sms', template: 'recheck' }, ticket, contact: contact({}), agentName: 'Ayşe', templates: {}, recheckUrl: 'https://cl.example/r/x' }, 'template'],
    ['no link', { request: { channel: 'sms', template: 'recheck' }, ticket, contact: contact({}), agentName: 'Ayşe', templates }, 'template'],
  ])('%s → %s', (_what, input, expected) => {
    const r = composeMessage(input);
    expect(r.ok ? 'sent' : skipOfRefusal(r.refusal)).toBe(expected);
  });

  it('renders the link in the customer\'s locale', () => {
    const r = composeMessage({ request: { channel: 'sms', template: 'recheck' }, ticket, contact: contact({}), agentName: 'Ayşe', templates, recheckUrl: 'https://cl.example/r/x' });
    expect(r.ok && [r.message.locale, r.message.body]).toEqual(['tr', 'Merhaba Deniz: https://cl.example/r/x']);
  });
});

describe('newRecheckLink', () => {
  it('is PUBLIC_BASE_URL/r/<43 base64url chars>, its SHA-256 in hex, 14 days to answer', () => {
    const link = newRecheckLink('https://cl.example/', AT, (n) => Buffer.alloc(n, 0xfb));
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(link.url).toBe(`https://cl.example/r/${link.token}`);
    expect(link.tokenHash).toBe(createHash('sha256').update(link.token).digest('hex'));
    expect(link.expiresAt.getTime() - AT.getTime()).toBe(RECHECK_LINK_TTL_MS);
  });

  it('is new every time', () => {
    const [a, b] = [newRecheckLink('https://cl.example', AT), newRecheckLink('https://cl.example', AT)];
    expect(a.token).not.toBe(b.token);
    expect(a.id).not.toBe(b.id);
  });

  it('withoutToken keeps the text and drops the capability', () => {
    const link = newRecheckLink('https://cl.example', AT);
    const kept = withoutToken(`Nasıldık? ${link.url}`, link);
    expect(kept).toBe('Nasıldık? https://cl.example/r/…');
    expect(kept).not.toContain(link.token);
  });
});

describe('recheckSummaries', () => {
  it.each<[string, string]>(([
    [recheckSummaries.scheduled(new Date('2026-12-03T10:05:09Z')), 'Recheck scheduled for 2026-12-03 10:05 UTC'],
    [recheckSummaries.skipped('reopened'), 'No recheck was sent: the ticket was reopened'],
    [recheckSummaries.skipped('opted_out'), 'No recheck was sent: the customer has opted out of SMS'],
    [recheckSummaries.answered(9), 'The customer answered the recheck: NPS 9/10'],
  ] as [Summary, string][]).map(([s, text]): [string, string] => [s.text, text]))('%s', (got, expected) => expect(got).toBe(expected));
});
