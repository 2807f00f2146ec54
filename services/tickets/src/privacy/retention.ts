import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { RoutingConfig } from '@closeloop/contracts';
import { PeriodicJob } from '@closeloop/platform';
import { TicketsConfig } from '../config';
import { inTransaction } from '../tickets/tx';
import { LOGGER, ROUTING, TICKETS_CONFIG } from '../tokens';
import { AnonymiseCounts, anonymise, totalOf } from './erase-customer';

const BATCH = 200;

/** The cut-offs of one pass: what is older than `now` − the routing file's ages (none without a `retention` section). */
export function retentionCutoffs(retention: RoutingConfig['retention'], now: Date): { resolvedBefore?: Date; feedbackBefore?: Date } {
  return {
    ...(retention?.resolvedTickets ? { resolvedBefore: new Date(now.getTime() - retention.resolvedTickets.ms) } : {}),
    ...(retention?.feedback ? { feedbackBefore: new Date(now.getTime() - retention.feedback.ms) } : {}),
  };
}

/**
 * SPEC §13 retention in tickets: every `RETENTION_CHECK_INTERVAL_MS` (a day; the first pass a minute after the start, so
 * restarts never skip it), resolved tickets older than `retention.resolvedTickets` (by resolution time) and feedback
 * older than `retention.feedback` (by received time) are anonymised by the erasure's own code (`anonymise`, two
 * other WHERE clauses): texts ‹erased›, contacts gone, counts kept. Idempotent; resolved tickets go in batches of 200
 * (locked SKIP LOCKED, so two instances share the work).
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly job: PeriodicJob<AnonymiseCounts | null, Date>;

  constructor(
    private readonly ds: DataSource,
    @Inject(ROUTING) private readonly routing: RoutingConfig,
    @Inject(TICKETS_CONFIG) private readonly cfg: TicketsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.job = new PeriodicJob({ everyMs: cfg.retentionCheckIntervalMs, firstAfterMs: Math.min(60_000, cfg.retentionCheckIntervalMs) }, (now) => this.pass(now));
  }

  onApplicationBootstrap(): void {
    if (this.routing.retention?.resolvedTickets || this.routing.retention?.feedback) this.job.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.job.stop();
  }

  /** One pass as of `now`: the rows changed per table, or null when it failed (logged; the next pass retries). */
  run(now?: Date): Promise<AnonymiseCounts | null> {
    return this.job.run(now);
  }

  private async pass(now = new Date()): Promise<AnonymiseCounts | null> {
    const cut = retentionCutoffs(this.routing.retention, now);
    const schema = this.cfg.database.schema;
    const sum: AnonymiseCounts = { ticket: 0, ticketFeedback: 0, note: 0, timeline: 0, customerMessage: 0, customerContact: 0 };
    const add = (c: AnonymiseCounts) => (Object.keys(sum) as (keyof AnonymiseCounts)[]).forEach((k) => (sum[k] += c[k]));
    try {
      if (cut.resolvedBefore) {
        const before = cut.resolvedBefore;
        for (;;) {
          const c = await inTransaction(this.ds, ({ m }) => anonymise(m, schema, { kind: 'resolvedBefore', before, limit: BATCH }));
          add(c);
          if (c.ticket < BATCH || this.job.isStopped) break;
        }
      }
      if (cut.feedbackBefore) {
        const before = cut.feedbackBefore;
        add(await inTransaction(this.ds, ({ m }) => anonymise(m, schema, { kind: 'feedbackBefore', before })));
      }
      if (totalOf(sum) > 0) this.logger.info({ ...sum }, 'retention: old personal data anonymised');
      return sum;
    } catch (err) {
      this.logger.warn({ err }, 'retention pass failed; retrying at the next interval');
      return null;
    }
  }
}
