import { Kafka } from 'kafkajs';
import { allTopicsWithDlq } from '@closeloop/contracts';
import { KafkaSettings, prefixed } from './kafka';

export const DLQ_MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

/**
 * Creates every topic of SPEC §8 and its dead-letter topic if missing, and waits for their leaders.
 * Idempotent; on a managed cluster (Strimzi KafkaTopics) it finds them all and does nothing.
 */
export async function ensureTopics(kafka: Kafka, s: KafkaSettings, opts: { partitions?: number; replicationFactor?: number } = {}): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = allTopicsWithDlq().map((t) => prefixed(s, t));
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: topic.endsWith('.dlq') ? 1 : (opts.partitions ?? 6),
          replicationFactor: opts.replicationFactor ?? -1,
          // a dead letter is the original message plus x-dlq-* headers: it must fit even when the original was at the limit
          configEntries: topic.endsWith('.dlq') ? [{ name: 'max.message.bytes', value: String(DLQ_MAX_MESSAGE_BYTES) }] : [],
        })),
      }).catch((err) => {
        // another instance created them at the same moment
        if (!/already exists/i.test(String(err?.message))) throw err;
      });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
