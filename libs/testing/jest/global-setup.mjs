// Jest globalSetup of the `int` project: one Kafka and one Postgres per run, shared by every worker, isolated per run.
// Workers are spawned after this resolves and inherit process.env, so what is set here is what tests see:
//   KAFKA_BROKERS, DATABASE_URL (a fresh database closeloop_test_<runId>), KAFKA_TOPIC_PREFIX (t<runId>.), CLOSELOOP_TEST_RUN_ID.
// Services prefix every topic and consumer group with KAFKA_TOPIC_PREFIX; teardown deletes them all.
import crypto from 'node:crypto';
import { createDatabase, provisionInfra, redact } from '../../../tools/infra/index.mjs';

export const STATE_KEY = '__closeloopTestInfra';

function newRunId() {
  // Lower-case letters and digits: valid in database names and in topic and group names.
  return `${Date.now().toString(36)}${crypto.randomBytes(3).toString('hex')}`;
}

const log = (msg) => process.stderr.write(`[int setup] ${msg}\n`);

export default async function globalSetup() {
  const started = Date.now();
  const runId = newRunId();
  const infra = await provisionInfra({ log });
  const dbName = `closeloop_test_${runId}`;
  let databaseUrl;
  try {
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
  log(`run ${runId}: Kafka ${infra.kafka.brokers} (${infra.kafka.source}), Postgres ${redact(databaseUrl)} (${infra.postgres.source}), ` +
    `topic prefix ${topicPrefix} — ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
