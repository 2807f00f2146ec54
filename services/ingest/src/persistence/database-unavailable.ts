import { KAFKA_RETRY_AFTER_SECONDS, ProblemError, problems } from '../http/problem';

/**
 * The 503 a request gets when Postgres does not answer (`Retry-After` as for Kafka: both are outages a sender waits out).
 * Nothing is published while Postgres is down: the revision transaction (revision-store.ts) must begin before the
 * publish, and an ignored or unmappable delivery must be recorded before it is answered.
 */
export function databaseUnavailable(): ProblemError {
  return new ProblemError(problems.databaseUnavailable(), { 'Retry-After': String(KAFKA_RETRY_AFTER_SECONDS) });
}
