import { ArgumentsHost, Catch, INestApplication, RpcExceptionFilter } from '@nestjs/common';
import { KafkaContext, MessageHandler, ServerKafka } from '@nestjs/microservices';
import { Consumer, EachBatchPayload, IHeaders, KafkaMessage, Partitioners, Producer } from 'kafkajs';
import { isObservable, lastValueFrom, Observable, throwError } from 'rxjs';
import type { Logger } from 'pino';
import { DlqHeader, Topic, decodeEvent, dlqTopicOf } from '@closeloop/contracts';
import { isTransientDatabaseError } from '@closeloop/platform';
import { BatchTransaction } from './batch-transaction';
import { Step, planBatch, splitAfterFailure } from './batch-plan';
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
  /** Most messages of a fetched batch sharing one database transaction (docs/adr/0023). */
  maxPerTransaction?: number;
  /** Errors that mean "a dependency is down": retried without limit, never dead-lettered. */
  isTransient?: (err: unknown) => boolean;
  /**
   * Start without waiting for Kafka: the service's start does not wait for the consumer, which connects and subscribes
   * once `startAfter` resolves (trying again, 1 s doubling to 15 s, if that first try fails), unless the service closed
   * first. For ingest, an HTTP edge that must start (and answer 503) while Kafka is down: it passes "connected to Kafka
   * once". The other services wait for Kafka at start.
   */
  startAfter?: () => Promise<unknown>;
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
 * `@EventPattern(Topic.X, OWN_TRANSACTION)`: this handler's messages are not batched; each gets its own transaction,
 * as before batching (docs/adr/0023). For a handler whose work in the transaction cannot wait for its neighbours
 * (external I/O inside it), or that does database work outside `Inbox.processOnce` that could wait on the batch's locks.
 */
export const OWN_TRANSACTION = { transaction: 'own' } as const;

/**
 * `@EventPattern(Topic.X, { inbox: '<consumer>' })`: this handler claims each message with
 * `inbox.processOnce(ds, '<consumer>', event.eventId, …)`. Batched, the first claim then claims the whole batch's
 * messages in one statement (inbox.ts); a message whose handler does not claim it after all loses its row before the
 * commit, so the declaration is an optimisation, never a change of what is processed.
 */
export function inboxOf(handler: MessageHandler): string | undefined {
  const inbox = (handler.extras as { inbox?: unknown } | undefined)?.inbox;
  return typeof inbox === 'string' ? inbox : undefined;
}

/** One message of a fetched batch, decoded once. */
interface Item {
  message: KafkaMessage;
  /** The decoded event and its handler, or why it goes to the DLQ at once. */
  route: { ok: true; event: unknown; handler: MessageHandler; shared: boolean } | { ok: false; reason: string };
}

interface PartitionBatch {
  topic: Topic;
  prefixedTopic: string;
  partition: number;
  heartbeat: () => Promise<void>;
}

/**
 * Nest's Kafka transport with the guarantees SPEC §8 and §9 ask for:
 * - every message is validated against its topic's contract before a handler sees it;
 * - each fetched batch of a partition is handled in offset order, its handlers sharing one database transaction
 *   (`Inbox.processOnce` joins it: inbox rows, effects and outbox rows commit together, once per batch), offsets
 *   resolved only after that commit (docs/adr/0023);
 * - a handler error rolls the batch back and splits it: the messages before it share a transaction again, the failing
 *   one is retried alone with backoff, then the rest; a dependency outage is retried until it is over (the partition
 *   waits, nothing is skipped); a poison or permanently failing message goes to `<topic>.dlq` with the reason in
 *   headers, alone, and the consumer moves on;
 * - at-least-once: handlers deduplicate with the inbox.
 * `@EventPattern(Topic.X)` names the logical topic; the prefix is applied here.
 */
export class CloseloopKafkaServer extends ServerKafka {
  private closing = false;
  private readonly s: Required<Omit<ConsumerSettings, 'kafka' | 'clientId' | 'groupId' | 'logger' | 'startAfter'>> & ConsumerSettings;

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
      maxPerTransaction: 500,
      isTransient: isTransientInfrastructureError,
      ...settings,
    };
  }

  override async bindEvents(consumer: Consumer): Promise<void> {
    const topics = [...this.messageHandlers.keys()].map((p) => prefixed(this.s.kafka, p));
    if (topics.length) await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: this.s.partitionsConsumedConcurrently,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  override async listen(callback: (err?: unknown, ...args: unknown[]) => void): Promise<void> {
    const startAfter = this.s.startAfter;
    if (!startAfter) return super.listen(callback);
    callback();
    void startAfter().then(() => {
      if (!this.closing) this.starting = this.listenUntilStarted();
    }, () => undefined);
  }

  /** The background start (startAfter), once begun: close() waits for it. */
  private starting: Promise<void> | undefined;

  private async listenUntilStarted(): Promise<void> {
    for (let delay = 1_000; !this.closing; delay = Math.min(delay * 2, 15_000)) {
      const err = await new Promise<unknown>((done) => void super.listen((e?: unknown) => done(e)));
      if (!err) return;
      await super.close().catch(() => undefined);
      if (this.closing) return;
      this.s.logger.warn({ err, group: this.s.groupId }, 'Kafka consumer could not start; trying again');
      for (let waited = 0; waited < delay && !this.closing; waited += 100) await sleep(100);
    }
  }

  override async close(): Promise<void> {
    this.closing = true;
    // a background start under way ends first: disconnecting a consumer while it subscribes would leave it running
    await this.starting;
    await super.close();
  }

  /** One fetched batch of one partition: steps in offset order (batch-plan.ts), each offset resolved once its step is done. */
  async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const p: PartitionBatch = { topic: batch.topic.slice(this.s.kafka.topicPrefix.length) as Topic, prefixedTopic: batch.topic, partition: batch.partition, heartbeat };
    const items = batch.messages.map((message) => this.route(p.topic, message));
    const steps = planBatch(items.map((i) => (!i.route.ok ? 'dead-letter' : i.route.shared ? 'shared' : 'own')), this.s.maxPerTransaction);
    for (const step of steps) {
      if (!isRunning() || isStale()) return; // revoked or stopping: the rest comes again, to whoever owns the partition now
      if (this.closing) throw new Error('consumer is closing'); // not resolved: redelivered after restart
      const last = step.kind === 'batch' ? step.to - 1 : step.at;
      await this.runStep(p, items, step);
      resolveOffset(items[last].message.offset);
      await commitOffsetsIfNecessary();
      await heartbeat().catch(() => undefined);
    }
  }

  private route(topic: Topic, message: KafkaMessage): Item {
    let decoded: ReturnType<typeof decodeEvent>;
    try {
      decoded = decodeEvent(topic, message.value);
    } catch (err) {
      // a message that breaks the decoder itself must not stop the partition either
      return { message, route: { ok: false, reason: `undecodable: ${(err as Error).message}`.slice(0, 2_000) } };
    }
    if (!decoded.ok) {
      return { message, route: { ok: false, reason: `invalid event: ${decoded.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`.slice(0, 2_000) } };
    }
    const handler = this.getHandlerByPattern(topic);
    if (!handler) return { message, route: { ok: false, reason: `no handler for ${topic} in ${this.s.groupId}` } };
    const shared = handler.extras?.transaction !== OWN_TRANSACTION.transaction;
    return { message, route: { ok: true, event: decoded.event, handler, shared } };
  }

  private async runStep(p: PartitionBatch, items: Item[], step: Step): Promise<void> {
    if (step.kind === 'single') return this.handleOne(p, items[step.at]);
    if (step.kind === 'dead-letter') {
      const route = items[step.at].route;
      return this.deadLetter(p, items[step.at].message, route.ok ? 'unroutable' : route.reason, 0);
    }
    const failedAt = await this.tryShared(p, items.slice(step.from, step.to));
    if (failedAt === null) return;
    for (const next of splitAfterFailure(step.from, step.to, step.from + failedAt)) await this.runStep(p, items, next);
  }

  /**
   * The messages' handlers in one transaction. Returns null when it committed, or the index (in `items`) to split
   * at: the handler that failed, or 0 when the commit itself failed. Nothing is committed then.
   */
  private async tryShared(p: PartitionBatch, items: Item[]): Promise<number | null> {
    const labels = { topic: p.topic, group: this.s.groupId };
    const tx = new BatchTransaction({
      topic: p.topic,
      messages: items.map((i) => (i.route.ok ? { event: i.route.event, eventId: (i.route.event as { eventId?: string }).eventId, inbox: inboxOf(i.route.handler) } : {})),
    });
    const finished: Promise<void>[] = [];
    const startedAt: number[] = [];
    let failure: { index: number; err: unknown } | null = null;
    try {
      for (let i = 0; i < items.length && !failure; i++) {
        startedAt.push(Date.now());
        const turn = tx.start(i, () => this.invoke(p, items[i]));
        finished.push(turn.finished);
        const outcome = await turn.ready;
        if (outcome.kind === 'failed') failure = { index: i, err: outcome.err };
        if (i % 50 === 49) await p.heartbeat().catch(() => undefined);
      }
      // a handler may have swallowed the error of its work: the transaction is aborted all the same
      failure = tx.failure ?? failure;
      if (!failure) {
        try {
          await tx.commit();
        } catch (err) {
          failure = { index: 0, err };
        }
      }
    } finally {
      if (failure) await tx.rollback();
    }
    if (failure) {
      const message = items[failure.index].message;
      const transient = this.s.isTransient(failure.err);
      consumedTotal.inc({ ...labels, outcome: 'retried' });
      (transient ? this.s.logger.warn : this.s.logger.error).call(
        this.s.logger,
        { err: failure.err, topic: p.topic, partition: p.partition, offset: message.offset, batchSize: items.length, transient },
        'batch rolled back; splitting it around the failing message',
      );
      if (this.closing) throw failure.err; // not resolved: redelivered after restart
      return failure.index;
    }
    // committed: the handlers finish what they do after their transaction; one that fails there runs again alone
    // (its inbox row makes the work a no-op), as a failing handler did before batching
    const committedAt = Date.now();
    const results = await Promise.allSettled(finished);
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected') {
        await this.handleOne(p, items[i]);
        continue;
      }
      consumedTotal.inc({ ...labels, outcome: 'ok' });
      handleSeconds.observe(labels, (committedAt - startedAt[i]) / 1000); // from its handler's start to its commit
    }
    return null;
  }

  private async invoke(p: PartitionBatch, item: Item): Promise<void> {
    if (!item.route.ok) throw new Error(item.route.reason);
    const ctx = new KafkaContext([item.message as never, p.partition, p.prefixedTopic, this.consumer as Consumer, p.heartbeat, this.producer as Producer]);
    const res = await item.route.handler(item.route.event, ctx);
    if (isObservable(res)) await lastValueFrom(res, { defaultValue: undefined });
  }

  /** One message in its own transaction(s), with the per-message policy: retries, an outage waits, the DLQ after the attempts. */
  private async handleOne(p: PartitionBatch, item: Item): Promise<void> {
    const { message } = item;
    const labels = { topic: p.topic, group: this.s.groupId };
    const stop = handleSeconds.startTimer(labels);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.invoke(p, item);
          consumedTotal.inc({ ...labels, outcome: 'ok' });
          return;
        } catch (err) {
          const reason = (err as Error)?.message ?? String(err);
          if (err instanceof PermanentError) return await this.deadLetter(p, message, `permanent: ${reason}`, attempt);
          const transient = this.s.isTransient(err);
          if (this.closing) throw err; // not committed: redelivered after restart
          if (!transient && attempt >= this.s.maxAttempts) {
            return await this.deadLetter(p, message, `failed after ${attempt} attempts: ${reason}`, attempt);
          }
          consumedTotal.inc({ ...labels, outcome: 'retried' });
          const wait = Math.min(this.s.backoff.maxMs, this.s.backoff.initialMs * 2 ** (attempt - 1));
          (transient ? this.s.logger.warn : this.s.logger.error).call(
            this.s.logger,
            { err, topic: p.topic, partition: p.partition, offset: message.offset, attempt, transient },
            `handler failed, retrying in ${wait} ms`,
          );
          await this.sleepWithHeartbeat(wait, p.heartbeat);
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

  private async deadLetter(p: PartitionBatch, message: KafkaMessage, reason: string, attempts: number): Promise<void> {
    const headers: IHeaders = {
      ...message.headers,
      [DlqHeader.Reason]: reason,
      [DlqHeader.OriginalTopic]: p.topic,
      [DlqHeader.OriginalPartition]: String(p.partition),
      [DlqHeader.OriginalOffset]: message.offset,
      [DlqHeader.Attempts]: String(attempts),
      [DlqHeader.FailedAt]: new Date().toISOString(),
      [DlqHeader.ConsumerGroup]: this.s.groupId,
    };
    // if this send fails the offset is not resolved and the message comes back: never silently dropped
    const producer = this.producer;
    if (!producer) throw new Error('consumer is not connected'); // not committed: the message comes back
    await producer.send({
      topic: prefixed(this.s.kafka, dlqTopicOf(p.topic)),
      acks: -1,
      messages: [{ key: message.key, value: message.value, headers }],
    });
    consumedTotal.inc({ topic: p.topic, group: this.s.groupId, outcome: 'dead_lettered' });
    this.s.logger.error({ topic: p.topic, partition: p.partition, offset: message.offset, reason }, 'message dead-lettered');
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
