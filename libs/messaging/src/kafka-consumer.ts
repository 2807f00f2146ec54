import { ArgumentsHost, Catch, INestApplication, RpcExceptionFilter } from '@nestjs/common';
import { KafkaContext, ServerKafka } from '@nestjs/microservices';
import { Consumer, EachMessagePayload, IHeaders, Partitioners, Producer } from 'kafkajs';
import { isObservable, lastValueFrom, Observable, throwError } from 'rxjs';
import type { Logger } from 'pino';
import { DlqHeader, Topic, decodeEvent, dlqTopicOf } from '@closeloop/contracts';
import { isTransientDatabaseError } from '@closeloop/platform';
import { PermanentError } from './errors';
import { KafkaSettings, kafkaClientConfig, prefixed } from './kafka';
import { consumedTotal, handleSeconds } from './metrics';

export interface ConsumerSettings {
  kafka: KafkaSettings;
  clientId: string;
  /** Logical group id (prefixed like topics). */
  groupId: string;
  logger: Logger;
  /** Attempts for a handler error that is neither permanent nor transient, before dead-lettering. */
  maxAttempts?: number;
  backoff?: { initialMs: number; maxMs: number };
  partitionsConsumedConcurrently?: number;
  /** Errors that mean "a dependency is down": retried without limit, never dead-lettered. */
  isTransient?: (err: unknown) => boolean;
}

export function isTransientInfrastructureError(err: unknown): boolean {
  if (isTransientDatabaseError(err)) return true;
  const e = err as { name?: string; retriable?: boolean };
  return e?.name === 'KafkaUnavailableError' || (typeof e?.name === 'string' && e.name.startsWith('KafkaJS') && e.retriable === true);
}

/** Nest's default RPC filter replaces errors with "Internal server error"; we need the original to classify it. */
@Catch()
export class RethrowRpcErrors implements RpcExceptionFilter {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Nest's Kafka transport with the guarantees SPEC §8 asks for:
 * - every message is validated against its topic's contract before a handler sees it;
 * - a handler error is retried with backoff; a dependency outage is retried until it is over (the partition waits,
 *   nothing is skipped); a poison or permanently failing message goes to `<topic>.dlq` with the reason in headers,
 *   and the consumer moves on;
 * - offsets are committed only after the handler (or the dead-lettering) finished: at-least-once, so handlers
 *   deduplicate with the inbox.
 * `@EventPattern(Topic.X)` names the logical topic; the prefix is applied here.
 */
export class CloseloopKafkaServer extends ServerKafka {
  private closing = false;
  private readonly s: Required<Omit<ConsumerSettings, 'kafka' | 'clientId' | 'groupId' | 'logger'>> & ConsumerSettings;

  constructor(settings: ConsumerSettings) {
    super({
      postfixId: '',
      client: kafkaClientConfig(settings.kafka, settings.clientId, settings.logger),
      consumer: {
        groupId: prefixed(settings.kafka, settings.groupId),
        // a SIGKILLed member's partitions move after this long; handlers heartbeat while they retry
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
        // how long the broker holds an empty fetch; stopping waits for the fetch in flight, so kafkajs' 5 s
        // default made every shutdown (SIGTERM, a restart, a test's app.close()) wait up to 5 s
        maxWaitTimeInMs: 500,
        allowAutoTopicCreation: false,
        retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: 12 },
      },
      producer: { idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner },
      subscribe: { fromBeginning: true },
      run: { partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently ?? 6 },
    });
    this.s = {
      maxAttempts: 5,
      backoff: { initialMs: 200, maxMs: 5_000 },
      partitionsConsumedConcurrently: 6, // every partition of a topic (ensureTopics makes 6): concurrent commits share WAL flushes
      isTransient: isTransientInfrastructureError,
      ...settings,
    };
  }

  override async bindEvents(consumer: Consumer): Promise<void> {
    const topics = [...this.messageHandlers.keys()].map((p) => prefixed(this.s.kafka, p));
    if (topics.length) await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: this.s.partitionsConsumedConcurrently,
      eachMessage: (payload) => this.handleMessage(payload),
    });
  }

  override async close(): Promise<void> {
    this.closing = true;
    await super.close();
  }

  override async handleMessage(payload: EachMessagePayload): Promise<void> {
    const topic = payload.topic.slice(this.s.kafka.topicPrefix.length) as Topic;
    const labels = { topic, group: this.s.groupId };
    const stop = handleSeconds.startTimer(labels);
    try {
      let decoded: ReturnType<typeof decodeEvent>;
      try {
        decoded = decodeEvent(topic, payload.message.value);
      } catch (err) {
        // a message that breaks the decoder itself must not stop the partition either
        return await this.deadLetter(payload, topic, `undecodable: ${(err as Error).message}`.slice(0, 2_000), 0);
      }
      if (!decoded.ok) {
        const reason = `invalid event: ${decoded.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`.slice(0, 2_000);
        return await this.deadLetter(payload, topic, reason, 0);
      }
      const handler = this.getHandlerByPattern(topic);
      if (!handler) return await this.deadLetter(payload, topic, `no handler for ${topic} in ${this.s.groupId}`, 0);
      const ctx = new KafkaContext([payload.message as never, payload.partition, payload.topic, this.consumer as Consumer, payload.heartbeat, this.producer as Producer]);

      for (let attempt = 1; ; attempt++) {
        try {
          const res = await handler(decoded.event, ctx);
          if (isObservable(res)) await lastValueFrom(res, { defaultValue: undefined });
          consumedTotal.inc({ ...labels, outcome: 'ok' });
          return;
        } catch (err) {
          const message = (err as Error)?.message ?? String(err);
          if (err instanceof PermanentError) return await this.deadLetter(payload, topic, `permanent: ${message}`, attempt);
          const transient = this.s.isTransient(err);
          if (this.closing) throw err; // not committed: redelivered after restart
          if (!transient && attempt >= this.s.maxAttempts) {
            return await this.deadLetter(payload, topic, `failed after ${attempt} attempts: ${message}`, attempt);
          }
          consumedTotal.inc({ ...labels, outcome: 'retried' });
          const wait = Math.min(this.s.backoff.maxMs, this.s.backoff.initialMs * 2 ** (attempt - 1));
          (transient ? this.s.logger.warn : this.s.logger.error).call(
            this.s.logger,
            { err, topic, partition: payload.partition, offset: payload.message.offset, attempt, transient },
            `handler failed, retrying in ${wait} ms`,
          );
          await this.sleepWithHeartbeat(wait, payload.heartbeat);
        }
      }
    } finally {
      stop();
    }
  }

  private async sleepWithHeartbeat(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until && !this.closing) {
      await sleep(Math.min(1_000, until - Date.now()));
      await heartbeat().catch(() => undefined);
    }
  }

  private async deadLetter(p: EachMessagePayload, topic: Topic, reason: string, attempts: number): Promise<void> {
    const headers: IHeaders = {
      ...p.message.headers,
      [DlqHeader.Reason]: reason,
      [DlqHeader.OriginalTopic]: topic,
      [DlqHeader.OriginalPartition]: String(p.partition),
      [DlqHeader.OriginalOffset]: p.message.offset,
      [DlqHeader.Attempts]: String(attempts),
      [DlqHeader.FailedAt]: new Date().toISOString(),
      [DlqHeader.ConsumerGroup]: this.s.groupId,
    };
    // if this send fails the offset is not committed and the message comes back: never silently dropped
    const producer = this.producer;
    if (!producer) throw new Error('consumer is not connected'); // not committed: the message comes back
    await producer.send({
      topic: prefixed(this.s.kafka, dlqTopicOf(topic)),
      acks: -1,
      messages: [{ key: p.message.key, value: p.message.value, headers }],
    });
    consumedTotal.inc({ topic, group: this.s.groupId, outcome: 'dead_lettered' });
    this.s.logger.error({ topic, partition: p.partition, offset: p.message.offset, reason }, 'message dead-lettered');
  }
}

/** Attaches the consumer to a Nest app (call before `startAllMicroservices`). */
export function connectKafkaConsumer(app: INestApplication, settings: ConsumerSettings): CloseloopKafkaServer {
  const strategy = new CloseloopKafkaServer(settings);
  // deferred: listeners are bound at listen(), after our filter is in place (otherwise Nest binds them at once)
  const ms = app.connectMicroservice({ strategy }, { inheritAppConfig: false, deferInitialization: true });
  ms.useGlobalFilters(new RethrowRpcErrors());
  // the hybrid app runs the lifecycle hooks; a deferred microservice would run them a second time at listen()
  // (two outbox relays, two pollers), so mark them as done for it
  (ms as unknown as { setIsInitHookCalled(v: boolean): void }).setIsInitHookCalled(true);
  return strategy;
}
