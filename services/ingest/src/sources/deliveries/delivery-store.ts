import type { EntityManager } from 'typeorm';
import type { FieldError } from '@closeloop/contracts';
import { cutoff, type DeliveryBounds } from './bounds';
import { hourOf, type CountRow } from './buckets';
import type { DeliveryOutcome } from './outcome';

/** One delivery as the latest-deliveries list shows it: what happened, never the body, a header or a secret. */
export interface DeliveryRow {
  sourceId: string;
  receivedAt: Date;
  outcome: DeliveryOutcome;
  status: number;
  reason: string | null;
  feedbackId: string | null;
  keptId: string | null;
  bytes: number;
}

/** What a 422 keeps for replay. */
export interface KeptInsert {
  id: string;
  sourceId: string;
  kind: string;
  receivedAt: Date;
  contentType: string;
  body: Buffer;
  fetched: string | null;
  reason: string;
  errors: FieldError[];
  /** The customer the payload names, when the connector found one: what an erasure finds it by (SPEC §13). */
  customerId: string | null;
}

export interface KeptItem {
  id: string;
  sourceId: string;
  kind: string;
  receivedAt: Date;
  contentType: string;
  reason: string;
  errors: FieldError[];
  size: number;
  replayedAt: Date | null;
  replayOutcome: string | null;
  feedbackId: string | null;
}
export interface KeptPayload extends KeptItem {
  body: Buffer;
  fetched: string | null;
}

const KEPT_COLUMNS = `id, source_id AS "sourceId", kind, received_at AS "receivedAt", content_type AS "contentType", reason, errors,
  size, replayed_at AS "replayedAt", replay_outcome AS "replayOutcome", feedback_id AS "feedbackId"`;

/** The SQL of ingest's delivery records (schema-qualified; every method takes the manager of the caller's transaction). */
export class DeliveryStore {
  constructor(private readonly schema: string, private readonly bounds: DeliveryBounds) {}

  private t(table: string): string {
    return `"${this.schema}".${table}`;
  }

  /** One more delivery of `outcome` in its hour (an upsert: every instance adds to the same row). */
  async count(m: EntityManager, sourceId: string, outcome: DeliveryOutcome, at: Date): Promise<void> {
    await m.query(
      `INSERT INTO ${this.t('source_delivery_count')} AS c (source_id, hour, outcome, count) VALUES ($1, $2, $3, 1)
       ON CONFLICT (source_id, hour, outcome) DO UPDATE SET count = c.count + 1`,
      [sourceId, hourOf(at), outcome],
    );
  }

  /** Adds a row to the latest deliveries and drops this source's rows past the count or the age bound. */
  async record(m: EntityManager, d: DeliveryRow): Promise<void> {
    await m.query(
      `INSERT INTO ${this.t('source_delivery')} (source_id, received_at, outcome, status, reason, feedback_id, kept_id, bytes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [d.sourceId, d.receivedAt, d.outcome, d.status, d.reason, d.feedbackId, d.keptId, d.bytes],
    );
    await m.query(
      `DELETE FROM ${this.t('source_delivery')} WHERE source_id = $1 AND (received_at < $2 OR id <= (
         SELECT id FROM ${this.t('source_delivery')} WHERE source_id = $1 ORDER BY id DESC OFFSET $3 LIMIT 1))`,
      [d.sourceId, cutoff(d.receivedAt, this.bounds.deliveryMaxAgeMs), this.bounds.deliveriesPerSource],
    );
  }

  /** Keeps an unmappable payload; drops (and counts) this source's kept payloads past the count or the age bound. */
  async keep(m: EntityManager, k: KeptInsert): Promise<{ byCount: number; byAge: number }> {
    const size = k.body.length + (k.fetched === null ? 0 : Buffer.byteLength(k.fetched, 'utf8'));
    await m.query(
      `INSERT INTO ${this.t('kept_payload')} (id, source_id, kind, received_at, content_type, body, fetched, reason, errors, size, customer_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [k.id, k.sourceId, k.kind, k.receivedAt, k.contentType, k.body, k.fetched, k.reason, JSON.stringify(k.errors), size, k.customerId],
    );
    return this.pruneKept(m, k.sourceId, k.receivedAt);
  }

  private async pruneKept(m: EntityManager, sourceId: string, now: Date): Promise<{ byCount: number; byAge: number }> {
    const byAge = await this.deleteCount(m, `DELETE FROM ${this.t('kept_payload')} WHERE source_id = $1 AND received_at < $2 RETURNING 1`,
      [sourceId, cutoff(now, this.bounds.keptMaxAgeMs)]);
    const byCount = await this.deleteCount(m,
      `DELETE FROM ${this.t('kept_payload')} WHERE id IN (
         SELECT id FROM ${this.t('kept_payload')} WHERE source_id = $1 ORDER BY received_at DESC, id DESC OFFSET $2) RETURNING 1`,
      [sourceId, this.bounds.keptPerSource]);
    if (byAge || byCount) await this.countDropped(m, sourceId, byCount, byAge);
    return { byCount, byAge };
  }

  private async countDropped(m: EntityManager, sourceId: string, byCount: number, byAge: number): Promise<void> {
    await m.query(
      `INSERT INTO ${this.t('kept_dropped')} AS d (source_id, by_count, by_age) VALUES ($1, $2, $3)
       ON CONFLICT (source_id) DO UPDATE SET by_count = d.by_count + $2, by_age = d.by_age + $3`,
      [sourceId, byCount, byAge],
    );
  }

  private async deleteCount(m: EntityManager, sql: string, params: unknown[]): Promise<number> {
    const r: unknown = await m.query(sql, params);
    // TypeORM's postgres driver answers a DELETE … RETURNING with [rows, affected]
    return Array.isArray(r) && Array.isArray(r[0]) ? r[0].length : Array.isArray(r) ? r.length : 0;
  }

  /**
   * The hourly sweep: every source's deliveries and kept payloads past their age (kept drops counted per source),
   * and hourly counts older than any stats window. Returns what it removed.
   */
  async sweep(m: EntityManager, now: Date): Promise<{ deliveries: number; kept: number; keptBySource: Map<string, number>; counts: number }> {
    const deliveries = await this.deleteCount(m, `DELETE FROM ${this.t('source_delivery')} WHERE received_at < $1 RETURNING 1`, [cutoff(now, this.bounds.deliveryMaxAgeMs)]);
    const aged: { source_id: string; n: string }[] = await m.query(
      `WITH gone AS (DELETE FROM ${this.t('kept_payload')} WHERE received_at < $1 RETURNING source_id)
       SELECT source_id, count(*) AS n FROM gone GROUP BY source_id`,
      [cutoff(now, this.bounds.keptMaxAgeMs)],
    );
    for (const a of aged) await this.countDropped(m, a.source_id, 0, Number(a.n));
    const counts = await this.deleteCount(m, `DELETE FROM ${this.t('source_delivery_count')} WHERE hour < $1 RETURNING 1`, [cutoff(now, this.bounds.countsMaxAgeMs)]);
    const keptBySource = new Map(aged.map((a) => [a.source_id, Number(a.n)]));
    return { deliveries, kept: aged.reduce((n, a) => n + Number(a.n), 0), keptBySource, counts };
  }

  /** Counts per source and outcome since `since` (every source at once: the sources list). */
  async totalsSince(m: EntityManager, since: Date): Promise<{ sourceId: string; outcome: string; count: number }[]> {
    const rows: { source_id: string; outcome: string; n: string }[] = await m.query(
      `SELECT source_id, outcome, sum(count) AS n FROM ${this.t('source_delivery_count')} WHERE hour >= $1 GROUP BY source_id, outcome`,
      [since],
    );
    return rows.map((r) => ({ sourceId: r.source_id, outcome: r.outcome, count: Number(r.n) }));
  }

  async hourly(m: EntityManager, sourceId: string, since: Date): Promise<CountRow[]> {
    const rows: { hour: Date; outcome: string; count: string }[] = await m.query(
      `SELECT hour, outcome, count FROM ${this.t('source_delivery_count')} WHERE source_id = $1 AND hour >= $2`,
      [sourceId, since],
    );
    return rows.map((r) => ({ hour: new Date(r.hour), outcome: r.outcome, count: Number(r.count) }));
  }

  /** The latest deliveries of a source, newest first, none past the age bound (the sweep may not have run yet). */
  async latest(m: EntityManager, sourceId: string, limit: number, now: Date): Promise<DeliveryRow[]> {
    const rows: (Omit<DeliveryRow, 'bytes'> & { bytes: number })[] = await m.query(
      `SELECT source_id AS "sourceId", received_at AS "receivedAt", outcome, status, reason, feedback_id AS "feedbackId",
              kept_id AS "keptId", bytes
       FROM ${this.t('source_delivery')} WHERE source_id = $1 AND received_at >= $2 ORDER BY id DESC LIMIT $3`,
      [sourceId, cutoff(now, this.bounds.deliveryMaxAgeMs), limit],
    );
    return rows;
  }

  /** Per source: kept payloads waiting for a replay, all kept ones, and how many were dropped to stay in bounds. */
  async keptSummary(m: EntityManager, now: Date): Promise<Map<string, { kept: number; waiting: number; dropped: number }>> {
    const kept: { source_id: string; kept: string; waiting: string }[] = await m.query(
      `SELECT source_id, count(*) AS kept, count(*) FILTER (WHERE replayed_at IS NULL) AS waiting
       FROM ${this.t('kept_payload')} WHERE received_at >= $1 GROUP BY source_id`,
      [cutoff(now, this.bounds.keptMaxAgeMs)],
    );
    const dropped: { source_id: string; n: string }[] = await m.query(`SELECT source_id, by_count + by_age AS n FROM ${this.t('kept_dropped')}`);
    const out = new Map<string, { kept: number; waiting: number; dropped: number }>();
    const entry = (id: string) => {
      const e = out.get(id) ?? { kept: 0, waiting: 0, dropped: 0 };
      out.set(id, e);
      return e;
    };
    for (const k of kept) Object.assign(entry(k.source_id), { kept: Number(k.kept), waiting: Number(k.waiting) });
    for (const d of dropped) entry(d.source_id).dropped = Number(d.n);
    return out;
  }

  async keptList(m: EntityManager, sourceId: string, limit: number, now: Date): Promise<KeptItem[]> {
    return m.query(
      `SELECT ${KEPT_COLUMNS} FROM ${this.t('kept_payload')} WHERE source_id = $1 AND received_at >= $2
       ORDER BY received_at DESC, id DESC LIMIT $3`,
      [sourceId, cutoff(now, this.bounds.keptMaxAgeMs), limit],
    );
  }

  /** One kept payload with its body; `lock` holds it for the caller's transaction (two replays of one item queue up). */
  async keptPayload(m: EntityManager, sourceId: string, id: string, lock: boolean): Promise<KeptPayload | null> {
    const rows: KeptPayload[] = await m.query(
      `SELECT ${KEPT_COLUMNS}, body, fetched FROM ${this.t('kept_payload')} WHERE source_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`,
      [sourceId, id],
    );
    return rows[0] ?? null;
  }

  /** `customerId`: the customer the replayed feedback names (the fixed routing file may have found one the delivery did not). */
  async markReplayed(m: EntityManager, id: string, outcome: string, feedbackId: string | null, at: Date, customerId: string | null = null): Promise<void> {
    await m.query(
      `UPDATE ${this.t('kept_payload')} SET replayed_at = $2, replay_outcome = $3, feedback_id = $4, customer_id = COALESCE($5, customer_id) WHERE id = $1`,
      [id, at, outcome, feedbackId, customerId],
    );
  }

  /** A replay that is still unmappable: the reason shown is the current one. */
  async stillUnmappable(m: EntityManager, id: string, reason: string, errors: FieldError[]): Promise<void> {
    await m.query(`UPDATE ${this.t('kept_payload')} SET reason = $2, errors = $3 WHERE id = $1`, [id, reason, JSON.stringify(errors)]);
  }
}
