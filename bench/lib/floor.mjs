// The floor under the pipeline figure (issue 14): the best this machine does for the same work with the same client.
// kafkajs `eachBatch` reads the run's feedback events (the pipeline phase's topic) with a fresh group and writes each
// fetched batch as ONE multi-row INSERT into an inbox-shaped and a feedback-shaped table, in ONE transaction per batch
// and partition, then resolves and commits the batch's offsets: what a persisting consumer cannot beat. No scoring, no
// routing file, no outbox, no decryption: every feedback field is stored as the event carries it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs');
const pg = require('pg');

const COLUMNS_PER_ROW = 7;

/**
 * @param {{ brokers: string, dbUrl: string, topic: string, expected: number, partitions: number, timeoutMs?: number }} o
 * @returns {Promise<{ messages: number, batches: number, meanBatch: number, perSec: number | null, overallPerSec: number | null, seconds: number }>}
 */
export async function measureFloor(o) {
  const schema = `bench_floor_${Date.now().toString(36)}`;
  const pool = new pg.Pool({ connectionString: o.dbUrl, max: o.partitions });
  const kafka = new Kafka({ clientId: 'closeloop-bench-floor', brokers: o.brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `${schema}`, maxBytesPerPartition: 1024 * 1024, maxWaitTimeInMs: 100 });
  /** [ms, messages committed so far] after each batch's commit */
  const marks = [];
  let done = 0;
  let batches = 0;
  let startedAt = 0;
  try {
    await pool.query(`CREATE SCHEMA ${schema}`);
    await pool.query(`CREATE TABLE ${schema}.inbox (event_id text PRIMARY KEY, topic text NOT NULL, consumed_at timestamptz NOT NULL DEFAULT now())`);
    await pool.query(`CREATE TABLE ${schema}.feedback (event_id text PRIMARY KEY, feedback_id text NOT NULL, customer_id text, touchpoint text,
      metric text, score integer, data jsonb NOT NULL)`);
    await consumer.connect();
    await consumer.subscribe({ topic: o.topic, fromBeginning: true });
    const finished = new Promise((resolve) => {
      consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: o.partitions,
        eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
          if (!batch.messages.length) return;
          startedAt ||= Date.now();
          const inbox = [];
          const feedback = [];
          const inboxValues = [];
          const feedbackValues = [];
          for (const m of batch.messages) {
            const text = m.value?.toString() ?? '{}';
            let e;
            try {
              e = JSON.parse(text);
            } catch {
              e = {};
            }
            const id = e.eventId ?? `${batch.partition}:${m.offset}`;
            const d = e.data ?? {};
            inboxValues.push(id, o.topic);
            inbox.push(`($${inboxValues.length - 1}, $${inboxValues.length})`);
            feedbackValues.push(id, d.feedbackId ?? id, d.customer?.id ?? null, d.touchpoint ?? null, d.metric ?? null, Number.isInteger(d.score) ? d.score : null, text);
            const n = feedbackValues.length;
            feedback.push(`(${Array.from({ length: COLUMNS_PER_ROW }, (_, i) => `$${n - COLUMNS_PER_ROW + 1 + i}`).join(', ')})`);
          }
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            await client.query(`INSERT INTO ${schema}.inbox (event_id, topic) VALUES ${inbox.join(', ')} ON CONFLICT DO NOTHING`, inboxValues);
            await client.query(`INSERT INTO ${schema}.feedback (event_id, feedback_id, customer_id, touchpoint, metric, score, data)
              VALUES ${feedback.join(', ')} ON CONFLICT DO NOTHING`, feedbackValues);
            await client.query('COMMIT');
          } catch (err) {
            await client.query('ROLLBACK').catch(() => {});
            throw err;
          } finally {
            client.release();
          }
          resolveOffset(batch.messages.at(-1).offset);
          await commitOffsetsIfNecessary();
          await heartbeat();
          done += batch.messages.length;
          batches++;
          marks.push([Date.now(), done]);
          if (done >= o.expected) resolve(undefined);
        },
      }).catch(() => resolve(undefined));
    });
    let timer;
    await Promise.race([finished, new Promise((r) => (timer = setTimeout(r, o.timeoutMs ?? 120_000)))]);
    clearTimeout(timer);
  } finally {
    await consumer.disconnect().catch(() => {});
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await pool.end().catch(() => {});
  }
  const at = (share) => marks.find(([, n]) => n >= share * o.expected);
  const a = at(0.1);
  const b = at(0.9);
  const last = marks.at(-1);
  return {
    messages: done, batches, meanBatch: batches ? Math.round(done / batches) : 0,
    // the steady rate, as the pipeline's: between 10% and 90% of the messages committed; with fewer than 10 batches
    // (a backlog read in a few large fetches) that window is a handful of commits, so the whole run's rate is used
    perSec: batches >= 10 && a && b && b[0] > a[0] ? Math.round((b[1] - a[1]) / ((b[0] - a[0]) / 1000))
      : last && startedAt ? Math.round(done / ((last[0] - startedAt) / 1000)) : null,
    overallPerSec: last && startedAt ? Math.round(done / ((last[0] - startedAt) / 1000)) : null,
    seconds: last && startedAt ? Math.round((last[0] - startedAt) / 100) / 10 : 0,
  };
}
