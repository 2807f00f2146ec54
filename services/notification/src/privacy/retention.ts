import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { RoutingConfig } from '@closeloop/contracts';
import { PeriodicJob } from '@closeloop/platform';
import type { Queryable } from '../persistence/notification.repository';
import { LOGGER, ROUTING } from '../tokens';
import { ErasureRepository } from './erase-customer';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The first pass a few minutes after start, so a restarting fleet does not run it while it boots. */
const FIRST_RUN_MS = 5 * 60_000;
const BATCH = 500;
/** At most this many batches per rule and pass: a large backlog is worked off over a few days, never in one go. */
const MAX_BATCHES = 100;

export interface RetentionCounts {
  resolvedTickets: number;
  feedback: number;
}

/**
 * SPEC §13 retention in notification: once a day, the copies of tickets resolved longer ago than the routing file's
 * `retention.resolvedTickets`, and of feedback older than `retention.feedback` (a snapshot not changed since, its
 * deliveries with it), are anonymised with the erasure's own function: one function, two WHERE clauses. Only this
 * schema: Slack messages and Twilio records are left as they are (README "Retention"). Each batch is one
 * transaction that skips tickets another instance holds, so every instance may run it.
 */
@Injectable()
export class PrivacyRetention implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly job = new PeriodicJob<RetentionCounts, { batchSize?: number }>({ everyMs: DAY_MS, firstAfterMs: FIRST_RUN_MS }, (o) => this.pass(o?.batchSize ?? BATCH));

  constructor(
    private readonly ds: DataSource,
    private readonly repo: ErasureRepository,
    @Inject(ROUTING) private readonly routing: RoutingConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.routing.retention?.resolvedTickets || this.routing.retention?.feedback) this.job.start();
  }

  /** One pass now (one already running is joined). Never throws: a failure is logged and the next day retries. */
  run(opts: { batchSize?: number } = {}): Promise<RetentionCounts> {
    return this.job.run(opts);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }

  private async pass(batch: number): Promise<RetentionCounts> {
    const counts: RetentionCounts = { resolvedTickets: 0, feedback: 0 };
    const r = this.routing.retention;
    try {
      const resolved = r?.resolvedTickets?.ms;
      const feedback = r?.feedback?.ms;
      if (resolved !== undefined) counts.resolvedTickets = await this.rule((q, n) => this.repo.resolvedBefore(q, resolved, n), batch);
      if (feedback !== undefined) counts.feedback = await this.rule((q, n) => this.repo.feedbackBefore(q, feedback, n), batch);
      if (counts.resolvedTickets + counts.feedback > 0) this.log.info({ ...counts }, 'retention: old tickets anonymised');
    } catch (err) {
      this.log.warn({ code: (err as { code?: unknown }).code, ...counts }, 'retention pass failed; will retry tomorrow');
    }
    return counts;
  }

  /** Batch after batch: the tickets a rule selects, anonymised in the transaction that selected (and locked) them. */
  private async rule(select: (q: Queryable, limit: number) => Promise<string[]>, batch: number): Promise<number> {
    let tickets = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const n = await this.ds.transaction(async (m) => {
        const ids = await select(m, batch);
        await this.repo.anonymiseTickets(m, ids, 'all');
        return ids.length;
      });
      tickets += n;
      if (n < batch) break;
    }
    return tickets;
  }
}
