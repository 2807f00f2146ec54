import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { PRIVACY_MIGRATIONS, PRIVACY_SCHEMA } from './privacy/key-store';

export interface DatabaseOptions {
  url: string;
  /** The service's own schema: no service reads another's tables. */
  schema: string;
  entities: (new (...args: never[]) => unknown)[];
  migrations: (new () => MigrationInterface)[];
  poolSize?: number;
  applicationName?: string;
}

export function createDataSource(o: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: o.url,
    schema: o.schema,
    entities: o.entities,
    migrations: o.migrations,
    migrationsTableName: `${o.schema}_migrations`,
    migrationsTransactionMode: 'all',
    synchronize: false,
    logging: false,
    applicationName: o.applicationName ?? `closeloop-${o.schema}`,
    extra: {
      max: o.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      // pg keeps the process alive on idle clients otherwise; the service controls its own lifetime
      allowExitOnIdle: true,
    },
  });
}

/**
 * Creates the schema if needed and runs pending migrations, serialized across instances by an advisory lock
 * (two replicas starting together must not race on the same migration); then the same for the `privacy` schema.
 */
export async function runMigrations(o: DatabaseOptions): Promise<string[]> {
  const ran = await migrateSchema(o);
  // the customers' data keys (ADR 0024) live in the platform's own schema, which every service needs
  if (o.schema !== PRIVACY_SCHEMA) ran.push(...(await migrateSchema({ url: o.url, schema: PRIVACY_SCHEMA, entities: [], migrations: PRIVACY_MIGRATIONS })));
  return ran;
}

async function migrateSchema(o: DatabaseOptions): Promise<string[]> {
  const bootstrap = createDataSource({ ...o, entities: [], migrations: [], poolSize: 1 });
  await bootstrap.initialize();
  const lockKey = `closeloop.migrations.${o.schema}`;
  try {
    await bootstrap.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS "${o.schema}"`);
    const ds = createDataSource({ ...o, poolSize: 1 });
    await ds.initialize();
    try {
      const ran = await ds.runMigrations({ transaction: 'all' });
      return ran.map((m) => m.name);
    } finally {
      await ds.destroy();
    }
  } finally {
    await bootstrap.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => undefined);
    await bootstrap.destroy();
  }
}

export async function revertLastMigration(o: DatabaseOptions): Promise<void> {
  const ds = createDataSource({ ...o, poolSize: 1 });
  await ds.initialize();
  try {
    await ds.undoLastMigration({ transaction: 'all' });
  } finally {
    await ds.destroy();
  }
}

/** A migration written as plain SQL statements, so a migration file reads like the schema it creates. */
export function sqlMigration(name: string, up: string[], down: string[]): new () => MigrationInterface {
  const M = class implements MigrationInterface {
    name = name;
    async up(q: QueryRunner): Promise<void> {
      for (const s of up) await q.query(s);
    }
    async down(q: QueryRunner): Promise<void> {
      for (const s of down) await q.query(s);
    }
  };
  Object.defineProperty(M, 'name', { value: name });
  return M;
}

/** Errors that mean "the database is not reachable right now" (retry later), not "this input is bad". */
export function isTransientDatabaseError(err: unknown): boolean {
  const e = err as { code?: string; message?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code;
  if (code && /^(08|53|57P0[1-3])/.test(code)) return true; // connection exceptions, insufficient resources, admin shutdown
  if (code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return true;
  if (code === '40001' || code === '40P01') return true; // serialization failure, deadlock: retry
  const msg = e?.message ?? '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)|terminating connection/i.test(msg);
}
