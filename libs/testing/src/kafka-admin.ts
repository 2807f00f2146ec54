import { AssignerProtocol, type Admin, type Kafka } from 'kafkajs';

/**
 * What Kafka calls retriable: a leader that moved or is not elected yet, metadata that has not reached the broker a
 * request went to, a coordinator still loading, a dropped connection. kafkajs marks these `retriable`, also when they
 * are the cause of its "number of retries exceeded" wrapper.
 */
export function isRetriableKafkaError(err: unknown): boolean {
  for (let e = err as { retriable?: boolean; cause?: unknown; name?: string } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.retriable === true) return true;
    if (e.name === 'KafkaJSConnectionError' || e.name === 'KafkaJSConnectionClosedError' || e.name === 'KafkaJSRequestTimeoutError') return true;
  }
  return false;
}

/**
 * Runs `fn` with a connected admin client, retrying what Kafka calls retriable with a fresh client (and so fresh
 * metadata) each time, until `timeoutMs`. Anything else is thrown at once.
 */
export async function withAdmin<T>(kafka: Kafka, fn: (admin: Admin) => Promise<T>, opts: { timeoutMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (let attempt = 1; ; attempt++) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      return await fn(admin);
    } catch (err) {
      if (!isRetriableKafkaError(err) || Date.now() > deadline) {
        throw new Error(`${opts.what ?? 'Kafka admin request'} failed after ${attempt} attempt(s): ${(err as Error).message}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, Math.min(50 * attempt, 500)));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/** Fails (retriably) until every partition of `topic` has a leader, so offset requests go to the right broker. */
async function assertLeaders(admin: Admin, topic: string): Promise<void> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const leaderless = (topics[0]?.partitions ?? []).filter((p) => p.leader < 0);
  if (!topics[0] || topics[0].partitions.length === 0 || leaderless.length > 0) {
    throw Object.assign(new Error(`topic ${topic} has partitions without a leader`), { retriable: true });
  }
}

export interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
}

/** Low and high watermarks of every partition of a topic, once each partition has a leader. */
export async function topicOffsets(kafka: Kafka, topic: string): Promise<PartitionOffsets[]> {
  return withAdmin(kafka, async (admin) => {
    await assertLeaders(admin, topic);
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) })).sort((a, b) => a.partition - b.partition);
  }, { what: `offsets of ${topic}` });
}

/** How many messages a topic holds (high − low per partition: exact for an idempotent producer without transactions). */
export async function messagesOnTopic(kafka: Kafka, topic: string): Promise<number> {
  return (await topicOffsets(kafka, topic)).reduce((n, p) => n + p.high - p.low, 0);
}

/** The topics a consumer group's members are assigned right now. */
async function assignedTopics(admin: Admin, groupId: string): Promise<string[]> {
  const { groups } = await admin.describeGroups([groupId]);
  const topics = new Set<string>();
  for (const member of groups[0]?.members ?? []) {
    const decoded = member.memberAssignment?.length ? AssignerProtocol.MemberAssignment.decode(member.memberAssignment) : null;
    for (const topic of Object.keys(decoded?.assignment ?? {})) topics.add(topic);
  }
  return [...topics];
}

/**
 * Messages of `topics` (default: the topics its members are assigned) that a consumer group has not committed yet.
 * A partition without a committed offset counts everything it holds. 0 means the group has handled everything.
 */
export async function consumerLag(kafka: Kafka, groupId: string, topics?: string[]): Promise<number> {
  return withAdmin(kafka, async (admin) => {
    const names = [...new Set([...(topics ?? []), ...(await assignedTopics(admin, groupId))])];
    let lag = 0;
    for (const topic of names) {
      await assertLeaders(admin, topic);
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      for (const p of ends) {
        const c = Number(committed?.partitions.find((x) => x.partition === p.partition)?.offset ?? -1);
        lag += Number(p.high) - (c < 0 ? Number(p.low) : c);
      }
    }
    return lag;
  }, { what: `lag of ${groupId}` });
}
