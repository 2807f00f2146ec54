import { Client } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { Topic, TopicEvents, validateEvent } from '@closeloop/contracts';
import { BatchTransaction } from './batch-transaction';
import { InvalidEventError } from './errors';
import { outboxPending, outboxPublishedTotal } from './metrics';
import { EventProducer } from './producer';
import { SerialRunner } from './serial-runner';

export function outboxChannel(schema: string): string {
  return `closeloop_outbox_${schema}`;
}

/**
 * Transactional outbox, writing side: the event is a row written in the same transaction as the change
 * that implies it, so both happen or neither does. NOTIFY wakes the relay on commit.
 */
export class Outbox {
  constructor(private readonly schema: string) {}

  async add<T extends Topic>(m: EntityManager, topic: T, key: string, event: TopicEvents[T]): Promise<void> {
    const v = validateEvent(topic, event);
    if (!v.ok) throw new InvalidEventError(topic, event.type, v.errors);
    const row: OutboxRow = [event.eventId, topic, key, JSON.stringify(event)];
    // in a batch's transaction (ADR 0023): the batch's rows go in one multi-row INSERT right before its commit, in
    // the order they were added (the relay sends by id: per-key order holds)
    const batch = BatchTransaction.current()?.batch;
    if (batch?.owns(m)) {
      batch.local(this, () => {
        const rows: OutboxRow[] = [];
        batch.beforeCommit((tm) => this.insert(tm, rows));
        return rows;
      }).push(row);
      return;
    }
    await this.insert(m, [row]);
  }

  private async insert(m: EntityManager, rows: OutboxRow[]): Promise<void> {
    if (!rows.length) return;
    if (rows.length === 1) {
      await m.query(`INSERT INTO "${this.schema}".outbox (event_id, topic, key, payload) VALUES ($1, $2, $3, $4::jsonb)`, rows[0]);
    } else {
      await m.query(
        `INSERT INTO "${this.schema}".outbox (event_id, topic, key, payload)
         SELECT e, t, k, p::jsonb FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS r(e, t, k, p, n) ORDER BY n`,
        [0, 1, 2, 3].map((i) => rows.map((r) => r[i])),
      );
    }
    // delivered only at commit, and not at all on rollback
    await m.query('SELECT pg_notify($1, $2)', [outboxChannel(this.schema), '']);
  }
}

/** event_id, topic, key, payload (JSON text). */
type OutboxRow = [string, string, string, string];

export interface RelayOptions {
  batchSize?: number;
  /** Safety net when a NOTIFY was missed (e.g. the LISTEN connection was down). */
  pollIntervalMs?: number;
}

/**
 * Transactional outbox, sending side. One relay at a time per schema (advisory lock), so rows of one
 * aggregate leave in commit order; sent rows are deleted in the transaction that locked them. A crash
 * between send and delete sends the rows again: consumers deduplicate by eventId (inbox).
 */
export class OutboxRelay {
  private listener: Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private relisten: NodeJS.Timeout | null = null;
  private readonly runner = new SerialRunner(
    async () => {
      while (!this.stopped && (await this.drainOnce()) === this.batchSize) {
        /* keep going while full batches come back */
      }
    },
    () => this.stopped,
    (err) => this.logger.warn({ err }, 'outbox relay pass failed; will retry'),
  );
  private stopped = true;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;

  constructor(
    private readonly ds: DataSource,
    private readonly schema: string,
    private readonly producer: Pick<EventProducer, 'sendSerialized'>,
    private readonly logger: Logger,
    opts: RelayOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 500;
    this.pollIntervalMs = opts.pollIntervalMs ?? 1_000;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.listen();
    this.timer = setInterval(() => this.wake(), this.pollIntervalMs);
    this.wake();
  }

  private async listen(): Promise<void> {
    const opts = this.ds.options as { url?: string };
    const client = new Client({ connectionString: opts.url, application_name: `closeloop-${this.schema}-relay` });
    client.on('notification', () => this.wake());
    client.on('error', (err) => {
      this.logger.warn({ err }, 'outbox LISTEN connection lost; polling until it is back');
      if (this.listener === client) this.listener = null;
      client.end().catch(() => undefined);
      this.listenLater(1_000);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${outboxChannel(this.schema)}`);
      if (this.stopped) throw new Error('relay stopped while connecting');
      this.listener = client;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn({ err }, 'outbox LISTEN unavailable; polling');
      this.listenLater(2_000);
    }
  }

  /** Tries LISTEN again after `ms`, unless the relay stops first (stop() clears the timer: no handle outlives it). */
  private listenLater(ms: number): void {
    if (this.stopped || this.relisten) return;
    this.relisten = setTimeout(() => {
      this.relisten = null;
      if (!this.stopped) this.listen().catch(() => undefined);
    }, ms);
  }

  /** Runs a drain now, or right after the current one. */
  wake(): void {
    this.runner.wake();
  }

  /** Resolves when the current drain (and the one it scheduled) is over. */
  idle(): Promise<void> {
    return this.runner.idle();
  }

  /** One locked batch: send, then delete. Returns how many rows were sent. */
  async drainOnce(): Promise<number> {
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      const [{ locked }] = await qr.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [`closeloop.outbox.${this.schema}`]);
      if (!locked) {
        await qr.rollbackTransaction();
        return 0;
      }
      const rows: { id: string; topic: string; key: string; payload: string }[] = await qr.query(
        `SELECT id, topic, key, payload::text AS payload FROM "${this.schema}".outbox ORDER BY id LIMIT $1 FOR UPDATE`,
        [this.batchSize],
      );
      outboxPending.set({ schema: this.schema }, rows.length);
      if (!rows.length) {
        await qr.commitTransaction();
        return 0;
      }
      await this.producer.sendSerialized(rows.map((r) => ({ topic: r.topic, key: r.key, value: r.payload, headers: { 'event-type': JSON.parse(r.payload).type } })));
      await qr.query(`DELETE FROM "${this.schema}".outbox WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      await qr.commitTransaction();
      outboxPublishedTotal.inc({ schema: this.schema }, rows.length);
      return rows.length;
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await qr.release();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.relisten) clearTimeout(this.relisten);
    this.relisten = null;
    await this.runner.idle();
    const l = this.listener;
    this.listener = null;
    await l?.end().catch(() => undefined);
  }
}
