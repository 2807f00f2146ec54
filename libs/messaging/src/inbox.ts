import { DataSource, EntityManager } from 'typeorm';
import type { Topic } from '@closeloop/contracts';
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Rows deleted per statement when pruning: short transactions, no long lock on a table under load. */
const PRUNE_BATCH = 5_000;

/**
 * Inbox: consumers record each eventId in the same transaction as the work it caused, so a redelivered
 * (or twice-relayed) event has its effect once.
 */
/** What a batch's first claim also does, in its transaction, with the batch's events from there on (key-prefetch.ts). */
export type BatchPrefetch = (topic: Topic, events: readonly unknown[], m: EntityManager) => Promise<void>;

export class Inbox {
  constructor(
    private readonly schema: string,
    private readonly prefetch?: BatchPrefetch,
  ) {}

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
    const turn = BatchTransaction.current();
    if (turn?.batch.accepts(ds)) {
      const { batch, index } = turn;
      return batch.join(index, ds, async (m) => {
        if (!(await this.claimInBatch(batch, index, m, consumer, eventId))) return false;
        await work(m);
        return true;
      });
    }
    return ds.transaction(async (m) => {
      if (!(await this.claim(m, consumer, eventId))) return false;
      await work(m);
      return true;
    });
  }

  /**
   * `claim` inside a batch's transaction. The first claim under `consumer` also claims, in the same statement, every
   * later message of the batch whose handler declared that inbox consumer (`BatchMessage.inbox`): one round trip per
   * batch instead of one per message. Each row inserted that way is handed to the first claim of its event id; rows
   * no handler claimed by the end of the batch are deleted before the commit (never a row without its work).
   */
  private async claimInBatch(batch: BatchTransaction, index: number, m: EntityManager, consumer: string, eventId: string): Promise<boolean> {
    if (!batch.owns(m) || !UUID.test(eventId)) return this.claim(m, consumer, eventId);
    const id = eventId.toLowerCase(); // Postgres answers uuids in lower case
    const state = batch.local(this, () => new Map<string, Map<string, 'fresh' | 'taken'>>());
    if (state.size === 0 && this.prefetch && batch.topic) {
      await this.prefetch(batch.topic, batch.messages.slice(index).flatMap((msg) => (msg.event === undefined ? [] : [msg.event])), m);
    }
    let claims = state.get(consumer);
    if (!claims) {
      claims = new Map();
      state.set(consumer, claims);
      const ids = new Set<string>();
      batch.messages.forEach((msg, i) => {
        if (i > index && msg.inbox === consumer && msg.eventId && UUID.test(msg.eventId)) ids.add(msg.eventId.toLowerCase());
      });
      ids.add(id);
      const rows: { event_id: string }[] = await m.query(
        `INSERT INTO "${this.schema}".inbox (consumer, event_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING event_id::text`,
        [consumer, [...ids]],
      );
      const fresh = new Set(rows.map((r) => r.event_id));
      for (const x of ids) claims.set(x, fresh.has(x) ? 'fresh' : 'taken');
      const mine = claims;
      batch.beforeCommit(async (tm) => {
        const unclaimed = [...mine.entries()].filter(([, v]) => v === 'fresh').map(([id]) => id);
        if (unclaimed.length) {
          await tm.query(`DELETE FROM "${this.schema}".inbox WHERE consumer = $1 AND event_id = ANY($2::uuid[])`, [consumer, unclaimed]);
        }
      });
    }
    const known = claims.get(id);
    if (known === undefined) return this.claim(m, consumer, eventId); // not announced: its own statement, as always
    claims.set(id, 'taken'); // a second claim of the same id in this batch is a duplicate
    return known === 'fresh';
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
