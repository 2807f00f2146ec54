import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { PeriodicJob } from '@closeloop/platform';
import { TicketsConfig } from '../config';
import { LOGGER, TICKETS_CONFIG } from '../tokens';
import { ErasureService } from './erasure.service';

/**
 * The erasure's last step (the customer's key, store `kafka`) every `ERASURE_CHECK_INTERVAL_MS`, and at once after a
 * participant's progress (`nudge`). The state is the erasure table, so a restart at any point finishes at the next pass.
 */
@Injectable()
export class ErasureScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly job: PeriodicJob<void, Date>;

  constructor(
    private readonly erasures: ErasureService,
    @Inject(TICKETS_CONFIG) cfg: TicketsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.job = new PeriodicJob({ everyMs: cfg.erasureCheckIntervalMs }, (now) => this.pass(now));
  }

  onApplicationBootstrap(): void {
    this.job.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.job.stop();
  }

  /** One pass now (or the one under way). Never throws: the next pass retries. */
  run(now?: Date): Promise<void> {
    return this.job.run(now);
  }

  /** After a participant reported: the key step may be due; not awaited by the consumer. */
  nudge(): void {
    if (!this.job.isStopped) void this.job.run().catch(() => undefined);
  }

  private async pass(now = new Date()): Promise<void> {
    try {
      await this.erasures.keyStep(now);
    } catch (err) {
      this.logger.warn({ err }, 'erasure key step failed; retrying at the next interval');
    }
  }
}
