import { body, sourceOf, surveyMonkeySignature } from './fixtures/sign';
import { surveyMonkeyDetails as details, surveyMonkeyEvent as event } from './fixtures/surveymonkey';
import { surveymonkey } from './surveymonkey';

const now = new Date('2026-11-23T10:00:05Z');
const ctx = { receivedAt: now, token: 'sm-access-token' };
const apiKey = 'sm-client-id';
const secret = 'sm-api-secret';
const source = sourceOf('surveymonkey', {
  id: 'sm-nps', fields: { score: '222222', comment: '222223' }, api: { url: 'https://api.surveymonkey.com', tokenEnv: 'SM_TOKEN' },
});
const raw = body(event);

describe('surveymonkey: authenticity (Sm-Signature = base64 HMAC-SHA1(key "<api key>&<api secret>", raw body))', () => {
  const signature = surveyMonkeySignature(apiKey, secret, raw);
  it.each([
    ['signed with the API key named in Sm-Apikey and the secret', { 'sm-apikey': apiKey, 'sm-signature': signature }, secret, raw, true],
    ['the whole key "<api key>&<secret>" in the secret variable', { 'sm-signature': signature }, `${apiKey}&${secret}`, raw, true],
    ['signed with another secret', { 'sm-apikey': apiKey, 'sm-signature': surveyMonkeySignature(apiKey, 'other', raw) }, secret, raw, false],
    ['another API key than the one signed with', { 'sm-apikey': 'someone-else', 'sm-signature': signature }, secret, raw, false],
    ['a body changed after signing', { 'sm-apikey': apiKey, 'sm-signature': signature }, secret, body({ ...event, object_id: '1' }), false],
    ['no Sm-Signature', { 'sm-apikey': apiKey }, secret, raw, false],
  ])('%s → %s', (_, headers, key, delivered, ok) => {
    expect(surveymonkey.verify({ raw: delivered, headers, secret: key, now })).toBe(ok);
  });
});

describe('surveymonkey: the notification → what to fetch', () => {
  it('fetches the response details (simple=true) with the bearer token', () => {
    expect(surveymonkey.map(surveymonkey.parse(raw), source, ctx)).toEqual({
      outcome: 'fetch',
      request: {
        url: 'https://api.surveymonkey.com/v3/surveys/123456789/responses/987654321/details?simple=true',
        headers: { Authorization: 'Bearer sm-access-token', Accept: 'application/json' },
      },
    });
  });

  it.each([
    ['other event types', { ...event, event_type: 'response_updated' }, source, 'event_type "response_updated" is not response_completed'],
    ['a response to another survey than the source\'s', event, { ...source, api: { url: 'https://x', tokenEnv: 'T', surveyId: '42' } }, 'a response to survey 123456789, this source is survey 42'],
  ])('ignores %s', (_, payload, src, reason) => {
    expect(surveymonkey.map(payload, src, ctx)).toEqual({ outcome: 'ignored', reason });
  });

  it('unmappable without object_id', () => {
    expect(surveymonkey.map({ ...event, object_id: undefined }, source, ctx)).toMatchObject({ outcome: 'unmappable', errors: [{ field: 'object_id', message: 'is required' }] });
  });
});

describe('surveymonkey: the fetched details → feedback', () => {
  it('maps pages[].questions[] by question id; date_modified; custom_variables.customer_id', () => {
    expect(surveymonkey.mapFetched?.(event, details, source, ctx)).toEqual({
      outcome: 'feedback',
      feedback: {
        source: 'sm-nps', externalId: '987654321', touchpoint: 'checkout', metric: 'nps', score: 2, comment: 'Rude staff',
        customer: { id: 'c-42', name: 'Deniz Kaya', email: 'deniz@example.com' }, respondedAt: '2026-11-23T10:00:00.000Z',
      },
    });
  });

  it('customer id: else the respondent id', () => {
    const r = surveymonkey.mapFetched?.(event, { ...details, custom_variables: {} }, source, ctx);
    expect(r?.outcome === 'feedback' && r.feedback.customer.id).toBe('987654321');
  });

  it.each([
    ['the score question is absent', { score: '999' }, details, 'question "999" in pages[].questions[]: not answered'],
    ['the answer is not a number', { score: '222223' }, details, 'question "222223" in pages[].questions[]: not a whole number ("Rude staff")'],
  ])('unmappable when %s', (_, fields, fetched, message) => {
    expect(surveymonkey.mapFetched?.(event, fetched, { ...source, fields }, ctx)).toMatchObject({ outcome: 'unmappable', errors: [{ field: 'score', message }] });
  });
});
