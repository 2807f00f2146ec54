import { body, delightedSignature, sourceOf, typeformSignature } from './fixtures/sign';
import { typeformEvent as event } from './fixtures/typeform';
import { typeform } from './typeform';

const now = new Date('2026-11-23T10:00:05Z');
const ctx = { receivedAt: now };
const secret = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const raw = body(event);
const source = sourceOf('typeform', { id: 'tf-checkout', fields: { score: 'nps_q', comment: 'why_q' } });

describe('typeform: authenticity (Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, raw body)>)', () => {
  it.each([
    ['signed with the secret', { 'typeform-signature': typeformSignature(secret, raw) }, raw, true],
    ['the header name in any case', { 'Typeform-Signature': typeformSignature(secret, raw) }, raw, true],
    ['signed with another secret', { 'typeform-signature': typeformSignature('other', raw) }, raw, false],
    ['a body changed after signing', { 'typeform-signature': typeformSignature(secret, raw) }, Buffer.concat([raw, Buffer.from(' ')]), false],
    ['the hex digest instead of base64', { 'typeform-signature': delightedSignature(secret, raw) }, raw, false],
    ['no prefix', { 'typeform-signature': typeformSignature(secret, raw).slice('sha256='.length) }, raw, false],
    ['no signature header', {}, raw, false],
  ])('%s → %s', (_, headers, delivered, ok) => {
    expect(typeform.verify({ raw: delivered as Buffer, headers, secret, now })).toBe(ok);
  });
});

describe('typeform: mapping', () => {
  it('maps the documented form_response', () => {
    expect(typeform.map(typeform.parse(raw), source, ctx)).toEqual({
      outcome: 'feedback',
      feedback: {
        source: 'tf-checkout', externalId: 'a3a12ec67a1365927098a606107fac15', touchpoint: 'checkout', metric: 'nps', score: 3,
        comment: 'The courier was 40 minutes late', customer: { id: 'c-42', email: 'laura@example.com' }, respondedAt: '2026-11-23T10:00:00.000Z',
      },
    });
  });

  it.each([['field.ref', 'nps_q'], ['field.id', 'SMEUb7VJz92Q']])('finds the score by %s', (_, score) => {
    const r = typeform.map(event, sourceOf('typeform', { fields: { score } }), ctx);
    expect(r.outcome === 'feedback' && r.feedback.score).toBe(3);
  });

  const withoutHidden = { ...event, form_response: { ...event.form_response, hidden: {} } };
  const withoutEmail = { ...withoutHidden, form_response: { ...withoutHidden.form_response, answers: event.form_response.answers.slice(0, 2) } };
  it.each([
    ['hidden.customer_id', event, 'c-42'],
    ['else the first email answer', withoutHidden, 'laura@example.com'],
    ['else the token', withoutEmail, 'a3a12ec67a1365927098a606107fac15'],
  ])('customer id: %s', (_, payload, id) => {
    const r = typeform.map(payload, source, ctx);
    expect(r.outcome === 'feedback' && r.feedback.customer.id).toBe(id);
  });

  it('a touchpoint path (form_response.hidden.touchpoint) wins over the source touchpoint', () => {
    const r = typeform.map(event, sourceOf('typeform', { fields: { score: 'nps_q', touchpoint: 'form_response.hidden.touchpoint' } }), ctx);
    expect(r.outcome === 'feedback' && r.feedback.touchpoint).toBe('delivery');
  });

  it('ignores other event types', () => {
    expect(typeform.map({ ...event, event_type: 'form_partial_response' }, source, ctx)).toEqual({ outcome: 'ignored', reason: 'event_type "form_partial_response" is not form_response' });
  });

  it.each([
    ['the score question is absent', sourceOf('typeform', { fields: { score: 'missing_q' } }), 'question "missing_q" in form_response.answers: not answered'],
    ['the score is out of the ces scale 1-7', sourceOf('typeform', { metric: 'ces', fields: { score: 'nps_q' } }), null],
  ])('unmappable when %s', (_, src, message) => {
    const payload = message === null
      ? { ...event, form_response: { ...event.form_response, answers: [{ ...event.form_response.answers[0], number: 0 }] } }
      : event;
    const r = typeform.map(payload, src, ctx);
    expect(r).toMatchObject({ outcome: 'unmappable', errors: [{ field: 'score', message: message ?? 'question "nps_q" in form_response.answers: 0 is outside the ces scale 1-7' }] });
  });

  // SPEC §13: a kept (unmappable) payload is found by its customer when it is erased, so the result names the customer
  // the connector read, with the kind's default chain (hidden.customer_id, else the first email answer, else the token)
  it.each([
    ['hidden.customer_id', event, 'c-42'],
    ['the email answer without a hidden id', { ...event, form_response: { ...event.form_response, hidden: {} } }, 'laura@example.com'],
    ['the token without either', { ...event, form_response: { ...event.form_response, hidden: {}, answers: event.form_response.answers.slice(0, 2) } }, event.form_response.token],
  ])('an unmappable response names its customer: %s', (_, payload, customerId) => {
    expect(typeform.map(payload, sourceOf('typeform', { fields: { score: 'missing_q' } }), ctx)).toEqual({
      outcome: 'unmappable', errors: [{ field: 'score', message: 'question "missing_q" in form_response.answers: not answered' }], customerId,
    });
  });

  it('unmappable when submitted_at is not a date-time', () => {
    const r = typeform.map({ ...event, form_response: { ...event.form_response, submitted_at: 'yesterday' } }, source, ctx);
    expect(r).toMatchObject({ outcome: 'unmappable', errors: [{ field: 'respondedAt', message: 'not a date-time or Unix seconds ("yesterday")' }] });
  });
});
