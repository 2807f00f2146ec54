import type { FieldError } from '@closeloop/contracts';

export interface IntParam {
  min: number;
  max: number;
  default: number;
}

export type Read<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/**
 * A query string of integer parameters: each given one must be a whole number in its range, and a parameter that is
 * not listed is an error (a typo such as `?hour=48` must not silently give the default). Every bad one is named.
 */
export function readIntQuery<K extends string>(query: Record<string, unknown>, params: Record<K, IntParam>): Read<Record<K, number>> {
  const errors: FieldError[] = [];
  const value = {} as Record<K, number>;
  for (const name of Object.keys(query)) {
    if (!Object.hasOwn(params, name)) errors.push({ field: name, message: 'is not a known field' });
  }
  for (const [name, p] of Object.entries(params) as [K, IntParam][]) {
    const raw = query[name];
    if (raw === undefined) {
      value[name] = p.default;
      continue;
    }
    const n = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(n) || n < p.min || n > p.max) errors.push({ field: name, message: `must be an integer from ${p.min} to ${p.max}` });
    else value[name] = n;
  }
  return errors.length ? { ok: false, errors } : { ok: true, value };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A kept payload's id is a UUID; anything else names the field (and never reaches SQL as a cast error). */
export function keptIdError(id: string): FieldError | null {
  return UUID.test(id) ? null : { field: 'keptId', message: 'must be a kept payload id (a UUID)' };
}
