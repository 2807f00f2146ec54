import { Admin, Kafka } from 'kafkajs';
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
        // waited for below: kafkajs' own wait gives up when a broker that has not yet learnt of the new topic answers
        // UNKNOWN_TOPIC_OR_PARTITION, which a cluster of several brokers does for a moment
        waitForLeaders: false,
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
      await waitForLeaders(admin, missing);
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}

/** Until every partition of `topics` has a leader, as every broker the admin asks sees it (60 s at most). */
export async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      const leaderless = meta.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0)).map((t) => t.name);
      if (meta.length === topics.length && leaderless.length === 0) return;
      last = `no leader yet for ${leaderless.join(', ') || 'some topics'}`;
    } catch (err) {
      const e = err as { type?: string; message?: string };
      if (e.type !== 'UNKNOWN_TOPIC_OR_PARTITION' && e.type !== 'LEADER_NOT_AVAILABLE') throw err;
      last = e.message ?? String(err);
    }
    if (Date.now() > deadline) throw new Error(`topics without a leader after ${timeoutMs / 1000} s: ${last}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
