import { ENCRYPTED_PREFIX, FeedbackDto, FieldError, RECHECK_SOURCE, Topic, isEncrypted, personalFieldsOf, validatePlain } from '@closeloop/contracts';

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Messages that say what the value must be; when one is present the others (length, emptiness) are noise. */
const TYPE_MESSAGES = new Set(['must be a string', 'must be an integer', 'must be an object', 'must be an object with at least an id', 'must be a JSON object']);
const UNKNOWN = /^property (.+) should not exist$/;
const NOT_AN_OBJECT = /^nested property .* must be either object or array$/;

/** `a.b.0.c` → the value there, or undefined; own properties only (no `__proto__` or `constructor` surprises). */
export function valueAt(input: unknown, field: string): unknown {
  let v: unknown = input;
  for (const part of field.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = Object.prototype.hasOwnProperty.call(v, part) ? (v as Record<string, unknown>)[part] : undefined;
  }
  return v;
}

/**
 * class-validator's flattened errors → one `{field, message}` per bad field, in the order of the first error:
 * - a missing (or null) required field says `is required` instead of every rule it fails;
 * - an unknown field says `is not a known field`;
 * - messages are relative to the field (`must be a string`, not `source must be a string`);
 * - several real problems with one value are joined with `; `.
 */
export function tidyFieldErrors(errors: FieldError[], input: unknown): FieldError[] {
  const byField = new Map<string, string[]>();
  for (const e of errors) {
    const list = byField.get(e.field) ?? [];
    byField.set(e.field, list);
    const last = e.field.slice(e.field.lastIndexOf('.') + 1);
    const unknown = UNKNOWN.exec(e.message);
    const message = unknown ? 'is not a known field' : e.message.startsWith(`${last} `) ? e.message.slice(last.length + 1) : e.message;
    if (!list.includes(message)) list.push(message);
  }
  const out: FieldError[] = [];
  for (const [field, messages] of byField) {
    if (messages.includes('is not a known field')) {
      out.push({ field, message: 'is not a known field' });
      continue;
    }
    if (field !== '(root)' && valueAt(input, field) == null) {
      out.push({ field, message: 'is required' });
      continue;
    }
    const types = messages.filter((m) => TYPE_MESSAGES.has(m));
    const kept = types.length ? types : messages.filter((m) => !NOT_AN_OBJECT.test(m));
    out.push({ field, message: (kept.length ? kept : messages).join('; ') });
  }
  return out;
}

/**
 * SPEC §4 body validation with the contract's `FeedbackDto`. Unknown top-level and `customer` fields are errors
 * (a typo such as `scroe` must not silently drop the score); `attributes` stays free-form by design: it carries
 * whatever the survey tool knows (store, VIP flag, …) and is passed downstream untouched.
 *
 * The returned value is the validated instance: only the DTO's fields (so it is what goes on the topic).
 */
export function validateFeedback(body: unknown): Validated<FeedbackDto> {
  const r = validatePlain(FeedbackDto, body, { forbidUnknown: true });
  // a personal text in the encrypted form would skip its checks (@Personal) and be taken for ciphertext downstream (ADR 0024)
  const lookalikes: FieldError[] = (personalFieldsOf(Topic.FeedbackReceived)?.fields ?? [])
    .filter((field) => isEncrypted(valueAt(body, field)))
    .map((field) => ({ field, message: `must not start with "${ENCRYPTED_PREFIX}" (the form of an encrypted field)` }));
  if (!r.ok) return { ok: false, errors: [...tidyFieldErrors(r.errors, body), ...lookalikes] };
  if (lookalikes.length) return { ok: false, errors: lookalikes };
  // recheck answers come only from the recheck page: a lookalike could use up or shadow a customer's answer
  if (r.value.source === RECHECK_SOURCE) return { ok: false, errors: [{ field: 'source', message: `"${RECHECK_SOURCE}" is reserved for answers on Closeloop's recheck page` }] };
  return r;
}

/** The batch envelope `{ "items": [ ... ] }`: 1 to `maxItems` items; each item is validated on its own. */
export function validateBatchEnvelope(body: unknown, maxItems: number): Validated<unknown[]> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, errors: [{ field: '(root)', message: 'must be a JSON object like {"items": [...]}' }] };
  }
  const errors: FieldError[] = Object.keys(body)
    .filter((k) => k !== 'items')
    .map((field) => ({ field, message: 'is not a known field' }));
  const items = (body as { items?: unknown }).items;
  if (items === undefined || items === null) errors.push({ field: 'items', message: 'is required' });
  else if (!Array.isArray(items)) errors.push({ field: 'items', message: 'must be an array of feedback objects' });
  else if (items.length === 0) errors.push({ field: 'items', message: 'must contain at least 1 item' });
  else if (items.length > maxItems) errors.push({ field: 'items', message: `must contain at most ${maxItems} items, got ${items.length}` });
  return errors.length ? { ok: false, errors } : { ok: true, value: items as unknown[] };
}
