import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { Inbox } from '@closeloop/messaging';
import { PeriodicJob } from '@closeloop/platform';
import type { NotificationConfig } from './config';
import { NotificationRepository, type Queryable } from './persistence/notification.repository';
import { LOGGER, NOTIFICATION_CONFIG } from './tokens';

const HOUR_MS = 60 * 60 * 1000;
/** The first pass waits a little after start, so a restarting fleet does not prune at the same moment as it boots. */
const FIRST_RUN_MS = 60_000;
const BATCH = 1_000;
/** At most this many batches per table and pass: a large backlog is worked off over a few hours, never in one go. */
const MAX_BATCHES = 100;

export interface PruneCounts {
  inbox: number;
  deliveries: number;
  snapshots: number;
  slackCommands: number;
}

/**
 * Keeps notification's tables bounded (README "Retention"): hourly, in batches of BATCH rows, each batch its own
 * short statement that skips rows another instance holds — so every instance runs it, and two at once only share
 * the work. The inbox is pruned after INBOX_RETENTION_DAYS (it bounds the dead-letter replay window, ADR 0010).
 */
@Injectable()
export class Housekeeping implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly job = new PeriodicJob<PruneCounts, { batchSize?: number }>(
    { everyMs: HOUR_MS, firstAfterMs: FIRST_RUN_MS },
    (opts) => this.prune(opts?.batchSize ?? BATCH),
  );

  constructor(
    private readonly ds: DataSource,
    private readonly inbox: Inbox,
    private readonly repo: NotificationRepository,
    @Inject(NOTIFICATION_CONFIG) private readonly cfg: NotificationConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.job.start();
  }

  /** One pass (a pass already running is joined). Never throws: a failure is logged and the next pass retries. */
  run(opts: { batchSize?: number } = {}): Promise<PruneCounts> {
    return this.job.run(opts);
  }

  private async prune(batch: number): Promise<PruneCounts> {
    const days = this.cfg.retentionDays;
    const counts: PruneCounts = { inbox: 0, deliveries: 0, snapshots: 0, slackCommands: 0 };
    try {
      counts.inbox = await this.inbox.prune(this.ds, undefined, batch);
      // deliveries first: a snapshot goes only once its ticket has nothing left to send
      counts.deliveries = await batches((q, n) => this.repo.pruneFinishedDeliveries(q, days, n), this.ds, batch);
      counts.snapshots = await batches((q, n) => this.repo.pruneIdleSnapshots(q, days, n), this.ds, batch);
      counts.slackCommands = await batches((q, n) => this.repo.pruneSlackCommands(q, days, n), this.ds, batch);
      if (Object.values(counts).some((n) => n > 0)) this.log.info({ ...counts, retentionDays: days }, 'pruned old rows');
    } catch (err) {
      this.log.warn({ err, ...counts }, 'pruning old rows failed; will retry in an hour');
    }
    return counts;
  }

  // before the DataSource closes (DatabaseModule closes it in onApplicationShutdown)
  beforeApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }
}

/** Runs one delete batch after another until a batch comes back short (or MAX_BATCHES). */
async function batches(prune: (q: Queryable, limit: number) => Promise<number>, q: Queryable, batch: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const n = await prune(q, batch);
    total += n;
    if (n < batch) break;
  }
  return total;
}
