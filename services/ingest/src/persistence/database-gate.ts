import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Logger, SERVICE_LOGGER } from '@closeloop/platform';
import { KAFKA_RETRY_AFTER_SECONDS, ProblemError, problems } from '../http/problem';

/** The 503 a request gets when Postgres does not answer (`Retry-After` as for Kafka: both are outages a sender waits out). */
export function databaseUnavailable(): ProblemError {
  return new ProblemError(problems.databaseUnavailable(), { 'Retry-After': String(KAFKA_RETRY_AFTER_SECONDS) });
}

/**
 * Nothing is published while Postgres is down: what ingest records about a delivery (and numbers revisions with)
 * could not be written, so the request is answered 503 before anything reaches Kafka (nothing half-accepted).
 * One `SELECT 1` on a pooled connection per request (per batch); a refused connection fails at once, a hung
 * server after the pool's 5 s connection timeout.
 */
@Injectable()
export class DatabaseGate {
  constructor(private readonly ds: DataSource, @Inject(SERVICE_LOGGER) private readonly logger: Logger) {}

  async ensureReachable(): Promise<void> {
    try {
      await this.ds.query('SELECT 1');
    } catch (err) {
      // whatever makes `SELECT 1` fail (refused, timed out, shutting down) means the database cannot record now
      this.logger.warn({ err: (err as Error).message }, 'database unavailable: request answered 503');
      throw databaseUnavailable();
    }
  }
}
