import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';

/** Infrastructure handed over by the jest global setup (libs/testing/jest/global-setup.mjs). */
export function testInfra(): { brokers: string[]; databaseUrl: string; topicPrefix: string; masterKey: string } {
  const brokers = process.env.KAFKA_BROKERS;
  const databaseUrl = process.env.DATABASE_URL;
  const masterKey = process.env.CLOSELOOP_MASTER_KEY;
  if (!brokers || !databaseUrl || !masterKey) {
    throw new Error('KAFKA_BROKERS / DATABASE_URL / CLOSELOOP_MASTER_KEY not set: run integration tests through jest --selectProjects int (global setup provisions them)');
  }
  return { brokers: brokers.split(','), databaseUrl, topicPrefix: process.env.KAFKA_TOPIC_PREFIX ?? '', masterKey };
}

/** A unique suffix so test files sharing one run never share topics, groups or schemas. */
export function uniqueName(base: string): string {
  return `${base}_${randomBytes(4).toString('hex')}`;
}

/** Kafka settings for one test file: the run's prefix plus a file-unique part. */
export function testKafkaSettings(label: string) {
  const { brokers, topicPrefix } = testInfra();
  return { brokers, topicPrefix: `${topicPrefix}${uniqueName(label)}.` };
}

export const testLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function testKafka(): Kafka {
  return new Kafka({ clientId: 'closeloop-test', brokers: testInfra().brokers, logLevel: logLevel.NOTHING });
}

/** Polls until `probe` returns a truthy value (returned) or the time is up (throws with the last value). */
export async function waitFor<T>(probe: () => Promise<T> | T, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let last: T | undefined;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (last) return last;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
  throw new Error(`timed out waiting for ${opts.what ?? 'condition'} (last value: ${JSON.stringify(last)}${lastErr ? `, last error: ${(lastErr as Error).message}` : ''})`);
}

/**
 * The longest a test's consumer lets the broker hold an empty fetch. Disconnecting waits for the fetch in flight,
 * so kafkajs' default (5 s) made every reader's disconnect take up to 5 s; messages arrive as soon as they are
 * there either way.
 */
export const READER_MAX_WAIT_MS = 200;

/** Reads every message currently on a topic (from the beginning), with headers decoded to strings. */
export async function readTopic(kafka: Kafka, topic: string, opts: { minCount?: number; timeoutMs?: number } = {}) {
  const out: { key: string | null; value: string | null; headers: Record<string, string>; partition: number; offset: string }[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), allowAutoTopicCreation: false, maxWaitTimeInMs: READER_MAX_WAIT_MS });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = Array.isArray(v) ? v.map(String).join(',') : String(v);
        out.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, headers, partition, offset: message.offset });
      },
    });
    await waitFor(() => out.length >= (opts.minCount ?? 1), { timeoutMs: opts.timeoutMs ?? 20_000, what: `${opts.minCount ?? 1} message(s) on ${topic}` });
    return out;
  } finally {
    await consumer.disconnect();
  }
}
