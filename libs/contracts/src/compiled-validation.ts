import type { MetadataStorage as TypeStorage } from 'class-transformer/types/MetadataStorage';
import { ValidationArguments, ValidationTypes, getMetadataStorage } from 'class-validator';

// class-transformer keeps @Type metadata here; its package exports no typed entry point for it
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as { defaultMetadataStorage: TypeStorage };

type Cls = new () => object;

/** The parts of class-transformer's metadata storage read here (its typings do not export them all). */
interface TransformerRules {
  getExposedMetadatas(target: Cls): unknown[];
  getExcludedMetadatas(target: Cls): unknown[];
  findTransformMetadatas(target: Cls, propertyName: string, transformationType: number): unknown[];
}
/** class-transformer's TransformationType.PLAIN_TO_CLASS. */
const PLAIN_TO_CLASS = 0;
type Plain = Record<string, unknown>;

/** One rule of a property: the decorator's own constraint instance, called as class-validator calls it. */
interface Rule {
  validate: (value: unknown, args: ValidationArguments) => unknown;
  constraints: unknown[];
  each: boolean;
}

interface Property {
  name: string;
  /** @IsOptional, @ValidateIf: every one must hold, else the property is not checked at all. */
  conditions: ((object: unknown, value: unknown) => boolean)[];
  /** @IsDefined first, then the other rules, in class-validator's order. */
  rules: Rule[];
  /** @ValidateNested: the class of the value (its @Type); `undefined` when there is no nested rule. */
  nested?: Cls;
}

/** What a class compiles to: a check of a plain (JSON) object, true only when class-validator would accept it. */
export type CompiledCheck = (plain: Plain) => boolean;

const compiled = new Map<Cls, CompiledCheck | null>();
const RESERVED = new Set(['__proto__', 'constructor']);

/**
 * A class-validator DTO compiled once into plain loops over its rules (issue 14: no per-message reflection on the
 * hot path). It reads the same decorator metadata and calls the same constraint instances as class-validator's
 * ValidationExecutor (validateSync with forbidUnknownValues), on the plain object instead of a class-transformer
 * copy, and answers only "valid or not": a caller falls back to `validatePlain` for the errors. It is conservative:
 * whatever it does not mirror exactly (groups, async rules, a nested value that is not a plain object, defaults set by
 * a constructor, reserved keys) makes it answer false, so it never accepts what class-validator refuses; the
 * differential test (compiled-validation.spec.ts) holds it to that and shows it accepts what class-validator accepts.
 * Null when the class cannot be compiled at all: class-validator decides every value then.
 */
export function compiledCheck(cls: Cls): CompiledCheck | null {
  if (!compiled.has(cls)) {
    compiled.set(cls, null); // a class nesting itself compiles to "not compiled" rather than recursing forever
    compiled.set(cls, compile(cls));
  }
  return compiled.get(cls) ?? null;
}

function compile(cls: Cls): CompiledCheck | null {
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(cls, undefined as unknown as string, false, false, undefined);
  if (!metadatas.length) return () => false; // forbidUnknownValues: class-validator refuses an object of no known class
  // a constructor that sets a field gives class-validator a value the plain object does not have, and class-transformer
  // rules (@Expose, @Exclude, @Transform) a different one: neither is mirrored
  const fresh = new cls() as Plain;
  if (Object.keys(fresh).some((k) => fresh[k] !== undefined)) return null;
  const types = defaultMetadataStorage as unknown as TransformerRules;
  if (types.getExposedMetadatas(cls).length || types.getExcludedMetadatas(cls).length) return null;
  if (metadatas.some((m) => types.findTransformMetadatas(cls, m.propertyName, PLAIN_TO_CLASS).length)) return null;
  const properties: Property[] = [];
  for (const [name, list] of Object.entries(storage.groupByPropertyName(metadatas))) {
    const p: Property = { name, conditions: [], rules: [] };
    const defined: Rule[] = [];
    for (const m of list) {
      if (m.groups?.length || m.always) return null;
      if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) {
        p.conditions.push(m.constraints[0] as (object: unknown, value: unknown) => boolean);
      } else if (m.type === ValidationTypes.CUSTOM_VALIDATION || m.type === ValidationTypes.IS_DEFINED) {
        for (const c of storage.getTargetValidatorConstraints(m.constraintCls)) {
          if (c.async) return null;
          const instance = c.instance as { validate: Rule['validate'] };
          (m.type === ValidationTypes.IS_DEFINED ? defined : p.rules).push({
            validate: instance.validate.bind(instance), constraints: m.constraints, each: m.each === true,
          });
        }
      } else if (m.type === ValidationTypes.NESTED_VALIDATION) {
        const type = defaultMetadataStorage.findTypeMetadata(cls, name);
        const nested = type?.typeFunction?.() as Cls | undefined;
        if (!nested || type?.options?.discriminator || [String, Number, Boolean, Date, Object, Array].includes(nested as never)) return null;
        if (p.nested && p.nested !== nested) return null;
        p.nested = nested;
      } else {
        return null; // promises, whitelists: not mirrored
      }
    }
    p.rules.unshift(...defined);
    properties.push(p);
  }
  const targetName = cls.name;
  return (plain) => {
    for (const p of properties) {
      const value = plain[p.name];
      let applies = true;
      for (const condition of p.conditions) applies = condition(plain, value) && applies;
      if (!applies) continue;
      const args: ValidationArguments = { targetName, property: p.name, object: plain, value, constraints: p.rules[0]?.constraints ?? [] };
      for (const r of p.rules) {
        args.constraints = r.constraints as never[];
        if (r.each && Array.isArray(value)) {
          for (const item of value) if (!r.validate(item, args)) return false;
        } else if (!r.validate(value, args)) return false;
      }
      if (p.nested && value !== undefined && !nestedValid(p.nested, value)) return false;
    }
    return true;
  };
}

/** A @ValidateNested value: an object of the nested class, or an array of them; anything else is left to class-validator. */
function nestedValid(cls: Cls, value: unknown): boolean {
  const check = compiledCheck(cls);
  if (check === null) return false;
  if (Array.isArray(value)) return value.every((item) => isPlainObject(item) && check(item));
  return isPlainObject(value) && check(value);
}

function isPlainObject(value: unknown): value is Plain {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Whether a (JSON) value holds a key validatePlain refuses anywhere (`__proto__`, `constructor`), at any depth it checks. */
export function hasReservedKey(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (depth > 32) return true; // beyond what validatePlain looks at: let it decide
  if (Array.isArray(value)) return value.some((v) => hasReservedKey(v, depth + 1));
  for (const k of Object.keys(value)) {
    if (RESERVED.has(k) || hasReservedKey((value as Plain)[k], depth + 1)) return true;
  }
  return false;
}

/**
 * True only when class-validator (validatePlain without forbidUnknown) would accept `plain` for `cls`; false: ask it.
 * `reservedChecked`: the caller already knows `plain` holds no reserved key (it checked a value that contains it).
 */
export function passesCompiled(cls: Cls, plain: unknown, opts: { reservedChecked?: boolean } = {}): boolean {
  if (!isPlainObject(plain) || (!opts.reservedChecked && hasReservedKey(plain))) return false;
  const check = compiledCheck(cls);
  return check !== null && check(plain);
}

const declared = new Map<Cls, Set<string>>();

/**
 * validatePlain's `forbidUnknown`, compiled: whether `plain` has a key `cls` does not declare, in it or in a nested
 * DTO object (not in arrays), exactly where validatePlain's own check looks.
 */
export function hasUnknownKey(cls: Cls, plain: Plain): boolean {
  let names = declared.get(cls);
  if (!names) {
    names = new Set(getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false).map((m) => m.propertyName));
    declared.set(cls, names);
  }
  for (const key of Object.keys(plain)) {
    if (!names.has(key)) return true;
    const nested = defaultMetadataStorage.findTypeMetadata(cls, key)?.typeFunction?.() as Cls | undefined;
    const v = plain[key];
    if (nested && v !== null && typeof v === 'object' && !Array.isArray(v) && hasUnknownKey(nested, v as Plain)) return true;
  }
  return false;
}
