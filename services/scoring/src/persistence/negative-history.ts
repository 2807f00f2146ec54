import { DataSource, EntityManager } from 'typeorm';

export interface PreviousNegative {
  feedbackId: string;
  respondedAt: string;
}

/**
 * The negatives scoring has seen per customer (table customer_negative), for the repeat-negative rule.
 * Every method that takes an EntityManager runs inside the caller's transaction (the one that claims the inbox
 * entry and writes the outbox row), so a rolled-back or redelivered event leaves no trace here.
 */
export class NegativeHistory {
  constructor(private readonly schema: string) {}

  /**
   * Serialises the scoring of one customer until the transaction ends. One partition (key customer id) is
   * consumed by one consumer, but during a rebalance the old and the new owner can briefly both hold it: without
   * the lock two negatives scored at once would each miss the other and neither would be a repeat.
   */
  async lockCustomer(m: EntityManager, customerId: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`closeloop.${this.schema}.customer.${customerId}`]);
  }

  /** Another negative of this customer (not this feedback) responded within [from, to], the closest first. */
  async findNear(m: EntityManager, customerId: string, feedbackId: string, window: { from: Date; to: Date }, at: Date): Promise<PreviousNegative | null> {
    const rows: { feedback_id: string; responded_at: Date }[] = await m.query(
      `SELECT feedback_id, responded_at FROM "${this.schema}".customer_negative
        WHERE customer_id = $1 AND feedback_id <> $2 AND responded_at BETWEEN $3 AND $4
        ORDER BY abs(extract(epoch FROM responded_at - $5::timestamptz)) LIMIT 1`,
      [customerId, feedbackId, window.from, window.to, at],
    );
    return rows.length ? { feedbackId: rows[0].feedback_id, respondedAt: new Date(rows[0].responded_at).toISOString() } : null;
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
