import { EntityManager } from 'typeorm';
import type { TrendStatus } from '@closeloop/contracts';
import type { GroupCount, OpenTrend } from './trend-rules';

/** A trend as stored and as the API shows it. */
export interface TrendRecord {
  id: string;
  team: string;
  group: Record<string, string>;
  status: TrendStatus;
  count: number;
  peak: number;
  baseline: number;
  ticketIds: string[];
  openedAt: Date;
  endedAt: Date | null;
  version: number;
}

interface TrendRow {
  id: string;
  group_key: string;
  team: string;
  group: Record<string, string>;
  status: TrendStatus;
  count: number;
  peak: number;
  baseline: number;
  ticket_ids: string[];
  opened_at: Date;
  ended_at: Date | null;
  version: number;
}

const toRecord = (r: TrendRow): TrendRecord => ({
  id: r.id, team: r.team, group: r.group, status: r.status, count: r.count, peak: r.peak, baseline: r.baseline,
  ticketIds: r.ticket_ids, openedAt: r.opened_at, endedAt: r.ended_at, version: r.version,
});

export class TrendRepository {
  constructor(private readonly schema: string) {}

  private t(name: string): string {
    return `"${this.schema}"."${name}"`;
  }

  /** Serialises trend passes across instances until the transaction ends (ADR 0020). */
  async lockPass(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${this.schema}.trend-pass`]);
  }

  /**
   * Action-required feedback since `baselineFrom`, grouped by team and the `by` keys (feedback without one of the
   * keys is in no group): the count in (windowFrom, now], the count before it, and the tickets of the window's feedback.
   * Only groups with feedback in the window.
   */
  async groupCounts(m: EntityManager, by: readonly string[], now: Date, windowFrom: Date, baselineFrom: Date): Promise<GroupCount[]> {
    const params: unknown[] = [now, windowFrom, baselineFrom];
    const exprs = by.map((key) => {
      if (key === 'touchpoint') return 'f.touchpoint';
      params.push(key.slice('attributes.'.length));
      return `(f.attributes ->> $${params.length})`;
    });
    const cols = exprs.map((e, i) => `${e} AS g${i}`).join(', ');
    const rows: ({ team: string; count: number; baseline: number; ticket_ids: string[] | null } & Record<string, string>)[] = await m.query(
      `SELECT f.team${cols ? `, ${cols}` : ''},
         count(*) FILTER (WHERE f.responded_at > $2)::int AS count,
         count(*) FILTER (WHERE f.responded_at <= $2)::int AS baseline,
         array_agg(tf.ticket_id::text ORDER BY f.responded_at, f.feedback_id) FILTER (WHERE f.responded_at > $2 AND tf.ticket_id IS NOT NULL) AS ticket_ids
       FROM ${this.t('feedback_seen')} f LEFT JOIN ${this.t('ticket_feedback')} tf ON tf.feedback_id = f.feedback_id
       WHERE f.action_required AND f.responded_at > $3 AND f.responded_at <= $1
         ${exprs.map((e) => `AND ${e} IS NOT NULL`).join(' ')}
       GROUP BY f.team${exprs.map((_, i) => `, g${i}`).join('')}
       HAVING count(*) FILTER (WHERE f.responded_at > $2) > 0`,
      params,
    );
    return rows.map((r) => {
      const values = by.map((_, i) => r[`g${i}`]);
      return {
        key: JSON.stringify([r.team, ...values]),
        team: r.team,
        group: Object.fromEntries(by.map((k, i) => [k, values[i]])),
        count: r.count,
        baselineCount: r.baseline,
        ticketIds: [...new Set(r.ticket_ids ?? [])],
      };
    });
  }

  async openTrends(m: EntityManager): Promise<OpenTrend[]> {
    const rows: Pick<TrendRow, 'id' | 'group_key' | 'count' | 'peak' | 'ticket_ids'>[] = await m.query(
      `SELECT id, group_key, count, peak, ticket_ids FROM ${this.t('trend')} WHERE status = 'open' ORDER BY opened_at, id`,
    );
    return rows.map((r) => ({ id: r.id, key: r.group_key, count: r.count, peak: r.peak, ticketIds: r.ticket_ids }));
  }

  async insert(m: EntityManager, key: string, t: Omit<TrendRecord, 'status' | 'endedAt' | 'version'>): Promise<TrendRecord> {
    const rows: TrendRow[] = await m.query(
      `INSERT INTO ${this.t('trend')} (id, group_key, team, "group", status, count, peak, baseline, ticket_ids, opened_at, version)
       VALUES ($1, $2, $3, $4::jsonb, 'open', $5, $6, $7, $8::jsonb, $9, 1) RETURNING *`,
      [t.id, key, t.team, JSON.stringify(t.group), t.count, t.peak, t.baseline, JSON.stringify(t.ticketIds), t.openedAt],
    );
    return toRecord(rows[0]);
  }

  async update(m: EntityManager, id: string, u: { count: number; peak: number; baseline: number; ticketIds: string[] }): Promise<TrendRecord> {
    const rows: [TrendRow[], number] = await m.query(
      `UPDATE ${this.t('trend')} SET count = $2, peak = $3, baseline = $4, ticket_ids = $5::jsonb, version = version + 1
       WHERE id = $1 RETURNING *`,
      [id, u.count, u.peak, u.baseline, JSON.stringify(u.ticketIds)],
    );
    return toRecord(rows[0][0]);
  }

  async end(m: EntityManager, id: string, at: Date): Promise<TrendRecord> {
    const rows: [TrendRow[], number] = await m.query(
      `UPDATE ${this.t('trend')} SET status = 'ended', ended_at = $2, version = version + 1 WHERE id = $1 RETURNING *`,
      [id, at],
    );
    return toRecord(rows[0][0]);
  }

  /** Newest first; `team` limits to one team (a lead's or agent's scope). */
  async list(m: EntityManager, status: TrendStatus | undefined, team: string | null, limit: number): Promise<TrendRecord[]> {
    const rows: TrendRow[] = await m.query(
      `SELECT * FROM ${this.t('trend')}
       WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR team = $2)
       ORDER BY opened_at DESC, id LIMIT $3`,
      [status ?? null, team, limit],
    );
    return rows.map(toRecord);
  }
}
