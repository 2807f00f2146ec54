import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Topic, type FeedbackReceivedEvent } from '@closeloop/contracts';
import { runDatabaseUrl, uniqueName } from './run-infra';
import { CustomerKeyStore, ERASED, openEvent, parseMasterKey, rotateMasterKeyCommand, runMigrations, sealEvent, type MasterKeys } from '../src';

/**
 * The key store on real Postgres (ADR 0024): migrated with any service's migrations, keys created once per customer
 * across instances, master-key rotation re-wraps them so events sealed before still open, erasure shreds them.
 * The master keys here are this file's own: the rotation touches only the keys they wrapped, never the run's.
 */
const newMaster = () => randomBytes(32).toString('base64');
const [OLD, NEW] = [newMaster(), newMaster()];
const schema = uniqueName('privacy_it');
const customer = uniqueName('c-rotation');
let client: Client;

/** A key the test expects to exist (keyFor is null only for an erased customer). */
const must = <T>(v: T | null | undefined): T => {
  if (v === null || v === undefined) throw new Error('expected a key');
  return v;
};
const store = (keys: MasterKeys, ttlMs = 0, maxCached?: number) => new CustomerKeyStore({ query: async (sql, params) => (await client.query(sql, params)).rows }, keys, ttlMs, maxCached);
const AT = new Date().toISOString();
const event = (): FeedbackReceivedEvent => ({
  eventId: '6f1c2b1e-1a2b-4c3d-8e4f-5a6b7c8d9e0f', type: 'feedback.received', version: 1, occurredAt: AT, producer: 'it',
  data: {
    feedbackId: 'f-1', source: 'web', externalId: 'r-1', touchpoint: 'checkout', metric: 'nps', score: 1, receivedAt: AT,
    respondedAt: AT, comment: '服务员太粗鲁了', customer: { id: customer, name: 'Deniz Yılmaz', email: 'deniz@example.com' },
  },
});

beforeAll(async () => {
  // a service's migrations bring the privacy schema with them
  await runMigrations({ url: runDatabaseUrl(), schema, entities: [], migrations: [] });
  client = new Client({ connectionString: runDatabaseUrl() });
  await client.connect();
});
afterAll(async () => {
  await client?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client?.query('DELETE FROM privacy.customer_key WHERE customer_id = $1', [customer]);
  await client?.query('DELETE FROM privacy.erased_customer WHERE customer_id = $1', [customer]);
  await client?.end();
});

describe('customer keys in Postgres (ADR 0024)', () => {
  it('one key per customer however many instances ask at once, stored wrapped (never the key itself)', async () => {
    const master: MasterKeys = { current: parseMasterKey(OLD) };
    const keys = await Promise.all(Array.from({ length: 5 }, () => store(master).keyFor(customer).then(must)));
    expect(new Set(keys.map((k) => k.id)).size).toBe(1);
    const rows = (await client.query('SELECT key_id, master_key_id, wrapped FROM privacy.customer_key WHERE customer_id = $1', [customer])).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ key_id: keys[0].id, master_key_id: master.current.id });
    expect((rows[0].wrapped as Buffer).includes(keys[0].key)).toBe(false);
  });

  it('a key created in the outbox\'s transaction goes with it: rolled back, it is neither kept nor remembered', async () => {
    const other = uniqueName('c-rolled-back');
    const keys = store({ current: parseMasterKey(OLD) }, 60_000);
    const tx = new Client({ connectionString: runDatabaseUrl() });
    await tx.connect();
    try {
      await tx.query('BEGIN');
      const inside = await keys.keyFor(other, { query: async (sql, params) => (await tx.query(sql, params)).rows });
      await tx.query('ROLLBACK');
      const after = await keys.keyFor(other);
      expect(must(after).id).not.toBe(must(inside).id);
      expect((await client.query('SELECT key_id FROM privacy.customer_key WHERE customer_id = $1', [other])).rows).toEqual([{ key_id: must(after).id }]);
    } finally {
      await client.query('DELETE FROM privacy.customer_key WHERE customer_id = $1', [other]);
      await tx.end();
    }
  });

  it('a key read again in the transaction that created it is not remembered either: a rollback takes it away', async () => {
    const other = uniqueName('c-twice-in-tx');
    const keys = store({ current: parseMasterKey(OLD) }, 60_000);
    const tx = new Client({ connectionString: runDatabaseUrl() });
    await tx.connect();
    try {
      await tx.query('BEGIN');
      const within = { query: async (sql: string, params?: unknown[]) => (await tx.query(sql, params)).rows };
      const first = await keys.keyFor(other, within);
      expect(must(await keys.keyFor(other, within)).id).toBe(must(first).id); // two events of one new customer in one outbox write
      await tx.query('ROLLBACK');
      expect(must(await keys.keyFor(other)).id).not.toBe(must(first).id);
    } finally {
      await client.query('DELETE FROM privacy.customer_key WHERE customer_id = $1', [other]);
      await tx.end();
    }
  });

  it('keysFor: many customers in one go, new and known, one key each, the same keys keyFor gives', async () => {
    const master: MasterKeys = { current: parseMasterKey(OLD) };
    const ids = Array.from({ length: 40 }, (_, i) => uniqueName(`c-batch-${i}`));
    try {
      const known = await store(master).keyFor(ids[0]);
      const [a, b] = await Promise.all([store(master).keysFor([...ids, ids[1]]), store(master).keysFor(ids.slice(10))]);
      expect([...a.keys()].sort()).toEqual([...ids].sort());
      expect(a.get(ids[0])?.id).toBe(must(known).id);
      for (const id of ids.slice(10)) expect(b.get(id)?.id).toBe(a.get(id)?.id); // two instances at once: one key each
      expect(must(await store(master).keyFor(ids[39])).id).toBe(a.get(ids[39])?.id);
      expect(Number((await client.query('SELECT count(*) AS n FROM privacy.customer_key WHERE customer_id = ANY($1)', [ids])).rows[0].n)).toBe(40);
    } finally {
      await client.query('DELETE FROM privacy.customer_key WHERE customer_id = ANY($1)', [ids]);
    }
  });

  it('prefetchByIds: a batch\'s keys in one statement, then keyById and keyFor of those customers answer from memory', async () => {
    const master: MasterKeys = { current: parseMasterKey(OLD) };
    const ids = Array.from({ length: 5 }, (_, i) => uniqueName(`c-prefetch-${i}`));
    try {
      const found = await store(master).keysFor(ids);
      const keyOf = (id: string) => {
        const k = found.get(id);
        if (!k) throw new Error(`no key for ${id}`);
        return k;
      };
      const statements: string[] = [];
      const counting = new CustomerKeyStore({ query: async (sql, params) => (statements.push(sql), (await client.query(sql, params)).rows) }, master, 60_000);
      const unknown = '00000000-0000-4000-8000-000000000000';
      await counting.prefetchByIds([...ids.map((id) => keyOf(id).id), unknown, keyOf(ids[0]).id]);
      expect(statements).toHaveLength(1);
      for (const id of ids) {
        expect((await counting.keyById(keyOf(id).id))?.equals(keyOf(id).key)).toBe(true);
        expect((await counting.keyFor(id))?.id).toBe(keyOf(id).id);
      }
      expect(await counting.keyById(unknown)).toBeNull(); // absent: remembered as absent, like keyById does
      expect(statements).toHaveLength(1);
      await counting.prefetchByIds(ids.map((id) => keyOf(id).id)); // all cached: no statement
      expect(statements).toHaveLength(1);
    } finally {
      await client.query('DELETE FROM privacy.customer_key WHERE customer_id = ANY($1)', [ids]);
    }
  });

  it('keeps at most maxCached keys in memory: the oldest is read from Postgres again', async () => {
    const ids = [uniqueName('c-lru-a'), uniqueName('c-lru-b'), uniqueName('c-lru-c')];
    const keys = store({ current: parseMasterKey(OLD) }, 60_000, 2);
    try {
      const first = await keys.keyFor(ids[0]);
      await keys.keyFor(ids[1]);
      // behind the store's back: only a store that asks Postgres again sees that the first key is gone
      await client.query('DELETE FROM privacy.customer_key WHERE customer_id = $1', [ids[0]]);
      expect(must(await keys.keyFor(ids[0])).id).toBe(must(first).id); // still cached (2 of 2)
      await keys.keyFor(ids[2]); // a third: the least recently used (ids[1]) goes
      await client.query('DELETE FROM privacy.customer_key WHERE customer_id = $1', [ids[1]]);
      const second = await keys.keyFor(ids[1]);
      expect((await client.query('SELECT key_id FROM privacy.customer_key WHERE customer_id = $1', [ids[1]])).rows).toEqual([{ key_id: must(second).id }]);
    } finally {
      await client.query('DELETE FROM privacy.customer_key WHERE customer_id = ANY($1)', [ids]);
    }
  });

  it('rotation re-wraps the keys: events sealed before open with the new master key alone; the old one no longer opens them', async () => {
    const sealed = await sealEvent(Topic.FeedbackReceived, event(), (id) => store({ current: parseMasterKey(OLD) }).keyFor(id));
    expect(JSON.stringify(sealed)).not.toMatch(/服务员|Deniz|deniz@/);

    const env = { DATABASE_URL: runDatabaseUrl(), CLOSELOOP_MASTER_KEY: NEW, CLOSELOOP_PREVIOUS_MASTER_KEY: OLD };
    expect(await rotateMasterKeyCommand(env)).toMatch(/^re-wrapped 1 data key\(s\) from master key \w{8} to \w{8}/);
    expect(await rotateMasterKeyCommand(env)).toMatch(/^re-wrapped 0 data key/); // again: nothing left to do

    const opened = await openEvent(Topic.FeedbackReceived, sealed, (id) => store({ current: parseMasterKey(NEW) }).keyById(id));
    expect(opened).toEqual(event());
    // while services still run with the old key as their only one, they stop rather than read garbage
    await expect(openEvent(Topic.FeedbackReceived, sealed, (id) => store({ current: parseMasterKey(OLD) }).keyById(id))).rejects.toThrow(/wrapped by master key/);
  });

  it('refuses a rotation without the old key, or with the same key twice, naming the variable', async () => {
    const base = { DATABASE_URL: runDatabaseUrl(), CLOSELOOP_MASTER_KEY: NEW };
    await expect(rotateMasterKeyCommand(base)).rejects.toThrow(/CLOSELOOP_PREVIOUS_MASTER_KEY: required for a rotation/);
    await expect(rotateMasterKeyCommand({ ...base, CLOSELOOP_PREVIOUS_MASTER_KEY: NEW })).rejects.toThrow(/CLOSELOOP_PREVIOUS_MASTER_KEY: is the same key/);
  });

  it('erasure deletes the key: every copy of the event reads as erased (contacts as absent), never a throw', async () => {
    const keys = store({ current: parseMasterKey(NEW) });
    const sealed = await sealEvent(Topic.FeedbackReceived, event(), (id) => keys.keyFor(id));
    expect(await keys.erase(customer)).toBe(true);
    expect(await keys.erase(customer)).toBe(false);
    const opened = await openEvent(Topic.FeedbackReceived, sealed, (id) => store({ current: parseMasterKey(NEW) }).keyById(id));
    expect(opened.data).toMatchObject({ comment: ERASED, customer: { id: customer, name: ERASED } });
    expect(opened.data.customer.email).toBeUndefined();
  });

  it('a tombstone: after an erasure an in-flight event sealed again gets no new key (its fields read erased); new feedback through keysFor makes one, deliberately', async () => {
    const id = uniqueName('c-tombstone');
    const keys = store({ current: parseMasterKey(NEW) });
    try {
      const first = await keys.keyFor(id);
      expect(first).not.toBeNull();
      expect(await keys.erase(id)).toBe(true);
      expect((await client.query('SELECT count(*)::int AS n FROM privacy.erased_customer WHERE customer_id = $1', [id])).rows[0].n).toBe(1);
      // an outbox sealing an event of the erased customer (read before the key went): no key is made, the texts go erased
      expect(await keys.keyFor(id)).toBeNull();
      const ev = { ...event(), data: { ...event().data, customer: { id, name: 'Ayşe Kaya', email: 'ayse@example.com' }, comment: 'Garson çok kabaydı' } };
      const sealed = await sealEvent(Topic.FeedbackReceived, ev, (c) => keys.keyFor(c));
      expect(JSON.stringify(sealed)).not.toMatch(/Ayşe|ayse@|Garson/);
      expect(sealed.data).toMatchObject({ comment: ERASED, customer: { id, name: ERASED } });
      expect(sealed.data.customer.email).toBeUndefined();
      expect((await client.query('SELECT count(*)::int AS n FROM privacy.customer_key WHERE customer_id = $1', [id])).rows[0].n).toBe(0);
      // genuinely new feedback (ingest's keysFor) re-creates the key and lifts the tombstone, and says so
      const revived: string[][] = [];
      const again = (await keys.keysFor([id], { onRevived: (ids) => revived.push(ids) })).get(id);
      expect(again?.id).not.toBe(must(first).id);
      expect(revived).toEqual([[id]]);
      expect((await client.query('SELECT count(*)::int AS n FROM privacy.erased_customer WHERE customer_id = $1', [id])).rows[0].n).toBe(0);
      expect(must(await keys.keyFor(id)).id).toBe(must(again).id);
    } finally {
      await client.query('DELETE FROM privacy.customer_key WHERE customer_id = $1', [id]);
      await client.query('DELETE FROM privacy.erased_customer WHERE customer_id = $1', [id]);
    }
  });
});
