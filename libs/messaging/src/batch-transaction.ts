import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { Topic } from '@closeloop/contracts';

/** Thrown to a handler waiting for its batch's commit when the batch was rolled back: the consumer runs the message again. */
export class BatchRolledBackError extends Error {
  constructor() {
    super('the batch transaction was rolled back; the message will be handled again');
    this.name = 'BatchRolledBackError';
  }
}

/** How far a handler got when the consumer may go on to the next message of the batch. */
export type TurnOutcome = { kind: 'done' } | { kind: 'parked' } | { kind: 'failed'; err: unknown };

interface Turn {
  batch: BatchTransaction;
  index: number;
}

/**
 * What the consumer knows of each message of the batch before its handler runs (index = the message's turn): its
 * event id and, for a handler declared with `@EventPattern(topic, { inbox: '<consumer>' })`, the inbox consumer it
 * claims under. `Inbox.processOnce` uses it to claim the rest of the batch in one statement.
 */
export interface BatchMessage {
  /** The decoded event (what its handler receives). */
  event?: unknown;
  eventId?: string;
  inbox?: string;
}

export interface BatchOptions {
  /** The logical topic of the batch. */
  topic?: Topic;
  messages?: BatchMessage[];
}

const turns = new AsyncLocalStorage<Turn>();

/**
 * One database transaction shared by the handlers of one fetched batch of one partition (docs/adr/0023).
 *
 * Handlers keep their one-message shape: `Inbox.processOnce` joins the batch's transaction when it runs inside a
 * turn, does the work (inbox row, effects, outbox rows), then *parks* the handler until the batch commits. The
 * consumer goes on to the next message as soon as the handler parked (or finished without a database turn), commits
 * once after the last one, and only then do the handlers resume (logs, metrics, waking workers: what they do after
 * their transaction). A rolled-back batch makes every parked handler throw `BatchRolledBackError`.
 */
export class BatchTransaction {
  private qr: QueryRunner | null = null;
  private ds: DataSource | null = null;
  private state: 'open' | 'committed' | 'rolled-back' = 'open';
  private firstFailure: { index: number; err: unknown } | null = null;
  private readonly parked = new Map<number, () => void>();
  private readonly outcome: Promise<void>;
  private settle!: { resolve: () => void; reject: (err: unknown) => void };
  private readonly beforeCommitHooks: ((m: EntityManager) => Promise<void>)[] = [];
  private readonly locals = new Map<unknown, unknown>();
  readonly messages: readonly BatchMessage[];
  readonly topic?: Topic;

  constructor(opts: BatchOptions = {}) {
    this.messages = opts.messages ?? [];
    this.topic = opts.topic;
    this.outcome = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    this.outcome.catch(() => undefined); // nobody may be parked: a rollback must not be an unhandled rejection
  }

  /** The batch turn the current handler runs in, if any (AsyncLocalStorage: follows the handler's async calls). */
  static current(): Turn | undefined {
    return turns.getStore();
  }

  /** The first error thrown by a handler's work inside the transaction, even one the handler swallowed (the transaction is aborted then). */
  get failure(): { index: number; err: unknown } | null {
    return this.firstFailure;
  }

  /**
   * Runs message `index`'s handler in its turn. `ready` resolves when the consumer may go on: the handler finished,
   * parked (its work is in the transaction) or failed; `finished` is the handler's own completion (after the commit
   * for a parked one).
   */
  start(index: number, handler: () => Promise<void>): { ready: Promise<TurnOutcome>; finished: Promise<void> } {
    const parked = new Promise<TurnOutcome>((resolve) => this.parked.set(index, () => resolve({ kind: 'parked' })));
    const finished = turns.run({ batch: this, index }, handler);
    finished.catch(() => undefined); // the consumer reads it through `ready` or after the commit
    const ready = Promise.race([finished.then((): TurnOutcome => ({ kind: 'done' }), (err): TurnOutcome => ({ kind: 'failed', err })), parked]);
    return { ready, finished };
  }

  /** Whether `processOnce` on `ds` joins this batch: open, and one data source per batch. */
  accepts(ds: DataSource): boolean {
    return this.state === 'open' && (this.ds === null || this.ds === ds);
  }

  /** Does `work` in the batch's transaction (opened on first use), then waits for the batch's commit. */
  async join<T>(index: number, ds: DataSource, work: (m: EntityManager) => Promise<T>): Promise<T> {
    if (this.firstFailure) throw this.firstFailure.err; // the transaction is aborted; the consumer will split the batch
    let result: T;
    try {
      if (!this.qr) {
        const qr = ds.createQueryRunner();
        try {
          await qr.connect();
          await qr.startTransaction();
        } catch (err) {
          await qr.release().catch(() => undefined);
          throw err;
        }
        this.qr = qr;
        this.ds = ds;
      }
      result = await work(this.qr.manager);
    } catch (err) {
      this.firstFailure ??= { index, err };
      throw err;
    }
    this.parked.get(index)?.();
    await this.outcome;
    return result;
  }

  /** Whether `m` is this batch's open transaction (what a batch-wide shortcut may rely on). */
  owns(m: EntityManager): boolean {
    return this.state === 'open' && this.qr !== null && this.qr.manager === m;
  }

  /** State kept for the batch's transaction only (a retried batch is a new BatchTransaction, so it starts afresh). */
  local<T>(owner: unknown, init: () => T): T {
    if (!this.locals.has(owner)) this.locals.set(owner, init());
    return this.locals.get(owner) as T;
  }

  /** Work done in the transaction right before it commits (after the last handler); a failure rolls the batch back. */
  beforeCommit(hook: (m: EntityManager) => Promise<void>): void {
    this.beforeCommitHooks.push(hook);
  }

  /** Commits what the handlers did; resumes them. Throws (after rolling back) when the transaction cannot commit. */
  async commit(): Promise<void> {
    if (this.firstFailure) throw this.firstFailure.err;
    try {
      if (this.qr) {
        for (const hook of this.beforeCommitHooks) await hook(this.qr.manager);
        // an aborted transaction answers COMMIT with ROLLBACK and no error: make sure it is not aborted
        await this.qr.query('SELECT 1');
        await this.qr.commitTransaction();
      }
    } catch (err) {
      await this.rollback();
      throw err;
    }
    this.state = 'committed';
    await this.release();
    this.settle.resolve();
  }

  /** Undoes what the handlers did; every parked handler throws `BatchRolledBackError`. */
  async rollback(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'rolled-back';
    if (this.qr?.isTransactionActive) await this.qr.rollbackTransaction().catch(() => undefined);
    await this.release();
    this.settle.reject(new BatchRolledBackError());
  }

  private async release(): Promise<void> {
    const qr = this.qr;
    this.qr = null;
    await qr?.release().catch(() => undefined);
  }
}
