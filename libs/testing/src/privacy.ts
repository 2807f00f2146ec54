import { Client } from 'pg';
import type { Envelope, Topic } from '@closeloop/contracts';
import { CustomerKeyStore, parseMasterKey, openEvent } from '@closeloop/platform';
import { testInfra } from './harness';

/**
 * A key store on the run's database (or `databaseUrl`: an e2e file's own) and master key (ADR 0024), as the services
 * open it, without a cache; `close()` when done.
 */
export async function testKeyStore(opts: { databaseUrl?: string; masterKey?: string } = {}): Promise<{ keys: CustomerKeyStore; close(): Promise<void> }> {
  const client = new Client({ connectionString: opts.databaseUrl ?? testInfra().databaseUrl });
  await client.connect();
  const keys = new CustomerKeyStore({ query: async (sql, params) => (await client.query(sql, params)).rows }, { current: parseMasterKey(opts.masterKey ?? testInfra().masterKey) }, 0);
  return { keys, close: () => client.end() };
}

/**
 * Messages of a topic as a consumer reads them: parsed, and their personal fields decrypted with the run's keys (an
 * erased customer's read as ERASED). Tests that check what was published read through this, as the services do.
 */
export async function openedEvents<E extends { data: unknown } = Envelope<string, any>>(
  topic: Topic,
  values: readonly (string | Buffer | null | undefined)[],
  opts: { databaseUrl?: string } = {},
): Promise<E[]> {
  const store = await testKeyStore(opts);
  try {
    const out: E[] = [];
    for (const v of values) out.push(await openEvent(topic, JSON.parse(v?.toString() ?? 'null') as E, (id) => store.keys.keyById(id)));
    return out;
  } finally {
    await store.close();
  }
}
