import { DataSource, EntityManager } from 'typeorm';
import { BatchTransaction } from '@closeloop/messaging';
import { HistoryNegative, NegativeToScore, closestNegative, exactMicros, micros } from '../scoring/repeat-negative';

export interface PreviousNegative {
  feedbackId: string;
  respondedAt: string;
}

/** What a batch's message will score, read from its decoded event before its handler runs (repeat-negative.ts). */
export type AnnounceNegative = (event: unknown) => NegativeToScore | null;

interface HistoryRow {
  customer_id?: string;
  feedback_id: string;
  responded_at: Date;
  /** responded_at in microseconds since the epoch, as text (a bigint). */
  at: string;
}

/** One customer's negatives as this batch's transaction knows them, and which part of the table they cover. */
interface KnownCustomer {
  /** By feedbackId: rows read from the table, and negatives this batch recorded (written only before the commit). */
  rows: Map<string, HistoryNegative>;
  /** Responded-at ranges read whole (microseconds, ends included). */
  windows: { from: bigint; to: bigint }[];
  /** FeedbackIds whose row was looked up whatever its time (a revision's row may lie outside its window). */
  feedbackIds: Set<string>;
}

/** The batch-local state (BatchTransaction.local): a retried batch is a new BatchTransaction and starts afresh. */
interface BatchHistory {
  read: boolean;
  locked: Set<string>;
  customers: Map<string, KnownCustomer>;
  /** Rows to insert before the commit: [customerId, feedbackId, respondedAt as received]. */
  pending: [string, string, string][];
}

const AT = '(extract(epoch FROM responded_at) * 1000000)::bigint::text AS at';

const toHistory = (r: HistoryRow): HistoryNegative => ({
  feedbackId: r.feedback_id, at: BigInt(r.at), respondedAt: new Date(r.responded_at).toISOString(),
});
const toPrevious = (n: HistoryNegative | null): PreviousNegative | null => (n ? { feedbackId: n.feedbackId, respondedAt: n.respondedAt } : null);

/**
 * The negatives scoring has seen per customer (table customer_negative), for the repeat-negative rule.
 * Every method that takes an EntityManager runs inside the caller's transaction (the one that claims the inbox
 * entry and writes the outbox row), so a rolled-back or redelivered event leaves no trace here.
 */
export class NegativeHistory {
  constructor(
    private readonly schema: string,
    private readonly announce: AnnounceNegative = () => null,
  ) {}

  /**
   * The repeat-negative step of one negative feedback: with its customer locked, the closest other negative of the
   * customer within the window (closestNegative), then this one recorded. Alone (its own transaction), three
   * statements. In a batch's transaction (docs/adr/0023), a few per batch: at the batch's first negative one
   * statement locks every customer with a negative in the rest of the batch (sorted) and one reads their history;
   * each handler then decides from that batch-local history and adds its own negative to it (a later message of the
   * same customer sees it, as it would have seen its row), and the batch's new rows go in one INSERT before the commit.
   */
  async previousThenRecord(m: EntityManager, n: NegativeToScore): Promise<PreviousNegative | null> {
    const turn = BatchTransaction.current();
    if (!turn?.batch.owns(m)) {
      await this.lockCustomer(m, n.customerId);
      const previous = await this.findNear(m, n.customerId, n.feedbackId, n.window, n.at);
      await this.record(m, n.customerId, n.feedbackId, n.respondedAt);
      return previous;
    }
    const { batch, index } = turn;
    const state = batch.local(this, (): BatchHistory => {
      const s: BatchHistory = { read: false, locked: new Set(), customers: new Map(), pending: [] };
      batch.beforeCommit((tm) => this.recordMany(tm, s.pending));
      return s;
    });
    const at = exactMicros(n.respondedAt);
    if (at === null) return this.inexactInBatch(m, state, n);

    if (!state.read) {
      state.read = true;
      const announced = batch.messages.slice(index).flatMap((msg) => this.announce(msg.event) ?? []);
      await this.lockAll(m, state, [n.customerId, ...announced.map((a) => a.customerId)]);
      await this.readAll(m, state, announced.some((a) => a.customerId === n.customerId && a.feedbackId === n.feedbackId) ? announced : [n, ...announced]);
    }
    await this.lockAll(m, state, [n.customerId]); // a message not announced: its own statement, as always
    let known = state.customers.get(n.customerId);
    if (!known || !covers(known, n)) {
      await this.readAll(m, state, [n]);
      known = knownOf(state, n.customerId);
    }
    const previous = closestNegative(known.rows.values(), n);
    if (!known.rows.has(n.feedbackId)) { // ON CONFLICT DO NOTHING: the first row of a feedback stays
      known.rows.set(n.feedbackId, { feedbackId: n.feedbackId, at, respondedAt: new Date(Number(at / 1000n)).toISOString() });
      state.pending.push([n.customerId, n.feedbackId, n.respondedAt]);
    }
    return toPrevious(previous);
  }

  /**
   * A negative whose respondedAt only Postgres can read exactly (exactMicros: no offset, microseconds) in a batch:
   * its customer's rows recorded so far in the batch are written now, what the batch read of the customer is
   * forgotten, and the negative takes the statements of a message alone; a later negative of the customer reads again.
   */
  private async inexactInBatch(m: EntityManager, state: BatchHistory, n: NegativeToScore): Promise<PreviousNegative | null> {
    const mine = state.pending.filter(([c]) => c === n.customerId);
    if (mine.length) {
      await this.recordMany(m, mine);
      state.pending = state.pending.filter(([c]) => c !== n.customerId);
    }
    state.customers.delete(n.customerId);
    await this.lockAll(m, state, [n.customerId]);
    const previous = await this.findNear(m, n.customerId, n.feedbackId, n.window, n.at);
    await this.record(m, n.customerId, n.feedbackId, n.respondedAt);
    return previous;
  }

  /** The locks of these customers not held yet, in one statement, in key order (two batches never wait on each other in a cycle). */
  private async lockAll(m: EntityManager, state: BatchHistory, customerIds: string[]): Promise<void> {
    const missing = [...new Set(customerIds)].filter((c) => !state.locked.has(c));
    if (!missing.length) return;
    await m.query(
      'SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT DISTINCT hashtext(x) AS k FROM unnest($1::text[]) AS x ORDER BY k) s',
      [missing.map((c) => this.lockKey(c))],
    );
    for (const c of missing) state.locked.add(c);
  }

  /** The rows of these negatives' customers within their windows, and their own feedbacks' rows, in one statement. */
  private async readAll(m: EntityManager, state: BatchHistory, negatives: NegativeToScore[]): Promise<void> {
    const rows: (HistoryRow & { customer_id: string })[] = await m.query(
      `SELECT DISTINCT x.customer_id, x.feedback_id, x.responded_at, (extract(epoch FROM x.responded_at) * 1000000)::bigint::text AS at
         FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS n(customer_id, feedback_id, lo, hi)
         JOIN "${this.schema}".customer_negative x
           ON x.customer_id = n.customer_id AND (x.responded_at BETWEEN n.lo AND n.hi OR x.feedback_id = n.feedback_id)`,
      [
        negatives.map((n) => n.customerId), negatives.map((n) => n.feedbackId),
        negatives.map((n) => n.window.from.toISOString()), negatives.map((n) => n.window.to.toISOString()),
      ],
    );
    for (const n of negatives) {
      const k = knownOf(state, n.customerId);
      k.windows.push({ from: micros(n.window.from), to: micros(n.window.to) });
      k.feedbackIds.add(n.feedbackId);
    }
    // a row known already is the same row, or one this batch recorded (not in the table yet)
    for (const r of rows) {
      const k = knownOf(state, r.customer_id);
      if (!k.rows.has(r.feedback_id)) k.rows.set(r.feedback_id, toHistory(r));
    }
  }

  /** The batch's new negatives, one multi-row INSERT (each respondedAt read by Postgres, as a single row's). */
  private async recordMany(m: EntityManager, rows: [string, string, string][]): Promise<void> {
    if (!rows.length) return;
    await m.query(
      `INSERT INTO "${this.schema}".customer_negative (customer_id, feedback_id, responded_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) ON CONFLICT DO NOTHING`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
    );
  }

  private lockKey(customerId: string): string {
    return `closeloop.${this.schema}.customer.${customerId}`;
  }

  /**
   * Serialises the scoring of one customer until the transaction ends. One partition (key customer id) is
   * consumed by one consumer, but during a rebalance the old and the new owner can briefly both hold it: without
   * the lock two negatives scored at once would each miss the other and neither would be a repeat.
   */
  async lockCustomer(m: EntityManager, customerId: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.lockKey(customerId)]);
  }

  /** Another negative of this customer (not this feedback) responded within [from, to], the closest first (closestNegative). */
  async findNear(m: EntityManager, customerId: string, feedbackId: string, window: { from: Date; to: Date }, at: Date): Promise<PreviousNegative | null> {
    const rows: HistoryRow[] = await m.query(
      `SELECT feedback_id, responded_at, ${AT} FROM "${this.schema}".customer_negative
        WHERE customer_id = $1 AND feedback_id <> $2 AND responded_at BETWEEN $3 AND $4`,
      [customerId, feedbackId, window.from, window.to],
    );
    return toPrevious(closestNegative(rows.map(toHistory), { feedbackId, window, at }));
  }

  /** Idempotent: recording the same feedback twice keeps one row. */
  async record(m: EntityManager, customerId: string, feedbackId: string, respondedAt: string): Promise<void> {
    await m.query(
      `INSERT INTO "${this.schema}".customer_negative (customer_id, feedback_id, responded_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [customerId, feedbackId, respondedAt],
    );
  }

  /**
   * Keeps the table bounded. A row matters while feedback responded within 30 days of it can still arrive; rows
   * responded long ago are kept for a day after they were written, so a backfill of old surveys still sees them.
   */
  async prune(ds: DataSource, respondedBeforeDays = 90): Promise<number> {
    const res = await ds.query(
      `DELETE FROM "${this.schema}".customer_negative
        WHERE responded_at < now() - make_interval(days => $1) AND recorded_at < now() - interval '1 day'`,
      [respondedBeforeDays],
    );
    return Array.isArray(res) ? Number(res[1] ?? 0) : 0;
  }
}

function knownOf(state: BatchHistory, customerId: string): KnownCustomer {
  let k = state.customers.get(customerId);
  if (!k) state.customers.set(customerId, (k = { rows: new Map(), windows: [], feedbackIds: new Set() }));
  return k;
}

/** Whether what the batch read of a customer includes everything this negative's lookup and record could see. */
function covers(known: KnownCustomer, n: NegativeToScore): boolean {
  const from = micros(n.window.from);
  const to = micros(n.window.to);
  return known.feedbackIds.has(n.feedbackId) && known.windows.some((w) => w.from <= from && w.to >= to);
}
