import { randomUUID } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { DataKey } from './field-crypto';
import { MasterKey, WrappedKey, newDataKey, unwrapKey, wrapKey } from './master-key';

/**
 * The customers' data keys (SPEC §13, ADR 0024): one row per customer in the `privacy` schema of the shared database,
 * the key wrapped by `CLOSELOOP_MASTER_KEY`. The platform library owns the schema; every service that migrates also
 * migrates it (runMigrations). Producers create a customer's key on first sight; consumers read keys by id. Erasing a
 * customer deletes the row: every field encrypted under it, wherever it was copied, reads as erased.
 */
export const PRIVACY_SCHEMA = 'privacy';

class CustomerKeys1764561600000 implements MigrationInterface {
  name = 'CustomerKeys1764561600000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "${PRIVACY_SCHEMA}".customer_key (
      customer_id text PRIMARY KEY,
      key_id uuid NOT NULL UNIQUE,
      master_key_id text NOT NULL,
      wrapped bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX customer_key_master ON "${PRIVACY_SCHEMA}".customer_key (master_key_id)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${PRIVACY_SCHEMA}".customer_key`);
  }
}

/**
 * The tombstone of an erasure (ADR 0026): `erase` leaves one, so `keyFor` (sealing a derived event at an outbox) never
 * silently re-creates the key of an erased customer; `keysFor` (new feedback arriving at ingest) does, deliberately,
 * and removes it.
 */
class ErasedCustomers1765600000000 implements MigrationInterface {
  name = 'ErasedCustomers1765600000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "${PRIVACY_SCHEMA}".erased_customer (
      customer_id text PRIMARY KEY,
      erased_at timestamptz NOT NULL DEFAULT now()
    )`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${PRIVACY_SCHEMA}".erased_customer`);
  }
}

export const PRIVACY_MIGRATIONS: (new () => MigrationInterface)[] = [CustomerKeys1764561600000, ErasedCustomers1765600000000];

/** `CLOSELOOP_MASTER_KEY`, and during a rotation the key it replaces (`CLOSELOOP_PREVIOUS_MASTER_KEY`). */
export interface MasterKeys {
  current: MasterKey;
  previous?: MasterKey;
}

/** What the key store needs of a database: a DataSource, an EntityManager or a pg client all fit. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>;
}

interface KeyRow {
  key_id: string;
  master_key_id: string;
  wrapped: Buffer;
}

const toWrapped = (r: KeyRow): WrappedKey => ({ keyId: r.key_id, masterKeyId: r.master_key_id, wrapped: r.wrapped });

/** Unwraps with whichever configured master key wrapped it; throws when neither did (a wrong key stops, never guesses). */
export function unwrapWith(masters: MasterKeys, w: WrappedKey): DataKey {
  const master = masters.previous && w.masterKeyId === masters.previous.id ? masters.previous : masters.current;
  return unwrapKey(w, master);
}

/** How many unwrapped keys a store keeps at most, per map (the oldest go first): memory stays bounded however many customers. */
export const KEY_CACHE_MAX = 20_000;

export class CustomerKeyStore {
  private readonly byCustomer = new Map<string, { key: DataKey; until: number }>();
  private readonly byId = new Map<string, { key: Buffer | null; until: number }>();

  /**
   * @param ttlMs how long an unwrapped key (or its absence) is kept in memory: an erasure reaches every instance
   * within this time (the erasure orchestration waits it out before it says done).
   */
  constructor(
    private readonly db: Queryable,
    private readonly masters: MasterKeys,
    private readonly ttlMs = 60_000,
    private readonly maxCached = KEY_CACHE_MAX,
  ) {}

  /**
   * The customer's data key, created on first sight. `within`: the caller's transaction (the outbox's), so a key is
   * never waited for on a second connection while one is held (a pool of N busy transactions would wait on itself);
   * a key created there is committed or rolled back with the events sealed under it, and is only cached once it was
   * found already committed. One round trip when the key exists (the common case downstream of ingest), two to create.
   * Null for an erased customer (a tombstone in `privacy.erased_customer`, ADR 0026): an in-flight event passed on
   * after the erasure is sealed with its personal fields erased, and no key is made for it.
   */
  async keyFor(customerId: string, within?: Queryable): Promise<DataKey | null> {
    const cached = this.fresh(this.byCustomer, customerId);
    if (cached) return cached.key;
    const db = within ?? this.db;
    const found = await this.select(db, [customerId]);
    const existing = found.get(customerId);
    if (existing) {
      const key = unwrapWith(this.masters, existing);
      // a row this very transaction created (created_at = its start) may still roll back: not remembered
      if (!within || existing.settled) this.remember(customerId, key);
      return key;
    }
    const fresh = newDataKey(randomUUID());
    const wrapped = wrapKey(fresh, this.masters.current);
    const created: unknown[] = await db.query(
      `INSERT INTO "${PRIVACY_SCHEMA}".customer_key (customer_id, key_id, master_key_id, wrapped)
       SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM "${PRIVACY_SCHEMA}".erased_customer WHERE customer_id = $1)
       ON CONFLICT (customer_id) DO NOTHING RETURNING key_id`,
      [customerId, wrapped.keyId, wrapped.masterKeyId, wrapped.wrapped],
    );
    if (created.length) {
      // ours: remembered only when committed on its own (not inside a transaction that may still roll back)
      if (!within) this.remember(customerId, fresh);
      return fresh;
    }
    // another instance created it in between (theirs is the customer's key), or the customer is erased (tombstone)
    const again = await this.select(db, [customerId]);
    const w = again.get(customerId);
    if (!w) return null;
    const key = unwrapWith(this.masters, w);
    if (!within || w.settled) this.remember(customerId, key);
    return key;
  }

  /**
   * The data keys of many customers at once (ingest's requests): one multi-row INSERT creates the missing ones (a new
   * customer costs that one round trip), one SELECT reads the ones that existed; outside any transaction, so every key
   * returned is committed and cached. This is the path of new feedback (ingest): a customer erased before gets a new
   * key, deliberately (their tombstone is removed; `onRevived` hears their ids, to log it), ADR 0026.
   */
  async keysFor(customerIds: Iterable<string>, opts: { onRevived?: (customerIds: string[]) => void } = {}): Promise<Map<string, DataKey>> {
    const out = new Map<string, DataKey>();
    const wanted: string[] = [];
    for (const id of new Set(customerIds)) {
      const cached = this.fresh(this.byCustomer, id);
      if (cached) out.set(id, cached.key);
      else wanted.push(id);
    }
    if (!wanted.length) return out;
    const fresh = wanted.map(() => newDataKey(randomUUID()));
    const wrapped = fresh.map((k) => wrapKey(k, this.masters.current));
    const inserted: { customer_id: string }[] = await this.db.query(
      `INSERT INTO "${PRIVACY_SCHEMA}".customer_key (customer_id, key_id, master_key_id, wrapped)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::bytea[]) ON CONFLICT (customer_id) DO NOTHING
       RETURNING customer_id`,
      [wanted, wrapped.map((w) => w.keyId), wrapped.map((w) => w.masterKeyId), wrapped.map((w) => w.wrapped)],
    );
    const ours = new Set(inserted.map((r) => r.customer_id));
    if (ours.size) {
      const revived: { customer_id: string }[] = await this.db.query(
        `DELETE FROM "${PRIVACY_SCHEMA}".erased_customer WHERE customer_id = ANY($1::text[]) RETURNING customer_id`,
        [[...ours]],
      );
      if (revived.length) opts.onRevived?.(revived.map((r) => r.customer_id));
    }
    const existing = wanted.filter((id) => !ours.has(id));
    const found = existing.length ? await this.select(this.db, existing) : new Map<string, WrappedKey>();
    wanted.forEach((id, i) => {
      let key: DataKey;
      if (ours.has(id)) key = fresh[i];
      else {
        const w = found.get(id);
        if (!w) throw new Error('a customer key was erased while it was being created; try again');
        key = unwrapWith(this.masters, w);
      }
      this.remember(id, key);
      out.set(id, key);
    });
    return out;
  }

  /** `settled`: created before the reading transaction began, so committed by someone else (never rolled back with it). */
  private async select(db: Queryable, customerIds: string[]): Promise<Map<string, WrappedKey & { settled: boolean }>> {
    const rows: (KeyRow & { customer_id: string; settled: boolean })[] = await db.query(
      `SELECT customer_id, key_id, master_key_id, wrapped, created_at < now() AS settled
         FROM "${PRIVACY_SCHEMA}".customer_key WHERE customer_id = ANY($1::text[])`,
      [customerIds],
    );
    return new Map(rows.map((r) => [r.customer_id, { ...toWrapped(r), settled: r.settled }]));
  }

  /** A cached entry still within its time (moved to the end: least recently used goes first); an expired one is dropped. */
  private fresh<V extends { until: number }>(map: Map<string, V>, k: string): V | undefined {
    const v = map.get(k);
    if (!v) return undefined;
    map.delete(k);
    if (v.until <= Date.now()) return undefined;
    map.set(k, v);
    return v;
  }

  private put<V>(map: Map<string, V>, k: string, v: V): void {
    map.delete(k); // re-inserted last: the Map's order is the order of use
    map.set(k, v);
    while (map.size > this.maxCached) map.delete(map.keys().next().value as string);
  }

  /**
   * A data key by id, or null when it was erased (or never existed). `within`: the consumer's transaction (its
   * batch's, ADR 0023), so a handler never waits for a second connection while its batch holds one.
   */
  async keyById(keyId: string, within?: Queryable): Promise<Buffer | null> {
    const cached = this.fresh(this.byId, keyId);
    if (cached) return cached.key;
    const rows: KeyRow[] = await (within ?? this.db).query(
      `SELECT key_id, master_key_id, wrapped FROM "${PRIVACY_SCHEMA}".customer_key WHERE key_id = $1`,
      [keyId],
    );
    const key = rows.length ? unwrapWith(this.masters, toWrapped(rows[0])).key : null;
    this.put(this.byId, keyId, { key, until: Date.now() + this.ttlMs });
    return key;
  }

  /**
   * `keyById` for many ids at once (a consumer's fetched batch): one SELECT for the ones not cached, each answer cached
   * as `keyById` caches it (an absent key as null). A key committed before `within` began is also remembered under its
   * customer, so sealing the events that batch produces finds it without another round trip.
   */
  async prefetchByIds(keyIds: Iterable<string>, within?: Queryable): Promise<void> {
    const wanted = [...new Set(keyIds)].filter((id) => !this.fresh(this.byId, id));
    if (!wanted.length) return;
    const rows: (KeyRow & { customer_id: string; settled: boolean })[] = await (within ?? this.db).query(
      `SELECT customer_id, key_id, master_key_id, wrapped, created_at < now() AS settled
         FROM "${PRIVACY_SCHEMA}".customer_key WHERE key_id = ANY($1::uuid[])`,
      [wanted],
    );
    const until = Date.now() + this.ttlMs;
    const found = new Set<string>();
    for (const r of rows) {
      const key = unwrapWith(this.masters, toWrapped(r));
      found.add(r.key_id);
      if (!within || r.settled) this.remember(r.customer_id, key);
      else this.put(this.byId, r.key_id, { key: key.key, until });
    }
    for (const id of wanted) if (!found.has(id)) this.put(this.byId, id, { key: null, until });
  }

  /**
   * Crypto-shredding: deletes the customer's key and leaves a tombstone (so `keyFor` does not make a new one). True when
   * there was a key. (Other instances forget it within ttlMs.) `within`: the caller's transaction (the erasure's step).
   */
  async erase(customerId: string, within?: Queryable): Promise<boolean> {
    // a SELECT around the DELETE: every driver answers it with the rows (TypeORM answers a bare DELETE with [rows, count])
    const rows: { key_id: string }[] = await (within ?? this.db).query(
      `WITH gone AS (DELETE FROM "${PRIVACY_SCHEMA}".customer_key WHERE customer_id = $1 RETURNING key_id),
            tomb AS (INSERT INTO "${PRIVACY_SCHEMA}".erased_customer (customer_id) VALUES ($1)
                     ON CONFLICT (customer_id) DO UPDATE SET erased_at = now())
       SELECT key_id FROM gone`,
      [customerId],
    );
    this.byCustomer.delete(customerId);
    for (const r of rows) this.byId.delete(r.key_id);
    return rows.length > 0;
  }

  private remember(customerId: string, key: DataKey): void {
    const until = Date.now() + this.ttlMs;
    this.put(this.byCustomer, customerId, { key, until });
    this.put(this.byId, key.id, { key: key.key, until });
  }
}

/**
 * Master-key rotation: every data key wrapped by `from` is re-wrapped by `to`, in batches, each in its own
 * transaction (rows locked, so two rotations never race). Events are not touched: their fields name the data key,
 * which stays the same. Resumable: what is already under `to` is skipped. Returns how many keys were re-wrapped.
 */
export async function rotateMasterKey(
  transaction: <T>(work: (q: Queryable) => Promise<T>) => Promise<T>,
  from: MasterKey,
  to: MasterKey,
  batchSize = 500,
): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await transaction(async (q) => {
      const rows: KeyRow[] = await q.query(
        `SELECT key_id, master_key_id, wrapped FROM "${PRIVACY_SCHEMA}".customer_key WHERE master_key_id = $1
         ORDER BY key_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [from.id, batchSize],
      );
      for (const r of rows) {
        const w = wrapKey(unwrapKey(toWrapped(r), from), to);
        await q.query(`UPDATE "${PRIVACY_SCHEMA}".customer_key SET master_key_id = $2, wrapped = $3 WHERE key_id = $1`, [w.keyId, w.masterKeyId, w.wrapped]);
      }
      return rows.length;
    });
    total += n;
    if (n < batchSize) return total;
  }
}
