import { delighted } from './delighted';
import { delightedCreated, delightedUnsubscribe, delightedUpdated } from './fixtures/delighted';
import { body, delightedSignature, sourceOf } from './fixtures/sign';

const now = new Date('2024-11-21T11:00:00Z');
const ctx = { receivedAt: now };
const secret = 'delighted-private-api-key';
const source = sourceOf('delighted', { id: 'dl-stores', touchpoint: 'store' });

describe('delighted: authenticity (X-Delighted-Webhook-Signature: sha256=<hex HMAC-SHA256(key, raw body)>)', () => {
  const raw = body(delightedCreated);
  it.each([
    ['signed with the key', delightedSignature(secret, raw), raw, true],
    ['upper-case hex', `sha256=${delightedSignature(secret, raw).slice(7).toUpperCase()}`, raw, true],
    ['signed with another key', delightedSignature('nope', raw), raw, false],
    ['a body changed after signing', delightedSignature(secret, raw), body(delightedUpdated), false],
    ['no signature', undefined, raw, false],
  ])('%s → %s', (_, signature, delivered, ok) => {
    const headers = signature === undefined ? {} : { 'x-delighted-webhook-signature': signature };
    expect(delighted.verify({ raw: delivered, headers, secret, now })).toBe(ok);
  });
});

describe('delighted: mapping', () => {
  it('survey_response.created: the score, no comment yet; created_at is Unix seconds', () => {
    expect(delighted.map(delighted.parse(body(delightedCreated)), source, ctx)).toEqual({
      outcome: 'feedback',
      feedback: {
        source: 'dl-stores', externalId: '5435', touchpoint: 'store', metric: 'nps', score: 7,
        customer: { id: '5975', name: 'Charlie Gravis', email: 'charlie_gravis@example.com' }, respondedAt: '2024-11-21T11:00:44.000Z',
      },
    });
  });

  it('survey_response.updated: the same response id with the comment (a revision downstream)', () => {
    const r = delighted.map(delightedUpdated, source, ctx);
    expect(r.outcome === 'feedback' && [r.feedback.externalId, r.feedback.score, r.feedback.comment]).toEqual(['5435', 7, 'I want a refund']);
  });

  it('ignores unsubscribe.created', () => {
    expect(delighted.map(delightedUnsubscribe, source, ctx)).toEqual({ outcome: 'ignored', reason: 'event_type "unsubscribe.created" carries no survey response' });
  });

  it('unmappable when the survey is of another metric than the source (a CSAT 2 is no NPS 2)', () => {
    const csat = { ...delightedCreated, event_data: { ...delightedCreated.event_data, survey_type: 'csat', score: 2 } };
    expect(delighted.map(csat, source, ctx)).toMatchObject({ outcome: 'unmappable', errors: [{ field: 'metric', message: 'the survey is csat, the source is nps' }] });
    expect(delighted.map(csat, sourceOf('delighted', { metric: 'csat' }), ctx).outcome).toBe('feedback');
  });

  it.each([
    ['the score is absent', { ...delightedCreated.event_data, score: null }, 'event_data.score: not answered'],
    ['the score is out of the csat scale', { ...delightedCreated.event_data, survey_type: '5star', score: 7 }, 'event_data.score: 7 is outside the csat scale 1-5'],
  ])('unmappable when %s', (_, data, message) => {
    const metric = message.includes('csat') ? 'csat' : 'nps';
    expect(delighted.map({ ...delightedCreated, event_data: data }, sourceOf('delighted', { metric }), ctx)).toMatchObject({ outcome: 'unmappable', errors: [{ field: 'score', message }] });
  });

  it('unmappable without a person id', () => {
    const r = delighted.map({ ...delightedCreated, event_data: { ...delightedCreated.event_data, person: {} } }, source, ctx);
    expect(r).toMatchObject({ outcome: 'unmappable', errors: [{ field: 'customer.id', message: 'no customer id in the payload' }] });
  });
});
