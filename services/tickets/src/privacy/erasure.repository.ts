import { EntityManager } from 'typeorm';
import { ErasureProgressData, ErasureStore, PARTICIPANT_STORES } from '@closeloop/contracts';
import type { StoreProgress } from './erasure-rules';

export interface ErasureRecord {
  id: string;
  customerId: string;
  requestedBy: string;
  requestedAt: Date;
  keyDeletedAt: Date | null;
  keyExisted: boolean | null;
  doneAt: Date | null;
}

interface ErasureRow {
  id: string;
  customer_id: string;
  requested_by: string;
  requested_at: Date;
  key_deleted_at: Date | null;
  key_existed: boolean | null;
  done_at: Date | null;
}

const toRecord = (r: ErasureRow): ErasureRecord => ({
  id: r.id, customerId: r.customer_id, requestedBy: r.requested_by, requestedAt: r.requested_at,
  keyDeletedAt: r.key_deleted_at, keyExisted: r.key_existed, doneAt: r.done_at,
});

/** SQL of the erasure tables (SPEC §13, ADR 0026). Every method takes the caller's transaction's EntityManager. */
export class ErasureRepository {
  constructor(private readonly schema: string) {}

  private t(table: string): string {
    return `"${this.schema}".${table}`;
  }

  /** A new erasure, unless the customer has one unfinished (the partial unique index decides, under any concurrency). */
  async insertUnlessUnfinished(m: EntityManager, e: Pick<ErasureRecord, 'id' | 'customerId' | 'requestedBy' | 'requestedAt'>): Promise<boolean> {
    const rows = await m.query(
      `INSERT INTO ${this.t('erasure')} (id, customer_id, requested_by, requested_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (customer_id) WHERE done_at IS NULL DO NOTHING RETURNING id`,
      [e.id, e.customerId, e.requestedBy, e.requestedAt],
    );
    return rows.length === 1;
  }

  async unfinishedForUpdate(m: EntityManager, customerId: string): Promise<ErasureRecord | null> {
    const rows: ErasureRow[] = await m.query(`SELECT * FROM ${this.t('erasure')} WHERE customer_id = $1 AND done_at IS NULL FOR UPDATE`, [customerId]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async find(m: EntityManager, id: string): Promise<ErasureRecord | null> {
    const rows: ErasureRow[] = await m.query(`SELECT * FROM ${this.t('erasure')} WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async progress(m: EntityManager, erasureId: string): Promise<StoreProgress[]> {
    const rows: { store: ErasureStore; status: 'done' | 'failed'; erased: number; reason: string | null; at: Date }[] = await m.query(
      `SELECT store, status, erased, reason, at FROM ${this.t('erasure_store')} WHERE erasure_id = $1`,
      [erasureId],
    );
    return rows;
  }

  /**
   * A store's report: the last one wins, but a `done` is never taken back (nor its count changed by a later, repeated
   * run that found nothing left). False when the erasure is unknown here (another stack sharing the topic).
   */
  async recordProgress(m: EntityManager, p: ErasureProgressData, at: Date): Promise<boolean> {
    const known = await m.query(`SELECT 1 FROM ${this.t('erasure')} WHERE id = $1`, [p.erasureId]);
    if (!known.length) return false;
    await m.query(
      `INSERT INTO ${this.t('erasure_store')} (erasure_id, store, status, erased, reason, reported_by, at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (erasure_id, store) DO UPDATE SET status = EXCLUDED.status, erased = EXCLUDED.erased, reason = EXCLUDED.reason,
         reported_by = EXCLUDED.reported_by, at = EXCLUDED.at
       WHERE ${this.t('erasure_store')}.status <> 'done'`,
      [p.erasureId, p.store, p.status, p.erased, p.status === 'failed' ? (p.reason ?? null) : null, p.by, at],
    );
    return true;
  }

  /** Erasures whose every participant store is done and whose key is still there: locked, another instance skips them. */
  async readyForKeyDeletion(m: EntityManager, limit: number): Promise<ErasureRecord[]> {
    const rows: ErasureRow[] = await m.query(
      `SELECT e.* FROM ${this.t('erasure')} e
        WHERE e.done_at IS NULL AND e.key_deleted_at IS NULL
          AND (SELECT count(*) FROM ${this.t('erasure_store')} s WHERE s.erasure_id = e.id AND s.status = 'done' AND s.store = ANY($1::text[])) = $2
        ORDER BY e.requested_at, e.id LIMIT $3 FOR UPDATE OF e SKIP LOCKED`,
      [PARTICIPANT_STORES, PARTICIPANT_STORES.length, limit],
    );
    return rows.map(toRecord);
  }

  async markKeyDeleted(m: EntityManager, id: string, existed: boolean, at: Date): Promise<void> {
    await m.query(`UPDATE ${this.t('erasure')} SET key_deleted_at = $2, key_existed = $3 WHERE id = $1`, [id, at, existed]);
  }

  /** Erasures whose key went at least `cacheMs` before `now` (every instance has forgotten it) and that are not done: locked. */
  async readyToFinish(m: EntityManager, keyGoneBefore: Date, limit: number): Promise<ErasureRecord[]> {
    const rows: ErasureRow[] = await m.query(
      `SELECT * FROM ${this.t('erasure')} WHERE done_at IS NULL AND key_deleted_at <= $1
        ORDER BY key_deleted_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [keyGoneBefore, limit],
    );
    return rows.map(toRecord);
  }

  async markDone(m: EntityManager, id: string, at: Date): Promise<void> {
    await m.query(`UPDATE ${this.t('erasure')} SET done_at = $2 WHERE id = $1`, [id, at]);
  }
}
