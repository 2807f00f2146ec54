import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { PeriodicJob } from '@closeloop/platform';
import { TicketsConfig } from '../config';
import { rechecks } from '../metrics';
import { LOGGER, TICKETS_CONFIG } from '../tokens';
import { inTransaction } from '../tickets/tx';
import { RecheckService } from './recheck.service';

const BATCH = 50;

/**
 * Sends the rechecks that fell due, every `RECHECK_CHECK_INTERVAL_MS`, one transaction per batch (like the SLA
 * poller). The state is the table: a recheck due while nothing ran goes out at the next check after a start.
 */
@Injectable()
export class RecheckScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly job: PeriodicJob;

  constructor(
    private readonly ds: DataSource,
    private readonly rechecks: RecheckService,
    @Inject(TICKETS_CONFIG) cfg: TicketsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.job = new PeriodicJob({ everyMs: cfg.recheckCheckIntervalMs }, async () => {
      await this.tick();
    });
  }

  onApplicationBootstrap(): void {
    this.job.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.job.stop();
  }

  /** One check: batches until nothing more is due. Never throws (the next check retries). */
  async tick(now = new Date()): Promise<number> {
    let done = 0;
    try {
      for (;;) {
        const r = await inTransaction(this.ds, (tx) => this.rechecks.sendDue(tx, now, BATCH));
        done += r.outcomes.length;
        for (const o of r.outcomes) {
          rechecks.inc({ outcome: o.sent ? 'sent' : o.reason });
          this.logger.info({ ticketId: o.ticketId, scheduleId: o.scheduleId, outcome: o.sent ? 'sent' : o.reason }, 'recheck due');
        }
        if (r.schedules < BATCH || this.job.isStopped) break;
      }
    } catch (err) {
      this.logger.warn({ err }, 'recheck check failed; retrying at the next interval');
    }
    return done;
  }
}
