import { Admin, CompressionTypes, IHeaders, Kafka, Message, PartitionMetadata, Partitioners, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { Topic, TopicEvents, validateEvent } from '@closeloop/contracts';
import { InvalidEventError, KafkaUnavailableError } from './errors';
import { KafkaSettings, createKafka, prefixed } from './kafka';
import { producedTotal } from './metrics';
import { unanswered } from './unanswered';

export interface OutgoingEvent<T extends Topic = Topic> {
  topic: T;
  key: string;
  event: TopicEvents[T];
  headers?: IHeaders;
}

/** A message whose event was already validated (e.g. when written to the outbox): sent as is. */
export interface SerializedMessage {
  topic: Topic | string;
  key: string;
  value: string;
  headers?: IHeaders;
}

/**
 * The one way events leave a service: validated against the contract, keyed, acks=all, idempotent,
 * Java-compatible partitioning (same key → same partition as Kafka's own clients).
 */
export class EventProducer {
  private producer: Producer | null = null;
  private connecting: Promise<Producer> | null = null;
  private readonly kafka: Kafka;

  constructor(private readonly settings: KafkaSettings, clientId: string, private readonly logger: Logger, private readonly sendTimeoutMs = 15_000) {
    this.kafka = createKafka(settings, clientId, logger);
  }

  async connect(): Promise<void> {
    await this.get();
  }

  private get(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    if (!this.connecting) {
      const p = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { initialRetryTime: 200, maxRetryTime: 3_000, retries: 5 },
      });
      this.connecting = p.connect().then(
        () => {
          this.producer = p;
          this.connecting = null;
          return p;
        },
        (err) => {
          this.connecting = null;
          throw new KafkaUnavailableError(`cannot connect to Kafka: ${(err as Error).message}`, err);
        },
      );
    }
    return this.connecting;
  }

  /** Validates and sends; resolves only when every message is acknowledged by all in-sync replicas. */
  async publish(events: OutgoingEvent[]): Promise<void> {
    const messages: SerializedMessage[] = events.map((e) => {
      const v = validateEvent(e.topic, e.event);
      if (!v.ok) throw new InvalidEventError(e.topic, e.event.type, v.errors);
      return { topic: e.topic, key: e.key, value: JSON.stringify(e.event), headers: { ...e.headers, 'event-type': e.event.type } };
    });
    await this.sendSerialized(messages);
  }

  /**
   * Sends and resolves when Kafka acknowledged every message (acks=all). Each message gets its partition here, the
   * one kafkajs' default partitioner picks (same key → same partition), so that the answer can be checked: a
   * partition kafkajs left without an answer (tulios/kafkajs#1303, unanswered.ts) is sent again, up to three times,
   * then the send fails (the caller retries it: the outbox keeps its rows, ingest answers 503) — never a silent loss.
   */
  async sendSerialized(messages: SerializedMessage[]): Promise<void> {
    if (!messages.length) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.sendPlaced(messages),
        new Promise((_, rej) => (timer = setTimeout(() => rej(new KafkaUnavailableError(`Kafka did not acknowledge within ${this.sendTimeoutMs} ms`)), this.sendTimeoutMs))),
      ]);
    } catch (err) {
      // the idempotent producer is unusable after a sequence error; start a fresh one next time
      if (/OUT_OF_ORDER_SEQUENCE_NUMBER|INVALID_PRODUCER_EPOCH|UNKNOWN_PRODUCER_ID/.test(String((err as { type?: string })?.type ?? (err as Error)?.message))) {
        this.logger.warn({ err }, 'recreating Kafka producer after a sequence error');
        await this.reset();
      }
      if (err instanceof KafkaUnavailableError) throw err;
      throw new KafkaUnavailableError(`Kafka did not acknowledge: ${(err as Error).message}`, err);
    } finally {
      clearTimeout(timer);
    }
    const perTopic = new Map<string, number>();
    for (const m of messages) perTopic.set(m.topic, (perTopic.get(m.topic) ?? 0) + 1);
    for (const [topic, n] of perTopic) producedTotal.inc({ topic }, n);
  }

  private async sendPlaced(messages: SerializedMessage[]): Promise<void> {
    const named = messages.map((m) => ({ topic: prefixed(this.settings, m.topic), message: { key: m.key, value: m.value, headers: m.headers } }));
    const partitions = await this.partitionsOf([...new Set(named.map((n) => n.topic))]);
    let pending = named.map(({ topic, message }) => ({ topic, message, partition: this.partitioner({ topic, partitionMetadata: partitions.get(topic) ?? [], message }) }));
    const producer = await this.get();
    for (let attempt = 1; ; attempt++) {
      const byTopic = new Map<string, Message[]>();
      for (const p of pending) {
        const list = byTopic.get(p.topic) ?? [];
        if (!list.length) byTopic.set(p.topic, list);
        list.push({ ...p.message, partition: p.partition });
      }
      const answers = await producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
      });
      const left = unanswered(pending, answers);
      if (!left.length) return;
      const where = [...new Set(left.map((p) => `${p.topic}[${p.partition}]`))];
      if (attempt >= 3) throw new KafkaUnavailableError(`Kafka answered a send without ${left.length} of its messages (${where.join(', ')}), ${attempt} times`);
      this.logger.warn({ partitions: where, messages: left.length, attempt }, 'Kafka answered a send without some of its partitions (kafkajs#1303); sending those again');
      pending = left;
    }
  }

  /** kafkajs' default partitioner (murmur2 of the key, as Kafka's Java client): the partition it would pick itself. */
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly partitionCache = new Map<string, { at: number; partitions: PartitionMetadata[] }>();
  private admin: Promise<Admin> | null = null;

  /**
   * Each topic's partitions. A topic not yet known is read from the cluster before the send (a failure fails the send);
   * a known one is used as known and read again in the background once it is a minute old, so a send never waits on
   * that read (nor on an outage it would run into).
   */
  private async partitionsOf(topics: string[]): Promise<Map<string, PartitionMetadata[]>> {
    const now = Date.now();
    const stale = topics.filter((t) => this.partitionCache.has(t) && now - (this.partitionCache.get(t)?.at ?? 0) > 60_000);
    if (stale.length && !this.refreshing) {
      this.refreshing = this.readPartitions(stale).then(
        () => (this.refreshing = null),
        () => (this.refreshing = null),
      );
    }
    const unknown = topics.filter((t) => !this.partitionCache.has(t));
    if (unknown.length) {
      try {
        await this.readPartitions(unknown);
      } catch (err) {
        throw new KafkaUnavailableError(`cannot read the partitions of ${unknown.join(', ')}: ${(err as Error).message}`, err);
      }
    }
    return new Map(topics.map((t) => [t, this.partitionCache.get(t)?.partitions ?? []]));
  }

  private refreshing: Promise<unknown> | null = null;

  private async readPartitions(topics: string[]): Promise<void> {
    const admin = await (this.admin ??= this.connectAdmin());
    const { topics: found } = await admin.fetchTopicMetadata({ topics });
    for (const t of found) this.partitionCache.set(t.name, { at: Date.now(), partitions: t.partitions });
  }

  private connectAdmin(): Promise<Admin> {
    const admin = this.kafka.admin();
    return admin.connect().then(
      () => admin,
      (err) => {
        this.admin = null;
        throw err;
      },
    );
  }

  private async reset(): Promise<void> {
    const p = this.producer;
    this.producer = null;
    await p?.disconnect().catch(() => undefined);
  }

  async disconnect(): Promise<void> {
    await this.reset();
    await this.refreshing;
    const admin = this.admin;
    this.admin = null;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
  }

  /** For readiness: the cluster answers. */
  async ping(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.describeCluster();
    } finally {
      await admin.disconnect();
    }
  }

  get client(): Kafka {
    return this.kafka;
  }
}
