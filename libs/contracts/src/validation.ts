import { plainToInstance } from 'class-transformer';
import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';
import { ValidationError, getMetadataStorage, validateSync } from 'class-validator';
import { hasUnknownKey, passesCompiled } from './compiled-validation';

// class-transformer keeps @Type metadata here; its package exports no typed entry point for it
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as { defaultMetadataStorage: MetadataStorage };

export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details (`application/problem+json`): the error body of every Closeloop HTTP API (SPEC §4, §6). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  /** 403 (SPEC §12): the roles that may do what was refused. */
  requiredRoles?: string[];
}

/** Flattens class-validator's error tree into `{ field: "customer.id", message }` pairs, one per broken rule. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = prefix ? (/^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : `${prefix}.${e.property}`) : e.property;
    for (const message of Object.values(e.constraints ?? {})) out.push({ field, message });
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

/** Keys that reach object prototypes (and break class-transformer): refused everywhere, also inside free-form objects such as `attributes`. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor']);

function reservedKeys(value: unknown, path: string, out: FieldError[], depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 32) return;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [k, v] of entries) {
    const field = Array.isArray(value) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    if (!Array.isArray(value) && RESERVED_KEYS.has(k)) out.push({ field, message: `"${k}" is a reserved name and cannot be used as a key` });
    else reservedKeys(v, field, out, depth + 1);
  }
}

// bounded like reservedKeys: a deeper value is kept as it is (HTTP bodies are depth-limited before they get here)
function withoutReservedKeys(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (Array.isArray(value)) return value.map((v) => withoutReservedKeys(v, depth + 1));
  return Object.fromEntries(Object.entries(value).filter(([k]) => !RESERVED_KEYS.has(k)).map(([k, v]) => [k, withoutReservedKeys(v, depth + 1)]));
}

type Cls = new () => object;

/** Own keys of `plain` that `cls` does not declare, recursing into nested DTOs (decided from the input's own keys, not the prototype's). */
function unknownKeys(cls: Cls, plain: Record<string, unknown>, path: string, out: FieldError[]): void {
  const declared = new Set(getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false).map((m) => m.propertyName));
  for (const key of Object.keys(plain)) {
    const field = path ? `${path}.${key}` : key;
    if (!declared.has(key)) {
      out.push({ field, message: 'is not a known field' });
      continue;
    }
    const nested = defaultMetadataStorage.findTypeMetadata(cls, key)?.typeFunction?.() as Cls | undefined;
    const v = plain[key];
    if (nested && v !== null && typeof v === 'object' && !Array.isArray(v)) unknownKeys(nested, v as Record<string, unknown>, field, out);
  }
}

/**
 * class-transformer rebuilds free-form objects (e.g. `attributes`) and drops keys named like Object.prototype members
 * (`toString`, `hasOwnProperty`, …). Accepted data must arrive untouched, so every declared field that is not itself a
 * DTO takes the value exactly as it was sent.
 */
function keepOriginalValues(cls: Cls, instance: Record<string, unknown>, plain: Record<string, unknown>): void {
  for (const key of Object.keys(plain)) {
    if (!Object.prototype.hasOwnProperty.call(instance, key)) continue;
    const nested = defaultMetadataStorage.findTypeMetadata(cls, key)?.typeFunction?.() as Cls | undefined;
    const v = plain[key];
    if (nested && v !== null && typeof v === 'object' && !Array.isArray(v) && instance[key] && typeof instance[key] === 'object') {
      keepOriginalValues(nested, instance[key] as Record<string, unknown>, v as Record<string, unknown>);
    } else if (!nested) instance[key] = v;
  }
}

/**
 * Validates a plain object against a class-validator DTO; with `forbidUnknown`, undeclared fields are errors. Never throws.
 * The compiled rules (compiled-validation.ts) decide a valid object first, and its value is then `plain` itself (the
 * same fields and values the class-transformer copy would hold); anything else, or `compiled: false`, goes through
 * class-transformer and class-validator, which decide and name the errors.
 */
export function validatePlain<T extends object>(
  cls: new () => T,
  plain: unknown,
  opts: { prefix?: string; forbidUnknown?: boolean; compiled?: boolean } = {},
): { ok: true; value: T } | { ok: false; errors: FieldError[] } {
  const root = opts.prefix || '(root)';
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    return { ok: false, errors: [{ field: root, message: 'must be a JSON object' }] };
  }
  const early: FieldError[] = [];
  reservedKeys(plain, opts.prefix ?? '', early);
  if (!early.length && opts.compiled !== false && passesCompiled(cls, plain, { reservedChecked: true }) &&
    !(opts.forbidUnknown && hasUnknownKey(cls, plain as Record<string, unknown>))) {
    return { ok: true, value: plain as T };
  }
  // with a reserved key, the rest is still checked (on a copy without them) so that every problem is named at once
  if (early.length) plain = withoutReservedKeys(plain);
  if (opts.forbidUnknown) unknownKeys(cls, plain as Record<string, unknown>, opts.prefix ?? '', early);
  try {
    const instance = plainToInstance(cls, plain, { enableImplicitConversion: false });
    const errors = validateSync(instance as object, {
      forbidUnknownValues: true,
      validationError: { target: false, value: false },
    });
    const all = [...early, ...flattenValidationErrors(errors, opts.prefix ?? '')];
    if (all.length) return { ok: false, errors: all };
    keepOriginalValues(cls, instance as Record<string, unknown>, plain as Record<string, unknown>);
    return { ok: true, value: instance };
  } catch (err) {
    return { ok: false, errors: [...early, { field: root, message: `cannot be validated: ${(err as Error).message}` }] };
  }
}
