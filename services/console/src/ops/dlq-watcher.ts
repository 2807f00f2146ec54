import { randomBytes } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Consumer } from 'kafkajs';
import type { Logger } from 'pino';
import { ensureTopics, prefixed } from '@closeloop/messaging';
import type { ConsoleConfig } from '../config';
import { CONSOLE_CONFIG, CONSOLE_LOGGER } from '../tokens';
import { KafkaOps } from './kafka-ops';
import { DLQ_TOPICS, DeadLetter, headersToStrings } from './dead-letters';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Tails every dead-letter topic and keeps the latest `keep` dead letters of each in memory, so the ops page
 * shows them without a consumer group join per request. It never commits: each start reads the DLQs from the
 * beginning (they are small by nature), and its group id is unique per process so replicas don't split them.
 * A dead letter older than the kept ones is fetched on demand (`fetch`).
 */
@Injectable()
export class DlqWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer: Consumer | null = null;
  private started: Promise<void> | null = null;
  private readonly latest = new Map<string, DeadLetter[]>();
  readonly keep = 50;

  constructor(
    @Inject(CONSOLE_CONFIG) private readonly cfg: ConsoleConfig,
    @Inject(CONSOLE_LOGGER) private readonly logger: Logger,
    private readonly ops: KafkaOps,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // the app and its Kafka microservice share this module: Nest bootstraps it once for each
    this.started ??= this.start();
    return this.started;
  }

  private async start(): Promise<void> {
    await ensureTopics(this.ops.kafka, this.cfg.kafka);
    const consumer = this.ops.kafka.consumer({
      groupId: prefixed(this.cfg.kafka, `console-dlq-watch-${randomBytes(4).toString('hex')}`),
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      // a disconnect waits for the fetch in flight: keep it short so the console stops promptly
      maxWaitTimeInMs: 500,
    });
    await consumer.connect();
    await consumer.subscribe({ topics: DLQ_TOPICS.map((t) => prefixed(this.cfg.kafka, t)), fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const logical = topic.slice(this.cfg.kafka.topicPrefix.length);
        const list = this.latest.get(logical) ?? [];
        list.push({
          topic: logical,
          partition,
          offset: message.offset,
          timestamp: new Date(Number(message.timestamp)).toISOString(),
          key: message.key?.toString('utf8') ?? null,
          value: message.value,
          headers: headersToStrings(message.headers as Record<string, unknown>),
        });
        if (list.length > this.keep) list.splice(0, list.length - this.keep);
        this.latest.set(logical, list);
      },
    });
    this.consumer = consumer;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.started?.catch(() => undefined);
    const c = this.consumer;
    this.consumer = null;
    await c?.disconnect();
  }

  /** The latest dead letters of a DLQ topic (logical name), newest first. */
  recent(topic: string, limit = 20): DeadLetter[] {
    return [...(this.latest.get(topic) ?? [])].reverse().slice(0, limit);
  }

  cached(topic: string, partition: number, offset: string): DeadLetter | undefined {
    return this.latest.get(topic)?.find((d) => d.partition === partition && d.offset === offset);
  }

  /**
   * Reads one message at (topic, partition, offset) with a short-lived consumer that seeks there and never commits.
   * Null when the offset is outside what the partition retains.
   */
  async fetch(topic: string, partition: number, offset: string): Promise<DeadLetter | null> {
    const cached = this.cached(topic, partition, offset);
    if (cached) return cached;
    const physical = prefixed(this.cfg.kafka, topic);
    const ends = await this.ops.topicEnds(physical).catch(() => []);
    const p = ends.find((e) => e.partition === partition);
    if (!p || BigInt(offset) < BigInt(p.low) || BigInt(offset) >= BigInt(p.high)) return null;
    const consumer = this.ops.kafka.consumer({ groupId: prefixed(this.cfg.kafka, `console-dlq-fetch-${randomBytes(4).toString('hex')}`), allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
    let found: DeadLetter | null = null;
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: physical, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition: part, message }) => {
          if (part !== partition || message.offset !== offset || found) return;
          found = {
            topic,
            partition,
            offset,
            timestamp: new Date(Number(message.timestamp)).toISOString(),
            key: message.key?.toString('utf8') ?? null,
            value: message.value,
            headers: headersToStrings(message.headers as Record<string, unknown>),
          };
        },
      });
      consumer.seek({ topic: physical, partition, offset });
      const deadline = Date.now() + 15_000;
      while (!found && Date.now() < deadline) await sleep(50);
      if (!found) this.logger.warn({ topic, partition, offset }, 'dead letter not read within 15 s');
      return found;
    } finally {
      await consumer.disconnect();
    }
  }
}
