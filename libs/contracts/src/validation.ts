import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';

export interface FieldError {
  field: string;
  message: string;
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

/** Validates a plain object against a class-validator DTO; unknown properties are rejected. */
export function validatePlain<T extends object>(
  cls: new () => T,
  plain: unknown,
  opts: { prefix?: string; forbidUnknown?: boolean } = {},
): { ok: true; value: T } | { ok: false; errors: FieldError[] } {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    return { ok: false, errors: [{ field: opts.prefix || '(root)', message: 'must be a JSON object' }] };
  }
  const instance = plainToInstance(cls, plain, { enableImplicitConversion: false });
  const errors = validateSync(instance as object, {
    whitelist: opts.forbidUnknown ?? false,
    forbidNonWhitelisted: opts.forbidUnknown ?? false,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  if (errors.length) return { ok: false, errors: flattenValidationErrors(errors, opts.prefix ?? '') };
  return { ok: true, value: instance };
}
