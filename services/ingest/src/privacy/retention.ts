import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RoutingConfig } from '@closeloop/contracts';
import { Inbox } from '@closeloop/messaging';
import { Logger, PeriodicJob, SERVICE_LOGGER } from '@closeloop/platform';
import { ROUTING } from '../http/agent-auth.guard';
import { INGEST_SCHEMA } from './erasure-messaging';
import { anonymiseKeptPayloads } from './anonymise-payloads';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * SPEC §13 retention for ingest, once a day: the kept source payloads received more than the routing file's
 * `retention.sourcePayloads` ago are anonymised with the erasure's own function (anonymise-payloads.ts), so both leave
 * the same trace (no `retention.sourcePayloads`: none; `INGEST_KEPT_DAYS` still deletes them). The same pass prunes
 * the erasure consumer's inbox (rows older than 14 days). Idempotent; every instance may run it.
 */
@Injectable()
export class PayloadRetention implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly job = new PeriodicJob<{ anonymised: number; inbox: number }, Date>({ everyMs: DAY_MS, firstAfterMs: 60_000 }, (now) => this.pass(now ?? new Date()));

  constructor(
    private readonly ds: DataSource,
    private readonly inbox: Inbox,
    @Inject(INGEST_SCHEMA) private readonly schema: string,
    @Inject(ROUTING) private readonly routing: RoutingConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.job.start();
  }

  /** One pass now (joins one under way). `now`: tests move the clock instead of waiting. */
  run(now?: Date): Promise<{ anonymised: number; inbox: number }> {
    return this.job.run(now);
  }

  private async pass(now: Date): Promise<{ anonymised: number; inbox: number }> {
    const age = this.routing.retention?.sourcePayloads;
    try {
      const receivedBefore = age && new Date(now.getTime() - age.ms);
      const anonymised = receivedBefore ? await this.ds.transaction((m) => anonymiseKeptPayloads(m, this.schema, { receivedBefore })) : 0;
      const inbox = await this.inbox.prune(this.ds);
      if (anonymised || inbox) this.logger.info({ anonymised, olderThan: age?.text, inbox }, 'retention: old kept payloads anonymised, inbox pruned');
      return { anonymised, inbox };
    } catch (err) {
      this.logger.warn({ err }, 'retention pass failed; will retry tomorrow');
      return { anonymised: 0, inbox: 0 };
    }
  }

  // before the DataSource closes (DatabaseModule closes it in onApplicationShutdown)
  beforeApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }
}
