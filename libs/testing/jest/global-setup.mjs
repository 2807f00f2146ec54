// Jest globalSetup of the `int` project: one Kafka and one Postgres per run, shared by every worker, isolated per run.
// Workers are spawned after this resolves and inherit process.env, so what is set here is what tests see:
//   KAFKA_BROKERS, DATABASE_URL (a fresh database closeloop_test_<runId>), KAFKA_TOPIC_PREFIX (t<runId>.), CLOSELOOP_TEST_RUN_ID,
//   CLOSELOOP_MASTER_KEY (a fresh one per run: every file shares the run's database, so its `privacy` schema, ADR 0024).
// Services prefix every topic and consumer group with KAFKA_TOPIC_PREFIX; global-teardown.mjs deletes them all.
import crypto from 'node:crypto';
import kafkajs from 'kafkajs';
import pg from 'pg';
import { createDatabase, dropDatabase, provisionInfra, redact } from '../../../tools/infra/index.mjs';

export const STATE_KEY = '__closeloopTestInfra';
const STALE_AFTER_MS = 6 * 60 * 60 * 1000;
const log = (msg) => process.stderr.write(`[int setup] ${msg}\n`);

/** `<Date.now() base36><6 hex>`: lower-case letters and digits (valid in database, topic and group names), time-ordered. */
function newRunId() {
  return `${Date.now().toString(36)}${crypto.randomBytes(3).toString('hex')}`;
}

/** When run `runId` started, or NaN for names that are not ours. */
function runStartedAt(runId) {
  return /^[a-z0-9]{7,}$/.test(runId) ? parseInt(runId.slice(0, -6), 36) : NaN;
}

const isStale = (runId) => Date.now() - runStartedAt(runId) > STALE_AFTER_MS;

/**
 * Runs interrupted by Ctrl-C or a CI timeout never reach teardown. On servers that outlive a run (127.0.0.1:5432, a
 * shared KAFKA_BROKERS) their leftovers are removed here, once clearly abandoned (started over 6 hours ago).
 */
async function sweepAbandonedRuns(infra) {
  const client = new pg.Client({ connectionString: infra.postgres.url });
  await client.connect();
  let databases;
  try {
    databases = (await client.query(`select datname from pg_database where datname like 'closeloop\\_test\\_%'`)).rows
      .map((r) => r.datname)
      .filter((name) => isStale(name.slice('closeloop_test_'.length)));
  } finally {
    await client.end();
  }
  for (const name of databases) await dropDatabase(infra.postgres.url, name);

  let topics = [];
  if (infra.kafka.source === 'env') {
    const admin = new kafkajs.Kafka({ clientId: 'closeloop-int-setup', brokers: infra.kafka.brokers.split(','), logLevel: kafkajs.logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      topics = (await admin.listTopics()).filter((topic) => /^t[a-z0-9]+\./.test(topic) && isStale(topic.slice(1, topic.indexOf('.'))));
      if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    } finally {
      await admin.disconnect();
    }
  }
  if (databases.length + topics.length > 0) log(`removed leftovers of abandoned runs: ${databases.length} databases, ${topics.length} topics`);
}

export default async function globalSetup() {
  const started = Date.now();
  const runId = newRunId();
  const infra = await provisionInfra({ log });
  const dbName = `closeloop_test_${runId}`;
  let databaseUrl;
  try {
    await sweepAbandonedRuns(infra).catch((err) => log(`could not sweep abandoned runs: ${err.message}`));
    databaseUrl = await createDatabase(infra.postgres.url, dbName);
  } catch (err) {
    await infra.stop().catch(() => {});
    throw err;
  }
  const topicPrefix = `t${runId}.`;
  globalThis[STATE_KEY] = { infra, runId, dbName, adminUrl: infra.postgres.url, topicPrefix };

  process.env.KAFKA_BROKERS = infra.kafka.brokers;
  process.env.DATABASE_URL = databaseUrl;
  process.env.KAFKA_TOPIC_PREFIX = topicPrefix;
  process.env.CLOSELOOP_TEST_RUN_ID = runId;
  process.env.CLOSELOOP_MASTER_KEY = crypto.randomBytes(32).toString('base64');
  log(`run ${runId}: Kafka ${infra.kafka.brokers} (${infra.kafka.source}), Postgres ${redact(databaseUrl)} (${infra.postgres.source}), ` +
    `topic prefix ${topicPrefix} — ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
