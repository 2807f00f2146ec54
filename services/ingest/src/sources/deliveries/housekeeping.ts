import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Logger, PeriodicJob, SERVICE_LOGGER } from '@closeloop/platform';
import { keptDropped } from '../../metrics';
import { DeliveryStore } from './delivery-store';

const HOUR_MS = 60 * 60 * 1000;

/**
 * The hourly sweep of what writes do not reach: deliveries and kept payloads of sources that went quiet, past
 * their age, and hourly counts older than any stats window. Every instance runs it; deleting what another already
 * deleted is a no-op.
 */
@Injectable()
export class DeliveryHousekeeping implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly job = new PeriodicJob<void, Date>({ everyMs: HOUR_MS }, (now) => this.sweep(now ?? new Date()));

  constructor(private readonly ds: DataSource, private readonly store: DeliveryStore, @Inject(SERVICE_LOGGER) private readonly logger: Logger) {}

  onApplicationBootstrap(): void {
    this.job.start();
  }

  /** One pass (a pass already running is joined); a failure is logged and the next pass tries again. */
  run(now = new Date()): Promise<void> {
    return this.job.run(now);
  }

  private async sweep(now: Date): Promise<void> {
    try {
      const swept = await this.ds.transaction((m) => this.store.sweep(m, now));
      for (const [source, n] of swept.keptBySource) keptDropped.inc({ source, why: 'age' }, n);
      if (swept.deliveries || swept.kept || swept.counts) {
        this.logger.info({ deliveries: swept.deliveries, kept: swept.kept, counts: swept.counts }, 'pruned old delivery records');
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'delivery housekeeping failed; will retry in an hour');
    }
  }

  // before the DataSource closes (DatabaseModule closes it in onApplicationShutdown)
  beforeApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }
}
