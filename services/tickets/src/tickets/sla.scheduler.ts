import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { Inbox } from '@closeloop/messaging';
import { PeriodicJob } from '@closeloop/platform';
import { TicketsConfig } from '../config';
import { slaChecks } from '../metrics';
import { LOGGER, TICKETS_CONFIG } from '../tokens';
import { TicketService } from './ticket.service';
import { inTransaction } from './tx';

const BATCH = 100;
const INBOX_PRUNE_EVERY_MS = 3_600_000;

/**
 * Fires SLA breaches. Every `SLA_CHECK_INTERVAL_MS` it stamps, in one transaction per batch, the tickets whose
 * deadline passed (rows locked FOR UPDATE SKIP LOCKED) and writes `ticket.sla_breached` to the outbox. The
 * state is the table, so a restart loses nothing and a breach that fell due while no instance ran fires at
 * the next check; the stamp makes each breach fire once, however many instances run.
 */
@Injectable()
export class SlaScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  // `this.tick()` is looked up at each pass (tests count passes by wrapping it)
  private readonly job: PeriodicJob;
  private lastPrune = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly tickets: TicketService,
    private readonly inbox: Inbox,
    @Inject(TICKETS_CONFIG) private readonly cfg: TicketsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.job = new PeriodicJob({ everyMs: cfg.slaCheckIntervalMs }, async () => {
      await this.tick();
      slaChecks.inc();
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
    let fired = 0;
    try {
      for (;;) {
        const r = await inTransaction(this.ds, (tx) => this.tickets.stampSlaBreaches(tx, now, BATCH));
        fired += r.breaches.length;
        for (const b of r.breaches) this.logger.warn({ ticketId: b.ticketId, breach: b.breach }, 'SLA breached');
        if (r.tickets < BATCH || this.job.isStopped) break;
      }
      if (Date.now() - this.lastPrune > INBOX_PRUNE_EVERY_MS) {
        this.lastPrune = Date.now();
        await this.inbox.prune(this.ds);
      }
    } catch (err) {
      this.logger.warn({ err }, 'SLA check failed; retrying at the next interval');
    }
    return fired;
  }
}
