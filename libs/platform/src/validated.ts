import { FieldError, validatePlain } from '@closeloop/contracts';
import { ProblemException, problem } from './problem';

/**
 * The one way an HTTP body or query is checked: the contract's class-validator DTO through `validatePlain`
 * (unknown fields are errors too), or a 400 problem naming every bad field, one message per field.
 */
export function validated<T extends object>(cls: new () => T, plain: unknown, what: 'body' | 'query'): T {
  const r = validatePlain(cls, plain ?? {}, { forbidUnknown: true });
  if (r.ok) return r.value;
  // one error per field: the first broken rule says what is expected ("must be a string" before "must not be empty")
  const errors: FieldError[] = [];
  for (const e of r.errors) {
    if (errors.some((x) => x.field === e.field)) continue;
    // class-validator's whitelist message says "property x should not exist"
    errors.push({ field: e.field, message: /should not exist$/.test(e.message) ? 'is not a known field' : e.message });
  }
  throw new ProblemException(problem(400, `the request ${what} has ${errors.length === 1 ? 'an invalid field' : 'invalid fields'}`, { errors }));
}
