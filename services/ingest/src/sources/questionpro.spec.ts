import { body, sourceOf } from './fixtures/sign';
import { questionproResponse as response } from './fixtures/questionpro';
import { questionpro } from './questionpro';

const now = new Date('2026-11-23T10:00:00Z');
const ctx = { receivedAt: now };
const source = sourceOf('questionpro', { id: 'qp-checkout', fields: { score: 'Q2', comment: 'Q3' } });
const raw = body(response);

describe('questionpro: authenticity (the webhook request header carries Authorization: Bearer <secret>)', () => {
  it.each([
    ['the shared secret', { authorization: 'Bearer s3cret-token' }, true],
    ['another secret', { authorization: 'Bearer s3cret-tokem' }, false],
    ['the secret without "Bearer "', { authorization: 's3cret-token' }, false],
    ['a longer value starting with the secret', { authorization: 'Bearer s3cret-token-and-more' }, false],
    ['no Authorization header', {}, false],
  ])('%s → %s', (_, headers, ok) => {
    expect(questionpro.verify({ raw, headers, secret: 's3cret-token', now })).toBe(ok);
  });
});

describe('questionpro: mapping', () => {
  it('maps the documented response: score from answerText, comment from value.text, respondedAt from utctimestamp', () => {
    expect(questionpro.map(questionpro.parse(raw), source, ctx)).toEqual({
      outcome: 'feedback',
      feedback: {
        source: 'qp-checkout', externalId: '202881004', touchpoint: 'checkout', metric: 'nps', score: 3, comment: 'Garsonlar çok kaba',
        customer: { id: 'test_response' }, respondedAt: '2026-01-28T20:00:53.000Z',
      },
    });
  });

  it.each([
    ['the question code', { score: 'Q2' }, 3],
    ['the question id', { score: '156567752' }, 3],
  ])('finds the score by %s', (_, fields, score) => {
    const r = questionpro.map(response, sourceOf('questionpro', { fields }), ctx);
    expect(r.outcome === 'feedback' && r.feedback.score).toBe(score);
  });

  it.each([
    ['externalReference when present', {}, response, 'test_response'],
    ['responseID without externalReference', {}, { ...response, externalReference: '' }, '202881004'],
    ['a dotted path (customVariables.custom1) when configured', { customerId: 'customVariables.custom1' }, response, 'c-42'],
  ])('customer id: %s', (_, fields, payload, id) => {
    const r = questionpro.map(payload, sourceOf('questionpro', { fields: { score: 'Q2', ...fields } }), ctx);
    expect(r.outcome === 'feedback' && r.feedback.customer.id).toBe(id);
  });

  it('falls back to answerText for the comment when value.text is empty', () => {
    const r = questionpro.map(response, sourceOf('questionpro', { fields: { score: 'Q2', comment: 'Q1' } }), ctx);
    expect(r.outcome === 'feedback' && r.feedback.comment).toBe('Yes');
  });

  it('takes the touchpoint from a dotted path, else the source', () => {
    const r = questionpro.map(response, sourceOf('questionpro', { fields: { score: 'Q2', touchpoint: 'customVariables.custom2' } }), ctx);
    expect(r.outcome === 'feedback' && r.feedback.touchpoint).toBe('istanbul-1');
    const fallback = questionpro.map(response, sourceOf('questionpro', { fields: { score: 'Q2', touchpoint: 'customVariables.custom5' } }), ctx);
    expect(fallback.outcome === 'feedback' && fallback.feedback.touchpoint).toBe('checkout');
  });

  it('ignores a response that is not Completed', () => {
    expect(questionpro.map({ ...response, responseStatus: 'Partial' }, source, ctx)).toEqual({ outcome: 'ignored', reason: 'response status "Partial", not Completed' });
  });

  it.each([
    ['the score question is absent', { score: 'Q9' }, 'score', 'question "Q9" in responseSet: not answered'],
    ['the score is not a number', { score: 'Q1' }, 'score', 'question "Q1" in responseSet: not a whole number ("Yes")'],
  ])('unmappable when %s, naming the field', (_, fields, field, message) => {
    expect(questionpro.map(response, sourceOf('questionpro', { fields }), ctx)).toMatchObject({ outcome: 'unmappable', errors: [{ field, message }] });
  });

  it('unmappable when the score is outside the metric scale (csat 1-5)', () => {
    const r = questionpro.map(response, sourceOf('questionpro', { metric: 'csat', fields: { score: 'Q2' } }), ctx);
    expect(r.outcome).toBe('feedback');
    const seven = { ...response, responseSet: [{ ...response.responseSet[1], answerValues: [{ ...response.responseSet[1].answerValues[0], answerText: '7' }] }] };
    expect(questionpro.map(seven, sourceOf('questionpro', { metric: 'csat', fields: { score: 'Q2' } }), ctx)).toMatchObject({
      outcome: 'unmappable', errors: [{ field: 'score', message: 'question "Q2" in responseSet: 7 is outside the csat scale 1-5' }],
    });
  });

  it('lists every missing field at once', () => {
    const r = questionpro.map({ responseSet: [] }, sourceOf('questionpro', { touchpoint: undefined, fields: { score: 'Q2' } }), ctx);
    expect(r.outcome === 'unmappable' && r.errors.map((e) => e.field)).toEqual(['externalId', 'score', 'touchpoint', 'customer.id', 'respondedAt']);
  });
});
