import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { Inbox, MESSAGING_LOGGER } from '@closeloop/messaging';
import { PeriodicJob } from '@closeloop/platform';
import { NegativeHistory } from '../persistence/negative-history';

const HOUR_MS = 60 * 60 * 1000;

/** Keeps the inbox and the negatives table bounded: an hourly prune, started with the service. */
@Injectable()
export class Housekeeping implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly job = new PeriodicJob({ everyMs: HOUR_MS }, () => this.prune());

  constructor(
    private readonly ds: DataSource,
    private readonly inbox: Inbox,
    private readonly history: NegativeHistory,
    @Inject(MESSAGING_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.job.start();
  }

  /** One pass (a pass already running is joined); a failure is logged and the next pass tries again. */
  run(): Promise<void> {
    return this.job.run();
  }

  private async prune(): Promise<void> {
    try {
      const inbox = await this.inbox.prune(this.ds);
      const negatives = await this.history.prune(this.ds);
      if (inbox || negatives) this.logger.info({ inbox, negatives }, 'pruned old rows');
    } catch (err) {
      this.logger.warn({ err }, 'housekeeping failed; will retry in an hour');
    }
  }

  // before the DataSource closes (DatabaseModule closes it in onApplicationShutdown)
  beforeApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }
}
