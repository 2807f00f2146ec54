import { validateBatchEnvelope, validateFeedback } from './feedback-validation';

const valid = {
  source: 'questionpro', externalId: 'resp-1', touchpoint: 'checkout', channel: 'web', metric: 'nps', score: 3,
  comment: 'slow', customer: { id: 'c-42', name: 'Deniz', email: 'd@example.com', phone: '+905551234567', locale: 'tr' },
  respondedAt: '2026-11-23T10:00:00Z', attributes: { store: 'istanbul-1', vip: true, nested: { any: ['thing'] } },
};
const without = (field: keyof typeof valid) => {
  const copy: Record<string, unknown> = { ...valid };
  delete copy[field];
  return copy;
};

describe('validateFeedback', () => {
  it('accepts the SPEC example and keeps attributes free-form', () => {
    const r = validateFeedback(valid);
    expect(r.ok).toBe(true);
    // what goes on the topic is exactly what was sent
    expect(r.ok && JSON.parse(JSON.stringify(r.value))).toEqual(valid);
  });

  it.each([
    ['nps', 0], ['nps', 10], ['csat', 1], ['csat', 5], ['ces', 1], ['ces', 7],
  ])('accepts %s score %p (scale edge)', (metric, score) => {
    expect(validateFeedback({ ...valid, metric, score }).ok).toBe(true);
  });

  it.each<[string, Record<string, unknown>, { field: string; message: string }[]]>([
    ['missing source', without('source'), [{ field: 'source', message: 'is required' }]],
    ['null externalId', { ...valid, externalId: null }, [{ field: 'externalId', message: 'is required' }]],
    ['empty touchpoint', { ...valid, touchpoint: '' }, [{ field: 'touchpoint', message: 'should not be empty' }]],
    ['numeric source', { ...valid, source: 7 }, [{ field: 'source', message: 'must be a string' }]],
    ['the recheck page\'s source (SPEC §11: only notification publishes it)', { ...valid, source: 'closeloop-recheck' }, [{ field: 'source', message: '"closeloop-recheck" is reserved for answers on Closeloop\'s recheck page' }]],
    ['an email in the encrypted form (it would skip its checks, ADR 0024)', { ...valid, customer: { ...valid.customer, email: 'enc:v1:not-an-email' } },
      [{ field: 'customer.email', message: 'must not start with "enc:v1:" (the form of an encrypted field)' }]],
    ['a comment in the encrypted form, with another bad field', { ...valid, comment: 'enc:v1:x', score: 11 }, [
      { field: 'score', message: 'must be an integer from 0 to 10 for metric nps' },
      { field: 'comment', message: 'must not start with "enc:v1:" (the form of an encrypted field)' },
    ]],
    ['too long source', { ...valid, source: 'x'.repeat(101) }, [{ field: 'source', message: 'must be shorter than or equal to 100 characters' }]],
    ['unknown metric', { ...valid, metric: 'ces2' }, [{ field: 'metric', message: 'must be one of nps, csat, ces' }]],
    ['score out of nps scale', { ...valid, score: 11 }, [{ field: 'score', message: 'must be an integer from 0 to 10 for metric nps' }]],
    ['score out of csat scale', { ...valid, metric: 'csat', score: 0 }, [{ field: 'score', message: 'must be an integer from 1 to 5 for metric csat' }]],
    ['fractional score', { ...valid, score: 3.5 }, [{ field: 'score', message: 'must be an integer' }]],
    ['score as a string', { ...valid, score: '3' }, [{ field: 'score', message: 'must be an integer' }]],
    ['missing customer', without('customer'), [{ field: 'customer', message: 'is required' }]],
    ['customer as a string', { ...valid, customer: 'c-42' }, [{ field: 'customer', message: 'must be an object with at least an id' }]],
    ['customer without id', { ...valid, customer: { name: 'x' } }, [{ field: 'customer.id', message: 'is required' }]],
    ['bad email and phone', { ...valid, customer: { id: 'c', email: 'nope', phone: '0555' } }, [
      { field: 'customer.email', message: 'must be an email address' },
      { field: 'customer.phone', message: 'must be an E.164 phone number like +905551234567' },
    ]],
    ['unknown customer field', { ...valid, customer: { id: 'c', vip: true } }, [{ field: 'customer.vip', message: 'is not a known field' }]],
    ['not a date', { ...valid, respondedAt: 'yesterday' }, [{ field: 'respondedAt', message: 'must be an ISO-8601 date-time' }]],
    ['a typo in a field name', { ...without('score'), scroe: 3 }, [
      { field: 'scroe', message: 'is not a known field' },
      { field: 'score', message: 'is required' },
    ]],
    ['attributes as a list', { ...valid, attributes: [1] }, [{ field: 'attributes', message: 'must be an object' }]],
  ])('%s', (_name, body, errors) => {
    const r = validateFeedback(body);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual(errors);
  });

  it('names every bad field at once, one entry per field', () => {
    const r = validateFeedback({ externalId: '', metric: 'nps', score: 42, customer: { email: 'x' }, respondedAt: 'soon', extra: 1 });
    expect(r.ok).toBe(false);
    const fields = !r.ok ? r.errors.map((e) => e.field).sort() : [];
    expect(fields).toEqual(['customer.email', 'customer.id', 'externalId', 'extra', 'respondedAt', 'score', 'source', 'touchpoint'].sort());
  });

  it.each([
    [null], [[valid]], ['{"source":"x"}'], [42],
  ])('refuses a body that is not an object: %j', (body) => {
    expect(validateFeedback(body)).toEqual({ ok: false, errors: [{ field: '(root)', message: 'must be a JSON object' }] });
  });

  it('does not let __proto__ or constructor keys through', () => {
    const body = JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify(valid).slice(1)}`);
    const r = validateFeedback(body);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if (r.ok) expect(Object.keys(JSON.parse(JSON.stringify(r.value)))).not.toContain('__proto__');
    const withCtor = validateFeedback({ ...valid, constructor: 'x' });
    if (withCtor.ok) expect(Object.prototype.hasOwnProperty.call(JSON.parse(JSON.stringify(withCtor.value)), 'constructor')).toBe(false);
  });
});

describe('validateBatchEnvelope', () => {
  it('returns the items', () => {
    expect(validateBatchEnvelope({ items: [1, 'x'] }, 3)).toEqual({ ok: true, value: [1, 'x'] });
  });

  it.each<[string, unknown, { field: string; message: string }[]]>([
    ['an array body', [valid], [{ field: '(root)', message: 'must be a JSON object like {"items": [...]}' }]],
    ['no items', {}, [{ field: 'items', message: 'is required' }]],
    ['items not an array', { items: { a: 1 } }, [{ field: 'items', message: 'must be an array of feedback objects' }]],
    ['empty items', { items: [] }, [{ field: 'items', message: 'must contain at least 1 item' }]],
    ['too many items', { items: [1, 2, 3, 4] }, [{ field: 'items', message: 'must contain at most 3 items, got 4' }]],
    ['an unknown field', { items: [1], next: 'x' }, [{ field: 'next', message: 'is not a known field' }]],
  ])('%s', (_name, body, errors) => {
    expect(validateBatchEnvelope(body, 3)).toEqual({ ok: false, errors });
  });
});
