import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { Inbox, MESSAGING_LOGGER } from '@closeloop/messaging';
import { NegativeHistory } from '../persistence/negative-history';

const HOUR_MS = 60 * 60 * 1000;

/** Keeps the inbox and the negatives table bounded: an hourly prune, started with the service. */
@Injectable()
export class Housekeeping implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly inbox: Inbox,
    private readonly history: NegativeHistory,
    @Inject(MESSAGING_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.run(), HOUR_MS);
    this.timer.unref();
  }

  /** One pass; a failure is logged and the next pass tries again. */
  run(): Promise<void> {
    this.running ??= (async () => {
      try {
        const inbox = await this.inbox.prune(this.ds);
        const negatives = await this.history.prune(this.ds);
        if (inbox || negatives) this.logger.info({ inbox, negatives }, 'pruned old rows');
      } catch (err) {
        this.logger.warn({ err }, 'housekeeping failed; will retry in an hour');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  // before the DataSource closes (DatabaseModule closes it in onApplicationShutdown)
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
