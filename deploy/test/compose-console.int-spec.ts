/**
 * `docker compose up`'s console, without Docker: on a fresh database, the migrations of the Compose `migrate` service
 * run (its command's list, its environment), then the console starts in-process with the environment its Compose
 * container gets (deploy/test/lib/compose.ts) and answers /health/ready with 200 on real Kafka and Postgres.
 *
 * Changed from the Compose environments, and only these, because Compose's names do not exist here:
 * - KAFKA_BROKERS and DATABASE_URL: the test's broker and a fresh database of this file's own (for `kafka:9092` and
 *   `postgres:5432` on Compose's network); KAFKA_TOPIC_PREFIX: this run's, so the shared broker stays isolated;
 * - CONSOLE_PORT=0 and HOST=127.0.0.1: a free local port (for 3000 on all interfaces);
 * - CLOSELOOP_CONFIG: the mounted config/closeloop.yaml's path in this checkout; LOG_LEVEL: the tests' level.
 */
import { INestApplication } from '@nestjs/common';
import { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { DatabaseOptions, runMigrations } from '@closeloop/platform';
import { testKafkaSettings } from '@closeloop/testing';
import { startConsole } from '../../services/console/src/app';
import { loadConsoleConfig } from '../../services/console/src/config';
import { databaseOptions as consoleDatabase } from '../../services/console/src/database';
import { databaseOptions as ingestDatabase } from '../../services/ingest/src/database';
import { databaseOptions as notificationDatabase } from '../../services/notification/src/database';
import { databaseOptions as scoringDatabase } from '../../services/scoring/src/database';
import { databaseOptions as ticketsDatabase } from '../../services/tickets/src/database';
import { createE2eDatabase } from '../../test/e2e/stack';
import { containerEnv, containerEnvOnThisHost, services } from './lib/compose';
import { migrateLoop } from './lib/repo';
import { loadMigrationConfig } from './lib/service-config';

/** What each service's migrate.js hands to runMigrations (its `databaseOptions`, as in services/<name>/src/migrate.ts). */
const MIGRATIONS: Record<string, (cfg: { database: { url: string; schema: string; poolSize: number } }) => DatabaseOptions> = {
  ingest: ingestDatabase,
  scoring: scoringDatabase,
  tickets: ticketsDatabase,
  notification: notificationDatabase,
  console: consoleDatabase,
};

describe('the console of docker-compose.yml', () => {
  let db: Awaited<ReturnType<typeof createE2eDatabase>>;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    db = await createE2eDatabase();
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('is ready (/health/ready 200, database and Kafka up) after the Compose migrations, with the Compose environment', async () => {
    const loop = migrateLoop(services.migrate.command.join(' ')) ?? [];
    expect(loop).toContain('console');
    // only what Compose gives is replaced: a variable it does not set would fail here, not be made up
    const replace = (env: Record<string, string>, values: Record<string, string>) => {
      for (const name of Object.keys(values)) expect(`${name}=${env[name] ? 'set' : 'unset'} by Compose`).toBe(`${name}=set by Compose`);
      return { ...env, ...values };
    };
    const migrateEnv = replace(containerEnv('migrate'), { DATABASE_URL: db.url });
    for (const service of loop) {
      expect(Object.keys(MIGRATIONS)).toContain(service);
      await runMigrations(MIGRATIONS[service]({ database: loadMigrationConfig(service, migrateEnv).database }));
    }

    const kafka = testKafkaSettings('compose_console');
    const env = {
      ...replace(containerEnvOnThisHost('console'), {
        KAFKA_BROKERS: kafka.brokers.join(','),
        DATABASE_URL: db.url,
        CONSOLE_PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      }),
      KAFKA_TOPIC_PREFIX: kafka.topicPrefix,
    };
    const cfg = loadConsoleConfig(env);
    // the console's own table, made by the migrations above and nothing else
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const table = await pg.query(`select to_regclass($1) as name`, [`${cfg.database.schema}.dlq_replay`]);
      expect(table.rows[0].name).toBe(`${cfg.database.schema}.dlq_replay`);
    } finally {
      await pg.end();
    }

    app = await startConsole(cfg);
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
    const body = await res.json();
    expect({ status: res.status, body }).toEqual({
      status: 200,
      body: expect.objectContaining({ status: 'ok', details: expect.objectContaining({ database: { status: 'up' }, kafka: { status: 'up' } }) }),
    });
  });
});
