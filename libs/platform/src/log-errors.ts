/**
 * The error serializer of every Closeloop log line (`err` and `error` keys). pino's standard one copies every
 * enumerable property of an error, and a TypeORM `QueryFailedError` carries the statement's `parameters` (a
 * feedback's JSON with the customer's email, phone and comment; on-call numbers), the `query`, the pg
 * `driverError`, and pg's own fields copied onto it: `detail` ("Key (email)=(…) already exists"), `where`
 * ("JSON data, line 1: …"), `internalQuery`. None of them may reach a log.
 *
 * What stays: the type, the SQLSTATE `code`, the constraint/table/column names, the stack frames and the message,
 * except that a data exception's message (SQLSTATE class 22: `invalid input syntax for type integer: "<the value>"`)
 * has its quoted values masked.
 */
export const ROW_DATA_KEYS: ReadonlySet<string> = new Set([
  'parameters', 'query', 'driverError', 'detail', 'where', 'internalQuery', 'internalPosition', 'position',
  'sql', 'values', 'bindings', 'row', 'rows', 'record', 'entity', 'data', 'body', 'payload',
]);

const MASK = '"[redacted]"';
const MAX_CAUSES = 5;

type ErrorLike = Error & Record<string, unknown>;

function isErrorLike(v: unknown): v is ErrorLike {
  return v instanceof Error || (typeof v === 'object' && v !== null && typeof (v as { message?: unknown }).message === 'string' && typeof (v as { stack?: unknown }).stack === 'string');
}

/** A Postgres error (pg's DatabaseError) or TypeORM's wrapper of one. */
function isDatabaseError(e: ErrorLike): boolean {
  return e.driverError !== undefined || (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string');
}

/** The message as it may be logged: class-22 (data exception) messages quote the offending value. */
export function safeErrorMessage(err: unknown): string {
  if (!isErrorLike(err)) return String(err);
  const code = typeof err.code === 'string' ? err.code : (err.driverError as { code?: unknown } | undefined)?.code;
  if (isDatabaseError(err) && typeof code === 'string' && code.startsWith('22')) return err.message.replace(/"(?:[^"]|"")*"/g, MASK);
  return err.message;
}

/** The stack frames only, under a header rebuilt from the safe message (a stack's first line repeats the message). */
function safeStack(e: ErrorLike, type: string, message: string): string | undefined {
  if (typeof e.stack !== 'string') return undefined;
  const frames = e.stack.split('\n').filter((l) => /^\s+at /.test(l));
  return [`${type}: ${message}`, ...frames].join('\n');
}

function serialize(e: ErrorLike, depth: number): Record<string, unknown> {
  const type = typeof e.constructor === 'function' && e.constructor.name ? e.constructor.name : e.name;
  const message = safeErrorMessage(e);
  const out: Record<string, unknown> = { type, message, stack: safeStack(e, type, message) };
  for (const key in e) {
    if (key in out || ROW_DATA_KEYS.has(key) || key === 'cause' || key === 'errors') continue;
    const v = e[key];
    if (isErrorLike(v)) {
      if (depth < MAX_CAUSES) out[key] = serialize(v, depth + 1);
    } else if (v === null || typeof v !== 'object') out[key] = v;
    // other objects (responses, requests, rows) are left out: their content is not ours to vouch for
  }
  if (isErrorLike(e.cause) && depth < MAX_CAUSES) out.cause = serialize(e.cause, depth + 1);
  if (Array.isArray(e.errors)) out.aggregateErrors = e.errors.slice(0, 10).map((x) => (isErrorLike(x) && depth < MAX_CAUSES ? serialize(x, depth + 1) : String(x)));
  return out;
}

export function serializeError(err: unknown): unknown {
  // pino-http hands its error serializer pino's own serialization, which keeps the original error as `raw`
  const raw = (err as { raw?: unknown } | null)?.raw;
  if (isErrorLike(raw)) return serialize(raw, 0);
  return isErrorLike(err) ? serialize(err, 0) : err;
}
