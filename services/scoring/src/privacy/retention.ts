import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { RoutingConfig } from '@closeloop/contracts';
import { MESSAGING_LOGGER } from '@closeloop/messaging';
import { PeriodicJob } from '@closeloop/platform';
import { ROUTING, SCHEMA } from '../tokens';
import { anonymiseHistory } from './anonymise-history';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * SPEC §13 retention for scoring: once a day, the history of feedback answered more than the routing file's
 * `retention.feedback` ago is anonymised with the erasure's own function (anonymise-history.ts), so both leave the
 * same trace. No `retention.feedback`: nothing to do (kept until erased; the hourly prune still bounds the table).
 * Idempotent: a pass over rows already anonymised changes nothing.
 */
@Injectable()
export class HistoryRetention implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly job = new PeriodicJob<number, Date>({ everyMs: DAY_MS, firstAfterMs: 60_000 }, (now) => this.pass(now ?? new Date()));

  constructor(
    private readonly ds: DataSource,
    @Inject(SCHEMA) private readonly schema: string,
    @Inject(ROUTING) private readonly routing: RoutingConfig,
    @Inject(MESSAGING_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.routing.retention?.feedback) this.job.start();
  }

  /** One pass now (joins one under way); returns the rows anonymised. `now`: tests move the clock instead of waiting. */
  run(now?: Date): Promise<number> {
    return this.job.run(now);
  }

  private async pass(now: Date): Promise<number> {
    const age = this.routing.retention?.feedback;
    if (!age) return 0;
    try {
      const respondedBefore = new Date(now.getTime() - age.ms);
      const n = await this.ds.transaction((m) => anonymiseHistory(m, this.schema, { respondedBefore }));
      if (n) this.logger.info({ anonymised: n, olderThan: age.text }, 'retention: old scoring history anonymised');
      return n;
    } catch (err) {
      this.logger.warn({ err }, 'retention pass failed; will retry tomorrow');
      return 0;
    }
  }

  // before the DataSource closes (DatabaseModule closes it in onApplicationShutdown)
  beforeApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }
}
