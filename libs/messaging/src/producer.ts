import { CompressionTypes, IHeaders, Kafka, Message, Partitioners, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { Topic, TopicEvents, validateEvent } from '@closeloop/contracts';
import { InvalidEventError, KafkaUnavailableError } from './errors';
import { KafkaSettings, createKafka, prefixed } from './kafka';
import { producedTotal } from './metrics';

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

  async sendSerialized(messages: SerializedMessage[]): Promise<void> {
    if (!messages.length) return;
    const byTopic = new Map<string, Message[]>();
    for (const m of messages) {
      const t = prefixed(this.settings, m.topic);
      const list = byTopic.get(t) ?? [];
      list.push({ key: m.key, value: m.value, headers: m.headers });
      byTopic.set(t, list);
    }
    const producer = await this.get();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        producer.sendBatch({
          acks: -1,
          compression: CompressionTypes.None,
          topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
        }),
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
    for (const [topic, msgs] of byTopic) producedTotal.inc({ topic: topic.slice(this.settings.topicPrefix.length) }, msgs.length);
  }

  private async reset(): Promise<void> {
    const p = this.producer;
    this.producer = null;
    await p?.disconnect().catch(() => undefined);
  }

  async disconnect(): Promise<void> {
    await this.reset();
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
