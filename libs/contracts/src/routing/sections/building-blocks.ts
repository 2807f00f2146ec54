// The building blocks every routing-file section is validated with: one problem list with data paths, mapping and
// list shapes with "unknown key" and did-you-mean, the scalar checks, and duplicate detection.
import { E164, METRICS, METRIC_SCALES, Metric } from '../../scales';
import type { AlertThresholds } from '../routing-config';
import { DEFAULT_LOCALE, LOCALES, type Locale, isLocale } from '../../i18n/locales';

export type Segment = string | number;
export type Path = readonly Segment[];
export type Mapping = Record<string, unknown>;

export interface Issue {
  path: Path;
  message: string;
}

/** Ids that end up in URLs, query strings and `API_TOKENS` (`agentId:token,...`), so no spaces, colons or commas. */
export const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const SLUG = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;

export class Problems {
  readonly issues: Issue[] = [];
  add(path: Path, message: string): void {
    this.issues.push({ path, message });
  }
}

export function thresholds(p: Problems, raw: unknown, path: Path, all: true): AlertThresholds;
export function thresholds(p: Problems, raw: unknown, path: Path, all: false): Partial<AlertThresholds>;
export function thresholds(p: Problems, raw: unknown, path: Path, all: boolean): Partial<AlertThresholds> | undefined {
  const o = mapping(p, raw, path, all ? [...METRICS] : [], all ? [] : [...METRICS]);
  if (!o) return undefined;
  const out: Partial<AlertThresholds> = {};
  for (const metric of METRICS) {
    if (o[metric] == null) continue;
    const v = scaleValue(p, o[metric], [...path, metric], metric);
    if (v !== undefined) out[metric] = v;
  }
  return out;
}

/** Checks the value is a mapping, every key is known and every required key has a value. */
export function mapping(p: Problems, v: unknown, path: Path, required: readonly string[], optional: readonly string[]): Mapping | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    p.add(path, `must be a mapping${got(v)}`);
    return undefined;
  }
  const o = v as Mapping;
  const allowed = [...required, ...optional];
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) p.add([...path, key], `unknown key${suggest(key, allowed)}`);
  }
  for (const key of required) if (o[key] == null) p.add([...path, key], 'is required');
  return o;
}

export function list(p: Problems, v: unknown, path: Path): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  p.add(path, `must be a list${got(v)}`);
  return undefined;
}

export function nonEmptyString(p: Problems, v: unknown, path: Path): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v;
  p.add(path, `must be a non-empty string${got(v)}`);
  return undefined;
}

export function trimmedString(p: Problems, v: unknown, path: Path): string | undefined {
  const s = nonEmptyString(p, v, path);
  if (s !== undefined && s.trim() !== s) {
    p.add(path, `must not start or end with spaces (${JSON.stringify(s)})`);
    return undefined;
  }
  return s;
}

export function idString(p: Problems, v: unknown, path: Path): string | undefined {
  const s = nonEmptyString(p, v, path);
  if (s !== undefined && !ID.test(s)) {
    p.add(path, `must be an id of letters, digits, ".", "_" and "-" (${JSON.stringify(s)})`);
    return undefined;
  }
  return s;
}

export function e164(p: Problems, v: unknown, path: Path): string | undefined {
  if (typeof v === 'string' && E164.test(v)) return v;
  // An unquoted +90555... is a YAML integer: the "+" is gone by the time we see it.
  if (typeof v === 'number' && E164.test(`+${v}`)) p.add(path, `not an E.164 number (YAML read the number ${v}; quote it: "+${v}")`);
  else p.add(path, `not an E.164 number (${describe(v)}); expected e.g. "+905551112233"`);
  return undefined;
}

export function scaleValue(p: Problems, v: unknown, path: Path, metric: Metric): number | undefined {
  const { min, max } = METRIC_SCALES[metric];
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  p.add(path, `must be an integer ${min}-${max} (got ${describe(v)})`);
  return undefined;
}

/** Reports the second and later occurrences of a value, pointing back at the first. */
export class Unique {
  private readonly first = new Map<string, Path>();
  constructor(
    private readonly p: Problems,
    private readonly what: string,
    private readonly key: (value: string) => string = (v) => v,
  ) {}
  check(value: string, path: Path): void {
    const k = this.key(value);
    const prior = this.first.get(k);
    if (prior) this.p.add(path, `duplicate ${this.what} ${JSON.stringify(value)} (first at ${pathToString(prior)})`);
    else this.first.set(k, path);
  }
}

export function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v);
  return `${typeof v} ${String(v)}`;
}

/** " (got …)" for values of the wrong type; empty for a string, whose problem the message already names. */
export function got(v: unknown): string {
  if (typeof v === 'string') return v.trim() === '' ? '' : ` (got ${JSON.stringify(v)})`;
  if (typeof v === 'number' || typeof v === 'boolean') return ` (got ${describe(v)}; quote it if it is meant as text)`;
  return ` (got ${describe(v)})`;
}

export function suggest(key: string, allowed: readonly string[]): string {
  if (allowed.length === 0) return ' (nothing is allowed here)';
  const close = allowed.find((a) => a.toLowerCase() === key.toLowerCase()) ?? allowed.find((a) => editDistance(a, key) <= 2);
  return close ? ` — did you mean "${close}"? (allowed: ${allowed.join(', ')})` : ` (allowed: ${allowed.join(', ')})`;
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

export function pathToString(path: Path): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) s += s ? `.${seg}` : seg;
    else s += `[${JSON.stringify(seg)}]`;
  }
  return s;
}

export type TeamRef = (value: unknown, path: Path) => string | undefined;

/** SPEC §14 `teams[].locale` / `agents[].locale`: one of the languages Closeloop has catalogs for; `en` when absent. */
export function validateLocale(p: Problems, raw: unknown, path: Path): Locale {
  if (raw == null) return DEFAULT_LOCALE;
  if (isLocale(raw)) return raw;
  p.add(path, `must be one of ${LOCALES.join(', ')}${got(raw)}`);
  return DEFAULT_LOCALE;
}
