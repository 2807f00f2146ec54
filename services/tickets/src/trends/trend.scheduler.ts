import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { PeriodicJob } from '@closeloop/platform';
import { TicketsConfig } from '../config';
import { LOGGER, TICKETS_CONFIG } from '../tokens';
import { TrendService } from './trend.service';

/** Runs a trend pass every `TREND_CHECK_INTERVAL_MS` when the routing file has `trends`. */
@Injectable()
export class TrendScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly job: PeriodicJob;

  constructor(
    private readonly trends: TrendService,
    @Inject(TICKETS_CONFIG) cfg: TicketsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.job = new PeriodicJob({ everyMs: cfg.trendCheckIntervalMs }, () => this.tick());
  }

  onApplicationBootstrap(): void {
    if (this.trends.rule) this.job.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.job.stop();
  }

  /** One pass; never throws (the next one retries). */
  async tick(now = new Date()): Promise<void> {
    try {
      const r = await this.trends.pass(now);
      if (r.opened + r.updated + r.ended > 0) this.logger.info(r, 'trend pass');
    } catch (err) {
      this.logger.warn({ err }, 'trend pass failed; retrying at the next interval');
    }
  }
}
