import { Client } from 'pg';
import { runMigrations } from '@closeloop/platform';
import { testInfra, uniqueName } from '@closeloop/testing';
import { loadIngestConfig } from '../src/config';
import { databaseOptions } from '../src/database';

/** The ops API's tokens: emre is ops in config/closeloop.yaml, ayse an agent (refused there: SPEC §12). */
export const OPS_TOKEN = uniqueName('ops-token-emre');
export const AGENT_TOKEN = uniqueName('agent-token-ayse');

/**
 * A schema of its own for one ingest test file, in the run's Postgres: `env` goes into the service's environment,
 * `migrate()` runs ingest's migrations on it (as migrate.js does), `drop()` removes it.
 */
export function ingestSchema(label: string) {
  const schema = uniqueName(`ingest_${label}`).toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const env = { DATABASE_URL: testInfra().databaseUrl, CLOSELOOP_MASTER_KEY: testInfra().masterKey, DATABASE_SCHEMA: schema, DATABASE_POOL_SIZE: '4', API_TOKENS: `emre:${OPS_TOKEN},ayse:${AGENT_TOKEN}` };
  return {
    schema,
    env,
    async migrate(): Promise<void> {
      const { database } = loadIngestConfig({ ...env, KAFKA_BROKERS: '127.0.0.1:9092', INGEST_API_KEYS: 'migrations-only-0123456789' });
      await runMigrations(databaseOptions({ database }));
    },
    /** A plain client on the same database, for asserting on what ingest wrote. */
    async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
      const c = new Client({ connectionString: env.DATABASE_URL });
      await c.connect();
      try {
        return (await c.query(sql, params)).rows as T[];
      } finally {
        await c.end();
      }
    },
    async drop(): Promise<void> {
      const c = new Client({ connectionString: env.DATABASE_URL });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}
