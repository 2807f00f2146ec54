import { DataSource, EntityManager } from 'typeorm';

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

  /** Runs `work` in a transaction unless this event was already processed; returns whether it ran. */
  async processOnce(ds: DataSource, consumer: string, eventId: string, work: (m: EntityManager) => Promise<void>): Promise<boolean> {
    return ds.transaction(async (m) => {
      if (!(await this.claim(m, consumer, eventId))) return false;
      await work(m);
      return true;
    });
  }

  /** Keeps the table bounded: redeliveries come within minutes, not weeks. */
  async prune(ds: DataSource, olderThanDays = 14): Promise<number> {
    const res = await ds.query(`DELETE FROM "${this.schema}".inbox WHERE processed_at < now() - ($1 || ' days')::interval`, [String(olderThanDays)]);
    return Array.isArray(res) ? (res[1] ?? 0) : 0;
  }
}
