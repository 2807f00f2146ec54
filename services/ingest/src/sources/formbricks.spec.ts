import { FORMBRICKS_TOLERANCE_SECONDS, formbricks } from './formbricks';
import { formbricksCreatedWithoutScore, formbricksFinished, formbricksSecret as secret } from './fixtures/formbricks';
import { body, sourceOf, standardWebhookHeaders } from './fixtures/sign';

const now = new Date('2025-07-24T07:48:00Z');
const ctx = { receivedAt: now };
const source = sourceOf('formbricks', { id: 'fb-app', fields: { score: 'nps', comment: 'why' } });
const raw = body(formbricksFinished);
const seconds = (s: number) => new Date(now.getTime() + s * 1000);

describe('formbricks: authenticity (Standard Webhooks, 5-minute window)', () => {
  const signed = standardWebhookHeaders(secret, raw, 'msg_2Kq', now);
  it.each([
    ['signed now', signed, raw, true],
    ['signed 4 minutes ago', standardWebhookHeaders(secret, raw, 'msg_2Kq', seconds(-240)), raw, true],
    ['signed 5 minutes and 1 second ago', standardWebhookHeaders(secret, raw, 'msg_2Kq', seconds(-FORMBRICKS_TOLERANCE_SECONDS - 1)), raw, false],
    ['timestamped 6 minutes in the future', standardWebhookHeaders(secret, raw, 'msg_2Kq', seconds(360)), raw, false],
    ['a second signature after an unknown version', { ...signed, 'webhook-signature': `v2,abc ${signed['webhook-signature']}` }, raw, true],
    ['signed with another secret', standardWebhookHeaders(`whsec_${Buffer.from('another').toString('base64')}`, raw, 'msg_2Kq', now), raw, false],
    ['the secret used as text, not base64-decoded', standardWebhookHeaders(Buffer.from(secret).toString('base64'), raw, 'msg_2Kq', now), raw, false],
    ['another webhook-id than the one signed', { ...signed, 'webhook-id': 'msg_other' }, raw, false],
    ['a body changed after signing', signed, body(formbricksCreatedWithoutScore), false],
    ['no webhook-signature (an older Formbricks signs nothing)', { 'webhook-id': signed['webhook-id'], 'webhook-timestamp': signed['webhook-timestamp'] }, raw, false],
    ['a timestamp that is not a number', { ...signed, 'webhook-timestamp': 'soon' }, raw, false],
  ])('%s → %s', (_, headers, delivered, ok) => {
    expect(formbricks.verify({ raw: delivered, headers, secret, now })).toBe(ok);
  });
});

describe('formbricks: mapping', () => {
  it('responseFinished: score and comment by question id, customer from the contact', () => {
    expect(formbricks.map(formbricks.parse(raw), source, ctx)).toEqual({
      outcome: 'feedback',
      feedback: {
        source: 'fb-app', externalId: 'responseId', touchpoint: 'checkout', metric: 'nps', score: 2, comment: 'Nobody answered the phone',
        customer: { id: 'contact-7', email: 'ana@example.com', locale: 'en' }, respondedAt: '2025-07-24T07:47:29.507Z',
      },
    });
  });

  it('takes the body as the docs print it too: a one-element list', () => {
    expect(formbricks.map([formbricksFinished], source, ctx).outcome).toBe('feedback');
  });

  const noContact = { ...formbricksFinished, data: { ...formbricksFinished.data, contact: null } };
  const anonymous = { ...noContact, data: { ...noContact.data, contactAttributes: null } };
  it.each([
    ['data.contact.id', formbricksFinished, 'contact-7'],
    ['else data.contactAttributes.email', noContact, 'ana@example.com'],
    ['else data.id', anonymous, 'responseId'],
  ])('customer id: %s', (_, payload, id) => {
    const r = formbricks.map(payload, source, ctx);
    expect(r.outcome === 'feedback' && r.feedback.customer.id).toBe(id);
  });

  it('ignores responseCreated without the score answer', () => {
    expect(formbricks.map(formbricksCreatedWithoutScore, source, ctx)).toEqual({ outcome: 'ignored', reason: 'responseCreated without the score answer (nps) yet' });
  });

  it('maps responseUpdated once the score is there', () => {
    const updated = { ...formbricksFinished, event: 'responseUpdated' };
    expect(formbricks.map(updated, source, ctx).outcome).toBe('feedback');
  });

  it('ignores events that are not about responses', () => {
    expect(formbricks.map({ ...formbricksFinished, event: 'testEndpoint' }, source, ctx)).toEqual({ outcome: 'ignored', reason: 'event "testEndpoint" carries no response' });
  });

  it.each([
    ['the score question is absent from a finished response', { nps: undefined, why: 'x' }, 'question "nps" in data.data: not answered'],
    ['the score is out of the nps scale', { nps: 11 }, 'question "nps" in data.data: 11 is outside the nps scale 0-10'],
  ])('unmappable when %s', (_, data, message) => {
    const payload = { ...formbricksFinished, data: { ...formbricksFinished.data, data } };
    expect(formbricks.map(payload, source, ctx)).toMatchObject({ outcome: 'unmappable', errors: [{ field: 'score', message }] });
  });
});
