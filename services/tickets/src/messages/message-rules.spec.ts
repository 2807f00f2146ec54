import { resolve } from 'node:path';
import { loadRoutingConfig } from '@closeloop/contracts';
import type { CustomerContact } from './contact.repository';
import { composeMessage, idempotencyKeyOf, messageIdFor, requestShapeErrors, sameRequest, type ComposeInput } from './message-rules';
import { maskPhoneNumber } from '@closeloop/platform';

const templates = loadRoutingConfig(resolve(__dirname, '../../../../config/closeloop.yaml')).templates;
const ticket = { id: 'f0e1d2c3-0000-4000-8000-000000000001', touchpoint: 'checkout', customerId: 'c-1', customerName: 'Deniz', customerLocale: 'tr' };
const contact = (over: Partial<CustomerContact> = {}): CustomerContact => ({
  customerId: 'c-1', name: 'Deniz', email: null, phone: '+905551234567', locale: 'tr', smsOptedOutAt: null, smsOptOutReason: null,
  emailOptedOutAt: null, emailOptOutReason: null, ...over,
});
const input = (over: Partial<ComposeInput>): ComposeInput => ({
  request: { channel: 'sms', template: 'apology' }, ticket, contact: contact(), agentName: 'Ayşe Yılmaz', templates, ...over,
});

describe('composeMessage: what an agent may text a customer (SPEC §11)', () => {
  it('renders the template in the customer\'s locale with the ticket\'s values', () => {
    const r = composeMessage(input({}));
    expect(r).toEqual({ ok: true, message: expect.objectContaining({ template: 'apology', locale: 'tr', recipient: { customerId: 'c-1', phone: '+905551234567' } }) });
    if (!r.ok) throw new Error('refused');
    expect(r.message.body).toMatch(/^Merhaba Deniz, /);
    expect(r.message.body).toContain('Ayşe Yılmaz');
    expect(r.message.body).toContain(ticket.id);
  });

  it.each<[string, Partial<ComposeInput>, unknown]>([
    ['a text of the agent\'s own goes as written, in the customer\'s locale', { request: { channel: 'sms', body: 'Geri ödemeniz yapıldı.' } },
      { ok: true, message: { body: 'Geri ödemeniz yapıldı.', locale: 'tr', recipient: { customerId: 'c-1', phone: '+905551234567' } } }],
    ['a locale without its own entry falls back to en', { contact: contact({ locale: 'fr-CA' }) },
      { ok: true, message: expect.objectContaining({ locale: 'en', body: expect.stringMatching(/^Hi Deniz, this is Ayşe Yılmaz/) }) }],
    ['the contact\'s locale wins over the ticket\'s', { contact: contact({ locale: 'id' }) }, { ok: true, message: expect.objectContaining({ locale: 'id' }) }],
    ['no contact row: the ticket\'s name and locale, but no number', { contact: null }, { ok: false, refusal: { status: 409, reason: expect.stringContaining('no phone number') } }],
    ['unknown template → 400 naming template', { request: { channel: 'sms', template: 'sorry' } },
      { ok: false, refusal: { status: 400, field: 'template', reason: expect.stringContaining('unknown template "sorry"') } }],
    ['recheck needs {{recheckUrl}} (a later slice) → 400 naming the variable', { request: { channel: 'sms', template: 'recheck' } },
      { ok: false, refusal: { status: 400, field: 'template', reason: expect.stringContaining('{{recheckUrl}}') } }],
    ['no customer name → 400 naming {{customer.name}}', { contact: contact({ name: null }), ticket: { ...ticket, customerName: null } },
      { ok: false, refusal: { status: 400, field: 'template', reason: expect.stringContaining('{{customer.name}}') } }],
    ['no phone → 409', { contact: contact({ phone: null }) }, { ok: false, refusal: { status: 409, reason: 'the customer has no phone number: none of their feedback gave one' } }],
    ['opted out of SMS → 409', { contact: contact({ smsOptedOutAt: new Date(), smsOptOutReason: 'provider_unsubscribed' }) },
      { ok: false, refusal: { status: 409, reason: 'the customer has opted out of SMS' } }],
    ['email without an address → 409', { request: { channel: 'email', template: 'apology' } },
      { ok: false, refusal: { status: 409, reason: 'the customer has no email address: none of their feedback gave one' } }],
    ['opted out of email → 409', { request: { channel: 'email', body: 'Hi' }, contact: contact({ email: 'deniz@example.com', emailOptedOutAt: new Date(), emailOptOutReason: 'unsubscribe_link' }) },
      { ok: false, refusal: { status: 409, reason: 'the customer has opted out of email' } }],
    ['opted out of SMS only: email still goes', { request: { channel: 'email', body: 'Hi', subject: 'Sorry' }, contact: contact({ email: 'deniz@example.com', smsOptedOutAt: new Date() }) },
      { ok: true, message: { body: 'Hi', subject: 'Sorry', locale: 'tr', recipient: { customerId: 'c-1', email: 'deniz@example.com' } } }],
    ['an email text without a subject gets the default one', { request: { channel: 'email', body: 'Hi' }, contact: contact({ email: 'deniz@example.com' }) },
      { ok: true, message: { body: 'Hi', subject: 'About your feedback (ref f0e1d2c3)', locale: 'tr', recipient: { customerId: 'c-1', email: 'deniz@example.com' } } }],
    ['a text over 1,600 characters → 400 naming body', { request: { channel: 'sms', body: 'x'.repeat(1_601) } },
      { ok: false, refusal: { status: 400, field: 'body', reason: expect.stringContaining('1601 characters') } }],
  ])('%s', (_, over, expected) => expect(composeMessage(input(over))).toEqual(expected));

  it('an email template brings its subject and text in the customer\'s locale', () => {
    const r = composeMessage(input({ request: { channel: 'email', template: 'apology' }, contact: contact({ email: 'deniz@example.com' }) }));
    expect(r).toMatchObject({ ok: true, message: { template: 'apology', locale: 'tr', subject: expect.any(String), recipient: { email: 'deniz@example.com' } } });
    if (r.ok) expect(r.message.body).toContain('Deniz');
  });

  it('a bad request is refused before the customer\'s reachability is looked at (400 before 409)', () => {
    expect(composeMessage(input({ request: { channel: 'sms', template: 'nope' }, contact: contact({ phone: null }) }))).toMatchObject({ ok: false, refusal: { status: 400 } });
  });
});

describe('request shape, Idempotency-Key and message ids', () => {
  it.each<[{ channel?: string; template?: string; body?: string; subject?: string }, string[]]>([
    [{ template: 'apology' }, []],
    [{ body: 'hi' }, []],
    [{ template: 'apology', body: 'hi' }, ['template']],
    [{}, ['body']],
    [{ channel: 'sms', body: 'hi', subject: 's' }, ['subject']],
    [{ channel: 'email', template: 'apology', subject: 's' }, ['subject']],
    [{ channel: 'email', body: 'hi', subject: 's' }, []],
    [{ channel: 'sms', body: 'x'.repeat(1_601) }, ['body']],
  ])('%j → errors on %j', (r, fields) => expect(requestShapeErrors(r).map((e) => e.field)).toEqual(fields));

  it.each<[string | string[] | undefined, boolean, string | undefined]>([
    [undefined, true, undefined],
    ['retry-1', true, 'retry-1'],
    ['', false, undefined],
    ['has space', false, undefined],
    ['x'.repeat(201), false, undefined],
    [['a', 'b'], false, undefined],
  ])('Idempotency-Key %j → ok %s', (header, ok, key) => {
    const r = idempotencyKeyOf(header);
    expect(r.ok).toBe(ok);
    if (r.ok) expect(r.key).toBe(key);
    else expect(r.error.field).toBe('Idempotency-Key');
  });

  it('the same key names the same message; another key, agent or ticket another; no key a new one each time', () => {
    const a = messageIdFor('t1', 'ayse', 'k');
    expect(messageIdFor('t1', 'ayse', 'k')).toBe(a);
    expect(new Set([a, messageIdFor('t1', 'ayse', 'k2'), messageIdFor('t1', 'mehmet', 'k'), messageIdFor('t2', 'ayse', 'k')]).size).toBe(4);
    expect(messageIdFor('t1', 'ayse', undefined)).not.toBe(messageIdFor('t1', 'ayse', undefined));
  });

  it.each<[object, object, boolean]>([
    [{ channel: 'sms', template: 'apology' }, { channel: 'sms', template: 'apology' }, true],
    [{ channel: 'sms', template: 'apology' }, { channel: 'sms', template: 'recheck' }, false],
    [{ channel: 'sms', body: 'a' }, { channel: 'sms', template: 'a' }, false],
    [{ channel: 'sms', body: 'a' }, { channel: 'email', body: 'a' }, false],
  ])('sameRequest(%j, %j) = %s', (a, b, same) => expect(sameRequest(a as never, b as never)).toBe(same));

  it.each([['+905551234567', '+90555***4567'], ['+972501234567', '+97250***4567']])('maskPhoneNumber(%s) = %s', (p, m) => expect(maskPhoneNumber(p)).toBe(m));
});
