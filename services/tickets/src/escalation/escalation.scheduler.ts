import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { EscalationStep, RoutingConfig } from '@closeloop/contracts';
import { PeriodicJob } from '@closeloop/platform';
import { TicketsConfig } from '../config';
import { LOGGER, ROUTING, TICKETS_CONFIG } from '../tokens';
import { TicketService } from '../tickets/ticket.service';
import { inTransaction } from '../tickets/tx';
import { EscalationRepository } from './escalation.repository';

const BATCH = 100;

/**
 * Fires the steps of the teams' escalation chains (SPEC §12), every `ESCALATION_CHECK_INTERVAL_MS`, one transaction
 * per batch (like the SLA poller): due unclaimed tickets locked SKIP LOCKED, each step recorded once with its event.
 * The state is the table: a step that fell due while nothing ran fires at the next check after a start.
 */
@Injectable()
export class EscalationScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly job: PeriodicJob;
  private readonly chains: Map<string, readonly EscalationStep[]>;

  constructor(
    private readonly ds: DataSource,
    private readonly tickets: TicketService,
    private readonly repo: EscalationRepository,
    @Inject(ROUTING) routing: RoutingConfig,
    @Inject(TICKETS_CONFIG) cfg: TicketsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.chains = new Map(routing.teams.filter((t) => t.escalation.length > 0).map((t) => [t.id, t.escalation]));
    this.job = new PeriodicJob({ everyMs: cfg.escalationCheckIntervalMs }, async () => {
      await this.tick();
    });
  }

  onApplicationBootstrap(): void {
    if (this.chains.size > 0) this.job.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.job.stop();
  }

  /** One check: batches until nothing more is due. Never throws (the next check retries). */
  async tick(now = new Date()): Promise<number> {
    let fired = 0;
    try {
      for (;;) {
        const r = await inTransaction(this.ds, async (tx) => {
          const due = await this.repo.lockDue(tx.m, this.chains, now, BATCH);
          const steps = [];
          for (const locked of due) steps.push(...(await this.tickets.escalate(tx, locked, now)));
          return { tickets: due.length, steps };
        });
        fired += r.steps.length;
        for (const s of r.steps) this.logger.info({ ticketId: s.ticketId, step: s.step }, 'ticket escalated');
        if (r.tickets < BATCH || this.job.isStopped) break;
      }
    } catch (err) {
      this.logger.warn({ err }, 'escalation check failed; retrying at the next interval');
    }
    return fired;
  }
}
