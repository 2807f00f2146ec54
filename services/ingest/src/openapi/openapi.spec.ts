import Ajv from 'ajv';
import { validateFeedback } from '../feedback/feedback-validation';
import { FEEDBACK_EXAMPLE, SCHEMAS } from './openapi';

// OpenAPI 3.0 schema objects here use only JSON-Schema keywords, so ajv can check them (formats are left to the DTO).
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema({ components: { schemas: SCHEMAS } }, 'openapi');
const schemaAccepts = (body: unknown) => ajv.validate({ $ref: 'openapi#/components/schemas/Feedback' }, body) as boolean;

const b = (over: Record<string, unknown> = {}, drop: string[] = []) => {
  const copy: Record<string, unknown> = { ...FEEDBACK_EXAMPLE, ...over };
  for (const k of drop) delete copy[k];
  return copy;
};

describe('the OpenAPI schema of the feedback body', () => {
  it('has a SPEC example the contract accepts', () => {
    expect(validateFeedback(FEEDBACK_EXAMPLE).ok).toBe(true);
    expect(schemaAccepts(FEEDBACK_EXAMPLE)).toBe(true);
  });

  it('requires exactly the fields the contract requires', () => {
    const r = validateFeedback({});
    const dtoRequired = r.ok ? [] : r.errors.filter((e) => e.message === 'is required').map((e) => e.field);
    expect([...SCHEMAS.Feedback.required].sort()).toEqual(dtoRequired.sort());
  });

  // Where the two could disagree: the documentation must never refuse what ingest accepts, and the structural
  // rules it states (types, required, unknown fields, enum, lengths) must give the same verdict as the DTO.
  it.each<[string, Record<string, unknown>]>([
    ['minimal', b({}, ['channel', 'comment', 'attributes'])],
    ['csat', b({ metric: 'csat', score: 5 })],
    ['free-form attributes', b({ attributes: { a: [1, { b: null }] } })],
    ['missing source', b({}, ['source'])],
    ['missing customer', b({}, ['customer'])],
    ['customer without id', b({ customer: { name: 'x' } })],
    ['unknown field', b({ scroe: 3 })],
    ['unknown customer field', b({ customer: { id: 'c', vip: true } })],
    ['unknown metric', b({ metric: 'ces2' })],
    ['string score', b({ score: '3' })],
    ['fractional score', b({ score: 3.5 })],
    ['empty externalId', b({ externalId: '' })],
    ['long source', b({ source: 'x'.repeat(101) })],
    ['long comment', b({ comment: 'x'.repeat(10_001) })],
    ['bad phone', b({ customer: { id: 'c', phone: '0555' } })],
    ['attributes list', b({ attributes: [1] })],
  ])('%s: same verdict', (_name, body) => {
    expect(schemaAccepts(body)).toBe(validateFeedback(body).ok);
  });
});
