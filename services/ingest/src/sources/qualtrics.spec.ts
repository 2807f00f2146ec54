import { qualtricsMsg as msg, qualtricsResponse as response, qualtricsTopic as topic } from './fixtures/qualtrics';
import { qualtricsForm, sourceOf } from './fixtures/sign';
import { qualtrics } from './qualtrics';

const now = new Date('2026-11-23T10:00:05Z');
const ctx = { receivedAt: now, token: 'qualtrics-api-token' };
const secret = 'subscription-shared-key';
const source = sourceOf('qualtrics', {
  id: 'qx-branches', fields: { score: 'QID1', comment: 'QID2' }, api: { url: 'https://fra1.qualtrics.com/', tokenEnv: 'QUALTRICS_TOKEN' },
});
const raw = qualtricsForm(secret, topic, msg);
const notification = qualtrics.parse(raw);

describe('qualtrics: authenticity (form field HMAC = hex HMAC-SHA512(sharedKey, MSG))', () => {
  it.each([
    ['signed with the shared key', raw, true],
    ['upper-case hex', qualtricsForm(secret, topic, msg, qualtricsForm(secret, topic, msg).toString().split('HMAC=')[1].toUpperCase()), true],
    ['signed with another key', qualtricsForm('other-key', topic, msg), false],
    ['MSG changed after signing', Buffer.from(raw.toString().replace('R_1Qb1cDW6yQ7tGhN', 'R_forged')), false],
    ['no HMAC field', Buffer.from(new URLSearchParams({ Topic: topic, MSG: JSON.stringify(msg) }).toString()), false],
    ['a JSON body instead of the form', Buffer.from(JSON.stringify({ Topic: topic, MSG: msg })), false],
  ])('%s → %s', (_, delivered, ok) => {
    expect(qualtrics.verify({ raw: delivered, headers: {}, secret, now })).toBe(ok);
  });
});

describe('qualtrics: the notification → what to fetch', () => {
  it('fetches the response with X-API-TOKEN from api.url', () => {
    expect(qualtrics.map(notification, source, ctx)).toEqual({
      outcome: 'fetch',
      request: {
        url: 'https://fra1.qualtrics.com/API/v3/surveys/SV_ebdf20QralHTzQF/responses/R_1Qb1cDW6yQ7tGhN',
        headers: { 'X-API-TOKEN': 'qualtrics-api-token', Accept: 'application/json' },
      },
    });
  });

  it.each([
    ['a topic that is not a completed response', { ...notificationFor('surveyengine.startedRecipientSession.SV_ebdf20QralHTzQF') }, source, 'topic "surveyengine.startedRecipientSession.SV_ebdf20QralHTzQF" is not a completed response'],
    ['a topic of another survey than the source\'s', notification, sourceOf('qualtrics', { api: { url: 'https://x', tokenEnv: 'T', surveyId: 'SV_other' } }), 'topic of survey SV_ebdf20QralHTzQF, this source is survey SV_other'],
    ['a topic that disagrees with MSG.SurveyID', notificationFor('surveyengine.completedResponse.SV_other'), source, 'topic surveyengine.completedResponse.SV_other is about another survey than SV_ebdf20QralHTzQF'],
  ])('ignores %s', (_, payload, src, reason) => {
    expect(qualtrics.map(payload, src, ctx)).toEqual({ outcome: 'ignored', reason });
  });

  it('unmappable without a ResponseID or a token, naming each', () => {
    const payload = { Topic: topic, MSG: JSON.stringify({ SurveyID: msg.SurveyID }) };
    expect(qualtrics.map(payload, source, { receivedAt: now })).toEqual({
      outcome: 'unmappable', errors: [{ field: 'MSG.ResponseID', message: 'is required' }, { field: 'api.tokenEnv', message: 'no API token' }],
    });
  });
});

describe('qualtrics: the fetched response → feedback', () => {
  it('maps result.values: QID score, <QID>_TEXT comment, recipientEmail, endDate', () => {
    expect(qualtrics.mapFetched?.(notification, response, source, ctx)).toEqual({
      outcome: 'feedback',
      feedback: {
        source: 'qx-branches', externalId: 'R_1Qb1cDW6yQ7tGhN', touchpoint: 'checkout', metric: 'nps', score: 4, comment: 'The food took 40 minutes',
        customer: { id: 'deniz@example.com', name: 'Deniz Kaya', email: 'deniz@example.com' }, respondedAt: '2026-11-23T10:00:00.000Z',
      },
    });
  });

  it.each([
    ['recipientEmail', response, {}, 'deniz@example.com'],
    ['else the ResponseID', withValues({ recipientEmail: '' }), {}, 'R_1Qb1cDW6yQ7tGhN'],
    ['a dotted path into the fetched response when configured', response, { customerId: 'result.values.externalDataReference' }, 'c-42'],
  ])('customer id: %s', (_, fetched, fields, id) => {
    const r = qualtrics.mapFetched?.(notification, fetched, { ...source, fields: { ...source.fields, ...fields } }, ctx);
    expect(r?.outcome === 'feedback' && r.feedback.customer.id).toBe(id);
  });

  it.each([
    ['the score question is absent', withValues({ QID1: undefined }), 'question "QID1" in result.values: not answered'],
    ['the score is out of the nps scale', withValues({ QID1: 12 }), 'question "QID1" in result.values: 12 is outside the nps scale 0-10'],
  ])('unmappable when %s', (_, fetched, message) => {
    expect(qualtrics.mapFetched?.(notification, fetched, source, ctx)).toMatchObject({ outcome: 'unmappable', errors: [{ field: 'score', message }] });
  });

  it('unmappable when the API answered something else', () => {
    expect(qualtrics.mapFetched?.(notification, { meta: { httpStatus: '200 - OK' } }, source, ctx)).toEqual({
      outcome: 'unmappable', errors: [{ field: 'result.values', message: 'the response API answered without result.values' }],
    });
  });
});

function notificationFor(t: string) {
  return { Topic: t, MSG: JSON.stringify(msg), HMAC: 'ignored-by-map' };
}

function withValues(values: Record<string, unknown>) {
  return { ...response, result: { ...response.result, values: { ...response.result.values, ...values } } };
}
