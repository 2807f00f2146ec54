import { body, sourceOf } from './fixtures/sign';
import { generic } from './generic';

const now = new Date('2026-11-23T10:00:05Z');
const ctx = { receivedAt: now };
// A Medallia-style webhook template: whatever JSON the customer builds (developer.medallia.com, webhooks overview).
const payload = {
  survey: { id: 'kiosk-7', respondent: { id: 'r-991', customer: 'c-42' }, answers: { ltr: '2', why: 'Long queue' } },
  store: 'istanbul-1',
  submitted: 1763892000,
};
const source = sourceOf('generic', {
  id: 'kiosk', fields: { externalId: 'survey.respondent.id', score: 'survey.answers.ltr', comment: 'survey.answers.why', customerId: 'survey.respondent.customer', touchpoint: 'store', respondedAt: 'submitted' },
});

describe('generic: authenticity (Authorization: Bearer <secret>)', () => {
  it.each([
    ['the secret', 'Bearer kiosk-secret', true],
    ['another secret', 'Bearer kiosk-secreT', false],
    ['a prefix of the secret', 'Bearer kiosk', false],
    ['lower-case scheme', 'bearer kiosk-secret', false],
    ['nothing', undefined, false],
  ])('%s → %s', (_, authorization, ok) => {
    const headers = authorization === undefined ? {} : { authorization };
    expect(generic.verify({ raw: body(payload), headers, secret: 'kiosk-secret', now })).toBe(ok);
  });
});

describe('generic: mapping by dotted paths', () => {
  it('maps every configured path', () => {
    expect(generic.map(generic.parse(body(payload)), source, ctx)).toEqual({
      outcome: 'feedback',
      feedback: {
        source: 'kiosk', externalId: 'r-991', touchpoint: 'istanbul-1', metric: 'nps', score: 2, comment: 'Long queue',
        customer: { id: 'c-42' }, respondedAt: '2025-11-23T10:00:00.000Z',
      },
    });
  });

  it('defaults: respondedAt is the receipt time, the customer is the external id, the touchpoint the source\'s', () => {
    const r = generic.map(payload, sourceOf('generic', { fields: { externalId: 'survey.respondent.id', score: 'survey.answers.ltr' } }), ctx);
    expect(r.outcome === 'feedback' && [r.feedback.respondedAt, r.feedback.customer.id, r.feedback.touchpoint]).toEqual(['2026-11-23T10:00:05.000Z', 'r-991', 'checkout']);
  });

  it.each([
    ['the score path finds nothing', { ...source.fields, score: 'survey.answers.nps' }, [{ field: 'score', message: 'fields.score (survey.answers.nps): not answered' }]],
    ['the external id path finds nothing', { ...source.fields, externalId: 'id' }, [{ field: 'externalId', message: 'the response id is missing from the payload' }]],
  ])('unmappable when %s', (_, fields, errors) => {
    expect(generic.map(payload, { ...source, fields }, ctx)).toMatchObject({ outcome: 'unmappable', errors });
  });

  it('unmappable when the score is outside the csat scale, and when the body is not an object', () => {
    expect(generic.map(payload, { ...source, metric: 'csat', fields: { ...source.fields, score: 'submitted' } }, ctx)).toMatchObject({
      outcome: 'unmappable', errors: [{ field: 'score', message: 'fields.score (submitted): 1763892000 is outside the csat scale 1-5' }],
    });
    // nothing read, so no customer to find it by (SPEC §13): only retention reaches such a kept payload
    expect(generic.map([payload], source, ctx)).toEqual({ outcome: 'unmappable', errors: [{ field: '(root)', message: 'the body is not a JSON object' }] });
  });

  it('a value the feedback API would refuse (a 300-character id) is unmappable, named as POST /v1/feedback names it', () => {
    const r = generic.map({ ...payload, survey: { ...payload.survey, respondent: { id: 'x'.repeat(300) } } }, source, ctx);
    expect(r.outcome === 'unmappable' && r.errors.map((e) => e.field)).toEqual(['externalId', 'customer.id']); // the customer fell back to it
  });
});
