import { DataSource, EntityManager } from 'typeorm';
import { BatchTransaction } from './batch-transaction';

/** How long every consumer remembers an eventId it processed (its inbox row): redeliveries are deduplicated for this long. */
export const INBOX_RETENTION_DAYS = 14;

/**
 * How old an event may be when ops replay it from a dead-letter topic (docs/adr/0010). A replayed copy goes to
 * every consumer group of its topic, and is deduplicated only while each still has the eventId in its inbox: with
 * replays refused after 7 days, the copy has the other 7 days of INBOX_RETENTION_DAYS to be consumed — longer than
 * any consumer can lag, since the main topics keep 7 days.
 */
export const DLQ_REPLAY_MAX_AGE_DAYS = 7;

/** Rows deleted per statement when pruning: short transactions, no long lock on a table under load. */
const PRUNE_BATCH = 5_000;

/**
 * Inbox: consumers record each eventId in the same transaction as the work it caused, so a redelivered
 * (or twice-relayed) event has its effect once.
 */
export class Inbox {
  constructor(private readonly schema: string) {}

  /** True the first time (consumer, eventId) is seen in a committed transaction. */
  async claim(m: EntityManager, consumer: string, eventId: string): Promise<boolean> {
    const rows = await m.query(
      `INSERT INTO "${this.schema}".inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`,
      [consumer, eventId],
    );
    return rows.length === 1;
  }

  /**
   * Runs `work` in a transaction unless this event was already processed; returns whether it ran, once that
   * transaction committed. Called from a handler of a batched consumer (docs/adr/0023), the transaction is the
   * batch's, shared with the messages before and after it in the partition: this resolves only after the batch
   * committed, and throws if it was rolled back (the consumer then handles the message again). Anywhere else it is a
   * transaction of its own.
   */
  async processOnce(ds: DataSource, consumer: string, eventId: string, work: (m: EntityManager) => Promise<void>): Promise<boolean> {
    const once = async (m: EntityManager) => {
      if (!(await this.claim(m, consumer, eventId))) return false;
      await work(m);
      return true;
    };
    const turn = BatchTransaction.current();
    if (turn?.batch.accepts(ds)) return turn.batch.join(turn.index, ds, once);
    return ds.transaction(once);
  }

  /**
   * Keeps the table bounded: deletes rows older than `olderThanDays` in batches (each its own short statement).
   * Safe to run from every instance at once: a batch skips rows another instance is deleting.
   */
  async prune(ds: DataSource, olderThanDays = INBOX_RETENTION_DAYS, batchSize = PRUNE_BATCH): Promise<number> {
    let total = 0;
    for (;;) {
      const res = await ds.query(
        `WITH old AS (
           SELECT consumer, event_id FROM "${this.schema}".inbox
           WHERE processed_at < now() - $1::float8 * interval '1 day'
           LIMIT $2 FOR UPDATE SKIP LOCKED
         )
         DELETE FROM "${this.schema}".inbox i USING old WHERE i.consumer = old.consumer AND i.event_id = old.event_id`,
        [olderThanDays, batchSize],
      );
      const n = Array.isArray(res) ? Number(res[1] ?? 0) : 0;
      total += n;
      if (n < batchSize) return total;
    }
  }
}
