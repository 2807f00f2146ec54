// The helpers every connector shares: header lookup, constant-time comparison, dotted paths, and the one place a
// connector's findings become feedback (so every kind applies the same defaults, scales and body validation).
import { createHmac, randomBytes, timingSafeEqual, type BinaryToTextEncoding } from 'node:crypto';
import { isEmail } from 'class-validator';
import { METRIC_SCALES, type FieldError, type Metric, type Source } from '@closeloop/contracts';
import { validateFeedback, valueAt } from '../feedback/feedback-validation';

export { valueAt };
import type { Headers, MapContext, MapResult } from './source';

/** The first value of a header, by case-insensitive name. */
export function header(headers: Headers, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') return first;
  }
  return undefined;
}

// Both sides are hashed with a per-process key before `timingSafeEqual`: the buffers compared always have the same
// length, so neither the presented value's length nor the position of its first wrong byte shows in the timing.
const COMPARE_KEY = randomBytes(32);
const digest = (s: string) => createHmac('sha256', COMPARE_KEY).update(s, 'utf8').digest();

/** Constant-time equality of a computed value and a presented one; a missing presented value is never equal. */
export function safeEqual(expected: string, presented: string | undefined): boolean {
  const same = timingSafeEqual(digest(expected), digest(presented ?? ''));
  return presented !== undefined && same;
}

export function hmac(algorithm: 'sha1' | 'sha256' | 'sha512', key: string | Buffer, data: string | Buffer, encoding: BinaryToTextEncoding): string {
  return createHmac(algorithm, key).update(data).digest(encoding);
}

/** `Authorization: Bearer <secret>` (questionpro, generic). */
export function bearerMatches(headers: Headers, secret: string): boolean {
  return safeEqual(`Bearer ${secret}`, header(headers, 'authorization'));
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A non-empty string, or a finite number as text; anything else is nothing. */
export function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** Unix seconds (number or digits) or an ISO-8601 date-time → ISO-8601 UTC; undefined when it is neither. */
export function toIsoTime(v: unknown): string | undefined {
  let ms: number | undefined;
  if (typeof v === 'number' && Number.isFinite(v)) ms = v * 1000;
  else if (typeof v === 'string' && /^\d{9,11}$/.test(v.trim())) ms = Number(v.trim()) * 1000;
  else if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v.trim())) ms = Date.parse(v.trim());
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1970 || d.getUTCFullYear() > 9999 ? undefined : d.toISOString();
}

/** What a connector found in the payload, before defaults, scales and validation. */
export interface Found {
  externalId: unknown;
  /** The score's raw value and where it was looked for (`question "nps_q" in form_response.answers`). */
  score: { value: unknown; where: string };
  comment?: unknown;
  /** The kind's default chain for the customer id, best first; `fields.customerId` is tried before it. */
  customerIds: unknown[];
  respondedAt: unknown;
  /** Used when the kind has no time (generic without `fields.respondedAt`): the receipt time. */
  respondedAtFallback?: Date;
  email?: unknown;
  name?: unknown;
  locale?: unknown;
}

/**
 * The findings → the body `POST /v1/feedback` accepts, with `source` = the source id; or every problem, each named by
 * the feedback field it would fill. The result is checked with the very validation `POST /v1/feedback` uses.
 */
export function toFeedback(payload: unknown, source: Source, found: Found): MapResult {
  const errors: FieldError[] = [];
  const externalId = text(found.externalId);
  if (externalId === undefined) errors.push({ field: 'externalId', message: 'the response id is missing from the payload' });

  const score = toScore(found.score.value, source.metric);
  if ('error' in score) errors.push({ field: 'score', message: `${found.score.where}: ${score.error}` });

  const touchpointPath = source.fields.touchpoint;
  const touchpoint = (touchpointPath !== undefined ? text(valueAt(payload, touchpointPath)) : undefined) ?? source.touchpoint;
  if (touchpoint === undefined) {
    errors.push({ field: 'touchpoint', message: touchpointPath ? `nothing at ${touchpointPath} and the source has no touchpoint` : 'the source has no touchpoint' });
  }

  const customerPath = source.fields.customerId;
  const customerId = [customerPath !== undefined ? valueAt(payload, customerPath) : undefined, ...found.customerIds].map(text).find((v) => v !== undefined);
  if (customerId === undefined) errors.push({ field: 'customer.id', message: customerPath ? `nothing at ${customerPath}` : 'no customer id in the payload' });

  let respondedAt: string | undefined;
  if (found.respondedAt === undefined || found.respondedAt === null) respondedAt = found.respondedAtFallback?.toISOString();
  else respondedAt = toIsoTime(found.respondedAt);
  if (respondedAt === undefined) errors.push({ field: 'respondedAt', message: `not a date-time or Unix seconds (${describe(found.respondedAt)})` });

  // the customer id, when found, goes with an unmappable result too: the kept payload is erased with its customer
  const named = customerId === undefined ? {} : { customerId };
  if (errors.length > 0) return { outcome: 'unmappable', errors, ...named };

  const comment = typeof found.comment === 'string' && found.comment.trim() !== '' ? found.comment : undefined;
  const email = typeof found.email === 'string' && isEmail(found.email) ? found.email : undefined;
  const name = text(found.name);
  const locale = typeof found.locale === 'string' && found.locale.length <= 35 && found.locale.trim() !== '' ? found.locale : undefined;
  const body = {
    source: source.id,
    externalId,
    touchpoint,
    metric: source.metric,
    score: (score as { value: number }).value,
    ...(comment !== undefined && { comment }),
    customer: { id: customerId, ...(name !== undefined && { name }), ...(email !== undefined && { email }), ...(locale !== undefined && { locale }) },
    respondedAt,
  };
  const checked = validateFeedback(body);
  return checked.ok ? { outcome: 'feedback', feedback: checked.value } : { outcome: 'unmappable', errors: checked.errors, ...named };
}

/** A whole number in the metric's scale, given as a number or as digits ("7"); the message says what was wrong. */
function toScore(v: unknown, metric: Metric): { value: number } | { error: string } {
  if (v === undefined || v === null || v === '') return { error: 'not answered' };
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  const { min, max } = METRIC_SCALES[metric];
  if (!Number.isInteger(n)) return { error: `not a whole number (${describe(v)})` };
  if (n < min || n > max) return { error: `${n} is outside the ${metric} scale ${min}-${max}` };
  return { value: n };
}

function describe(v: unknown): string {
  if (v === undefined || v === null) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return Array.isArray(v) ? 'a list' : 'an object';
  return String(v);
}

/** For the kinds whose payload must be a JSON object: anything else is unmappable, named. */
export function notAnObject(what: string): MapResult {
  return { outcome: 'unmappable', errors: [{ field: '(root)', message: `${what} is not a JSON object` }] };
}

/**
 * The request that fetches the answers of a kind that only notifies (qualtrics, surveymonkey), or every reason it
 * cannot be made. `ids` are the notification's survey and response ids by the field they come from; `path` builds the
 * API path from them, URL-encoded; `auth` the token header.
 */
export function fetchAnswers(
  source: Source,
  ctx: MapContext,
  ids: { survey: [field: string, value: string | undefined]; response: [field: string, value: string | undefined] },
  path: (survey: string, response: string) => string,
  auth: (token: string) => Record<string, string>,
): MapResult {
  const errors: FieldError[] = [
    ...[ids.survey, ids.response].filter(([, value]) => value === undefined).map(([field]) => ({ field, message: 'is required' })),
    ...(source.api === undefined ? [{ field: 'api.url', message: 'the source has no api to fetch the answers from' }] : []),
    ...(ctx.token === undefined ? [{ field: 'api.tokenEnv', message: 'no API token' }] : []),
  ];
  const [survey, response] = [ids.survey[1], ids.response[1]];
  if (errors.length > 0 || !source.api || !ctx.token || survey === undefined || response === undefined) return { outcome: 'unmappable', errors };
  const url = `${source.api.url.replace(/\/+$/, '')}${path(encodeURIComponent(survey), encodeURIComponent(response))}`;
  return { outcome: 'fetch', request: { url, headers: { ...auth(ctx.token), Accept: 'application/json' } } };
}
