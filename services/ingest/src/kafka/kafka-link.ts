import { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import type { ReadinessCheck } from '@closeloop/platform';
import { EventProducer, KafkaSettings, KafkaUnavailableError, SerializedMessage, ensureTopics, kafkaClientConfig } from '@closeloop/messaging';
import { CoalescingSender } from './coalescing-sender';

export type SizedMessage = SerializedMessage & { bytes: number };

const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 15_000;

/**
 * Ingest's connection to Kafka. Unlike the consuming services, ingest starts even when Kafka is down: it answers
 * 503 (never a 202 it could lose) and reports not-ready until the cluster answers, while it keeps connecting in
 * the background.
 *
 * Why a separate, fast-failing client for probing: the shared Kafka client retries a refused connection for about
 * a minute (right for riding out a broker restart mid-send), so the long-lived producer is only asked to connect
 * once a probe has reached the cluster, and requests never wait on a connection attempt — they fail at once
 * while disconnected and within `timeoutMs` when Kafka stops acknowledging.
 */
export class KafkaLink implements OnApplicationBootstrap, OnApplicationShutdown {
  private connected = false;
  private lastError = 'not connected yet';
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt: Promise<boolean> | undefined;
  private readonly probe: Kafka;
  private readonly sender: CoalescingSender<SizedMessage>;
  private firstConnected!: () => void;
  private readonly firstConnection = new Promise<void>((resolve) => (this.firstConnected = resolve));

  constructor(
    private readonly producer: EventProducer,
    private readonly settings: KafkaSettings,
    private readonly logger: Logger,
    timeoutMs: number,
  ) {
    this.probe = new Kafka({
      ...kafkaClientConfig(settings, 'closeloop-ingest-probe', logger),
      retry: { initialRetryTime: 200, maxRetryTime: 1_000, retries: 1 },
      // its failures are reported once, by connectOnce and the readiness answer, not as kafkajs error lines per retry
      logLevel: logLevel.NOTHING,
    });
    this.sender = new CoalescingSender((messages) => producer.sendSerialized(messages), timeoutMs);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!(await this.connectOnce())) this.scheduleRetry(RETRY_MIN_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.attempt;
    await this.producer.disconnect();
  }

  /** Sends and resolves once Kafka acknowledged every message (acks=all); throws KafkaUnavailableError otherwise. */
  async send(messages: SizedMessage[]): Promise<void> {
    if (!this.connected) throw new KafkaUnavailableError(`not connected to Kafka: ${this.lastError}`);
    // A send that times out may still be acknowledged later. The client was told 503 and resubmits;
    // the event id is the feedback id, so downstream inboxes see one event.
    await this.sender.submit(messages);
  }

  /**
   * Resolves once ingest has reached Kafka for the first time (its topics ensured): when its consumer may start
   * (ConsumerSettings.startAfter). Never, if Kafka never answers.
   */
  whenConnected(): Promise<void> {
    return this.firstConnection;
  }

  readiness(): ReadinessCheck {
    return {
      name: 'kafka',
      check: async () => {
        if (!this.connected) throw new Error(`not connected: ${this.lastError}`);
        await this.ping();
      },
    };
  }

  private async ping(): Promise<void> {
    const admin = this.probe.admin();
    await admin.connect();
    try {
      await admin.describeCluster();
    } finally {
      await admin.disconnect();
    }
  }

  private connectOnce(): Promise<boolean> {
    this.attempt = (async () => {
      try {
        await this.ping();
        await ensureTopics(this.probe, this.settings);
        if (this.stopped) return false;
        await this.producer.connect();
        this.connected = true;
        this.firstConnected();
        this.logger.info({ brokers: this.settings.brokers }, 'connected to Kafka');
        return true;
      } catch (err) {
        this.lastError = (err as Error).message;
        this.logger.warn({ brokers: this.settings.brokers, reason: this.lastError }, 'Kafka is not reachable; answering 503 and retrying in the background');
        return false;
      }
    })();
    return this.attempt;
  }

  private scheduleRetry(delayMs: number): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(async () => {
      if (this.stopped || (await this.connectOnce())) return;
      this.scheduleRetry(Math.min(delayMs * 2, RETRY_MAX_MS));
    }, delayMs);
  }
}
