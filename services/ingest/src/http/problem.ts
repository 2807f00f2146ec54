import type { FieldError, Problem } from '@closeloop/contracts';
import { ProblemException } from '@closeloop/platform';

export type { Problem };
export { PROBLEM_CONTENT_TYPE, sendProblem } from '@closeloop/platform';
/** Retry-After (seconds) of a 503: long enough for a broker restart to progress, short enough not to stall a sender. */
export const KAFKA_RETRY_AFTER_SECONDS = 5;

/** Problem types are URNs: absolute URIs that name the kind of error without pretending to be a web page. */
export const typeOf = (slug: string) => `urn:closeloop:problem:${slug}`;

/** An error carrying the problem to answer with (and response headers such as Retry-After): the platform's. */
export const ProblemError = ProblemException;
export type ProblemError = ProblemException;

function listFields(errors: FieldError[]): string {
  const fields = [...new Set(errors.map((e) => e.field))];
  return fields.length === 1 ? `field ${fields[0]} is invalid` : `${fields.length} fields are invalid: ${fields.join(', ')}`;
}

export const problems = {
  validation(errors: FieldError[], what = 'the feedback'): Problem {
    return { type: typeOf('validation'), title: 'Invalid request body', status: 400, detail: `${what} was rejected: ${listFields(errors)}`, errors };
  },
  malformedJson(reason: string): Problem {
    return {
      type: typeOf('malformed-json'), title: 'Malformed JSON', status: 400, detail: `the request body is not valid JSON: ${reason}`,
      errors: [{ field: '(root)', message: `not valid JSON: ${reason}` }],
    };
  },
  badRequest(detail: string): Problem {
    return { type: typeOf('bad-request'), title: 'Bad request', status: 400, detail };
  },
  methodNotAllowed(method: string): Problem {
    return { type: typeOf('method-not-allowed'), title: 'Method not allowed', status: 405, detail: `${method} is not supported here; use POST` };
  },
  tooLarge(limitBytes: number): Problem {
    return {
      type: typeOf('payload-too-large'), title: 'Payload too large', status: 413,
      detail: `the request body is larger than ${formatBytes(limitBytes)} (${limitBytes} bytes)`,
    };
  },
  /** A body under the request limit whose event would exceed what Kafka accepts in one message. */
  eventTooLarge(errors: FieldError[]): Problem {
    return { type: typeOf('payload-too-large'), title: 'Payload too large', status: 413, detail: `the feedback ${errors[0]?.message ?? 'is too large'}`, errors };
  },
  unsupportedMediaType(detail: string): Problem {
    return { type: typeOf('unsupported-media-type'), title: 'Unsupported media type', status: 415, detail };
  },
  rateLimited(retryAfterSeconds: number): Problem {
    return {
      type: typeOf('rate-limited'), title: 'Too many requests', status: 429,
      detail: `this API key is over its rate limit; retry in ${retryAfterSeconds} s`,
    };
  },
  unknownSource(id: string): Problem {
    return { type: typeOf('unknown-source'), title: 'Not found', status: 404, detail: `no source ${JSON.stringify(id.slice(0, 100))} in the routing file` };
  },
  /** A source's authenticity check failed: nothing of the delivery is kept. */
  unauthenticSource(what: string): Problem {
    return { type: typeOf('unauthentic-delivery'), title: 'Unauthorized', status: 401, detail: `${what} is missing or does not match this source's secret; nothing was kept` };
  },
  unmappable(errors: FieldError[]): Problem {
    return {
      type: typeOf('unmappable'), title: 'Unprocessable content', status: 422,
      detail: `the delivery is authentic but cannot become feedback: ${listFields(errors)}`, errors,
    };
  },
  /** The answers of a qualtrics / surveymonkey response could not be fetched: the vendor retries its webhook. */
  sourceApiUnavailable(reason: string): Problem {
    return {
      type: typeOf('source-api-unavailable'), title: 'Service unavailable', status: 503,
      detail: `the delivery was NOT accepted, its answers could not be fetched (${reason}); retry later, it is safe to resend`,
    };
  },
  /** Postgres did not answer: nothing was published, so nothing is half-accepted. */
  databaseUnavailable(): Problem {
    return {
      type: typeOf('database-unavailable'), title: 'Service unavailable', status: 503,
      detail: 'the request was NOT accepted, the database is unavailable; retry the same request later, it is safe to resubmit',
    };
  },
  /** The ops API: a source id the routing file does not declare (the id is echoed, cut to 100 characters). */
  unknownSourceOps(id: string): Problem {
    return { type: typeOf('unknown-source'), title: 'Not found', status: 404, detail: `no source ${JSON.stringify(id.slice(0, 100))} in the routing file ingest runs with` };
  },
  unknownKept(sourceId: string, keptId: string): Problem {
    return {
      type: typeOf('unknown-kept-payload'), title: 'Not found', status: 404,
      detail: `source ${JSON.stringify(sourceId.slice(0, 100))} has no kept payload ${JSON.stringify(keptId.slice(0, 100))} (it may have been dropped by the count or age bound)`,
    };
  },
  /** A kept payload whose source the routing file no longer declares, or declares as another kind: nothing to replay it with. */
  sourceChanged(detail: string): Problem {
    return { type: typeOf('source-not-replayable'), title: 'Conflict', status: 409, detail };
  },
  kafkaUnavailable(reason: string): Problem {
    return {
      type: typeOf('kafka-unavailable'), title: 'Service unavailable', status: 503,
      detail: `the feedback was NOT accepted, Kafka did not acknowledge it (${reason}); retry the same request later, it is safe to resubmit`,
    };
  },
};

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`;
}
