import { INestApplication } from '@nestjs/common';
import { Consumer } from 'kafkajs';
import { DataSource, QueryRunner } from 'typeorm';
import {
  FeedbackReceivedData, FeedbackReceivedEvent, FeedbackScoredEvent, Topic, feedbackIdFor, feedbackReceivedEventId, feedbackScoredEventId, makeEnvelope,
} from '@closeloop/contracts';
import { BatchTransaction, prefixed } from '@closeloop/messaging';
import { Privacy, createDataSource, runMigrations } from '@closeloop/platform';
import { READER_MAX_WAIT_MS, testKafka, waitFor } from '@closeloop/testing';
import { startScoring } from '../src/app';
import { SERVICE } from '../src/config';
import { databaseOptions } from '../src/database';
import { scoringTestEnvironment } from './harness';
import { NegativeHistory } from '../src/persistence/negative-history';
import { FeedbackConsumer } from '../src/scoring/feedback.consumer';

/**
 * The repeat-negative rule in a batch's transaction (NegativeHistory.previousThenRecord: a few statements per batch)
 * decides exactly as the same messages handled one transaction each, for every order of the messages.
 */
const { schema, settings, cfg } = scoringTestEnvironment('scoring-batch');

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse('2026-06-01T10:00:00Z');
const day = (n: number) => new Date(T0 + n * DAY).toISOString();

/** One message of a scenario: a label, whose, when (ISO, or days after T0), what score (nps), which revision. */
interface Spec { label: string; customer?: string; at: string | number; score?: number; revision?: number }
/** What scoring decided for one message, with the run's ids turned back into labels. */
interface Outcome { label: string; severity: string; repeatOf: string | null }

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

describe('repeat negatives scored in one batch transaction', () => {
  const kafka = testKafka();
  const scored = new Map<string, FeedbackScoredEvent>();
  let collector: Consumer;
  let app: INestApplication;
  let ds: DataSource;
  let consumer: FeedbackConsumer;
  let runs = 0;

  beforeAll(async () => {
    await runMigrations(databaseOptions(cfg));
    app = await startScoring(cfg);
    ds = app.get(DataSource);
    consumer = app.get(FeedbackConsumer);
    const privacy = app.get(Privacy);
    collector = kafka.consumer({ groupId: `${settings.topicPrefix}collector`, allowAutoTopicCreation: false, maxWaitTimeInMs: READER_MAX_WAIT_MS });
    await collector.connect();
    await collector.subscribe({ topic: prefixed(settings, Topic.FeedbackScored), fromBeginning: true });
    await collector.run({
      eachMessage: async ({ message }) => {
        const event: FeedbackScoredEvent = await privacy.open(Topic.FeedbackScored, JSON.parse(String(message.value)));
        scored.set(event.eventId, event);
      },
    });
  });

  afterAll(async () => {
    await collector?.disconnect();
    await app?.close();
    const cleanup = createDataSource({ ...databaseOptions(cfg), migrations: [] });
    await cleanup.initialize();
    await cleanup.query(`DROP SCHEMA "${schema}" CASCADE`);
    await cleanup.destroy();
  });

  /** A scenario's messages with ids of their own (a run never sees another run's history), and the way back to labels. */
  function materialise(specs: Spec[]) {
    const run = `r${++runs}`;
    const label = new Map<string, string>();
    const events = specs.map((s) => {
      const feedbackId = feedbackIdFor('it', `${run}-${s.label.split('#')[0]}`);
      label.set(feedbackId, s.label.split('#')[0]);
      const revision = s.revision ?? 1;
      return makeEnvelope('feedback.received', {
        feedbackId, source: 'it', externalId: `${run}-${s.label}`, touchpoint: 'web', metric: 'nps', score: s.score ?? 3,
        respondedAt: typeof s.at === 'number' ? day(s.at) : s.at, revision,
        customer: { id: `${run}-${s.customer ?? 'c'}`, email: 'someone@example.com' }, receivedAt: new Date().toISOString(),
      } as FeedbackReceivedData, 'scoring-batch-it', { eventId: feedbackReceivedEventId(feedbackId, revision) });
    });
    const customers = [...new Set(events.map((e) => e.data.customer.id))];
    return { run, events, label, customers };
  }

  async function outcomes(m: ReturnType<typeof materialise>): Promise<{ decisions: Outcome[]; rows: string[] }> {
    const ids = m.events.map((e) => feedbackScoredEventId(e.data.feedbackId, e.data.revision ?? 1));
    await waitFor(() => ids.every((id) => scored.has(id)), { what: `scored events of ${m.run}` });
    const unlabel = (s: string) => [...m.label].reduce((t, [id, l]) => t.replaceAll(id, l), s);
    const decisions = m.events.map((e, i) => {
      const data = (scored.get(ids[i]) as FeedbackScoredEvent).data;
      const repeat = data.reasons.find((r) => r.rule === 'repeat-negative');
      return { label: m.label.get(e.data.feedbackId) ?? e.data.feedbackId, severity: data.severity, repeatOf: repeat ? unlabel(repeat.detail) : null };
    }).sort((a, b) => a.label.localeCompare(b.label));
    const rows: { customer_id: string; feedback_id: string; responded_at: Date }[] = await ds.query(
      `SELECT customer_id, feedback_id, responded_at FROM "${schema}".customer_negative WHERE customer_id = ANY($1) ORDER BY customer_id, feedback_id`,
      [m.customers],
    );
    return {
      decisions,
      rows: rows.map((r) => `${r.customer_id.slice(m.run.length + 1)} ${m.label.get(r.feedback_id)} ${new Date(r.responded_at).toISOString()}`).sort(),
    };
  }

  /** Each message in a transaction of its own (outside any batch): the path as it always was. */
  async function oneByOne(events: FeedbackReceivedEvent[]): Promise<void> {
    for (const e of events) await consumer.onFeedback(e);
  }

  /** The messages as the consumer runs one fetched batch (kafka-consumer.ts tryShared): one transaction, one commit. */
  async function inOneBatch(events: FeedbackReceivedEvent[]): Promise<void> {
    const tx = new BatchTransaction({ topic: Topic.FeedbackReceived, messages: events.map((event) => ({ event, eventId: event.eventId, inbox: SERVICE })) });
    const finished: Promise<void>[] = [];
    try {
      for (const [i, e] of events.entries()) {
        const turn = tx.start(i, () => consumer.onFeedback(e));
        finished.push(turn.finished);
        const outcome = await turn.ready;
        if (outcome.kind === 'failed') throw outcome.err;
      }
      if (tx.failure) throw tx.failure.err;
      await tx.commit();
    } catch (err) {
      await tx.rollback();
      await Promise.allSettled(finished);
      throw err;
    }
    await Promise.all(finished);
  }

  /** Statements the history sends while `fn` runs: those naming the table or taking a lock. */
  async function historyStatements(fn: () => Promise<void>): Promise<string[]> {
    const seen: string[] = [];
    const create = ds.createQueryRunner.bind(ds);
    const spy = jest.spyOn(ds, 'createQueryRunner').mockImplementation((...args: Parameters<DataSource['createQueryRunner']>) => {
      const qr: QueryRunner = create(...args);
      const query = qr.query.bind(qr);
      qr.query = ((sql: string, ...rest: unknown[]) => {
        if (/customer_negative|pg_advisory/.test(sql)) seen.push(sql.split(/\s+/).slice(0, 3).join(' '));
        return (query as (...a: unknown[]) => Promise<unknown>)(sql, ...rest);
      }) as QueryRunner['query'];
      return qr;
    });
    try {
      await fn();
    } finally {
      spy.mockRestore();
    }
    return seen;
  }

  const scenarios: [name: string, specs: Spec[], history?: [label: string, days: number][]][] = [
    // B is within 30 days of A and of C; A and C are 45 days apart
    ['a chain of three negatives', [{ label: 'A', at: 0 }, { label: 'B', at: 20 }, { label: 'C', at: 45 }]],
    // C is 5 days from both: the earlier (A) is quoted, whoever came first
    ['a tie on both sides', [{ label: 'A', at: -5 }, { label: 'B', at: 5 }, { label: 'C', at: 0 }]],
    // a revision is never its own previous negative, and keeps the first row of its feedback
    ['two revisions of one feedback and another negative', [{ label: 'A', at: 0 }, { label: 'A#2', at: 1, revision: 2, score: 2 }, { label: 'B', at: 29 }]],
    // the batch's reads must include rows already in the table, also a revision's row outside its own window
    ['negatives with a history already recorded', [{ label: 'A', at: 0 }, { label: 'B', at: 70 }, { label: 'H#2', at: 80, revision: 2 }], [['H', 40], ['K', 95]]],
    // only Postgres reads these exactly (no offset; microseconds): the batch writes early and reads again around them
    ['a respondedAt only Postgres reads exactly', [{ label: 'A', at: 0 }, { label: 'B', at: '2026-06-11T10:00:00.000001' }, { label: 'C', at: '2026-07-01T10:00:00.000001Z' }]],
    // two customers interleaved, a promoter in between
    ['two customers', [{ label: 'A', at: 0 }, { label: 'X', customer: 'other', at: 3 }, { label: 'P', at: 1, score: 10 }, { label: 'B', at: 2 }]],
  ];

  it.each(scenarios)('%s: the same decisions and rows, in one batch as one by one, in every order', async (_name, specs, history = []) => {
    let reference: Awaited<ReturnType<typeof outcomes>> | undefined;
    for (const order of permutations(specs)) {
      for (const mode of [oneByOne, inOneBatch]) {
        const m = materialise(order);
        for (const [h, days] of history) {
          await ds.query(`INSERT INTO "${schema}".customer_negative (customer_id, feedback_id, responded_at) VALUES ($1, $2, $3)`, [
            m.customers.find((c) => c.endsWith('-c')), feedbackIdFor('it', `${m.run}-${h}`), day(days),
          ]);
          m.label.set(feedbackIdFor('it', `${m.run}-${h}`), h);
        }
        await mode(m.events);
        const got = await outcomes(m);
        // one by one, in the order given, is the rule as it always was; a batch must decide exactly the same
        if (mode === inOneBatch) expect({ order: order.map((s) => s.label), ...got }).toEqual({ order: order.map((s) => s.label), ...reference });
        reference = mode === oneByOne ? got : reference;
      }
    }
  });

  it('decides the chain as the rule says: whichever of two negatives within 30 days is scored second is the repeat, the closest quoted', async () => {
    const m = materialise([{ label: 'C', at: 45 }, { label: 'A', at: 0 }, { label: 'B', at: 20 }]);
    await inOneBatch(m.events);
    const { decisions, rows } = await outcomes(m);
    expect(decisions).toEqual([
      { label: 'A', severity: 'normal', repeatOf: null },
      // A (20 days before) and C (25 days after) were both scored before it: the closer is quoted
      { label: 'B', severity: 'critical', repeatOf: `second negative from this customer within 30 days (feedback A, responded ${day(0)})` },
      { label: 'C', severity: 'normal', repeatOf: null },
    ]);
    expect(rows).toEqual([`c A ${day(0)}`, `c B ${day(20)}`, `c C ${day(45)}`]);
  });

  it('reads and writes the history of a whole batch in three statements, and of a message alone in three', async () => {
    const batch = materialise([
      { label: 'A', at: 0 }, { label: 'B', customer: 'd', at: 1 }, { label: 'C', at: 2 }, { label: 'D', customer: 'e', at: 3 }, { label: 'P', at: 4, score: 9 }, { label: 'E', customer: 'd', at: 50 },
    ]);
    expect(await historyStatements(() => inOneBatch(batch.events))).toEqual([
      'SELECT count(pg_advisory_xact_lock(k)) FROM', 'SELECT DISTINCT x.customer_id,', 'INSERT INTO "' + schema + '".customer_negative',
    ]);
    expect((await outcomes(batch)).decisions.map((d) => d.severity)).toEqual(['normal', 'normal', 'critical', 'normal', 'normal', 'normal']);

    const alone = materialise([{ label: 'A', at: 0 }]);
    expect(await historyStatements(() => oneByOne(alone.events))).toEqual([
      'SELECT pg_advisory_xact_lock(hashtext($1))', 'SELECT feedback_id, responded_at,', 'INSERT INTO "' + schema + '".customer_negative',
    ]);
  });

  it('keeps nothing of a rolled-back batch: its retry decides afresh, as one by one', async () => {
    const m = materialise([{ label: 'A', at: 0 }, { label: 'BAD', at: 1 }, { label: 'B', at: 2 }]);
    const [a, bad, b] = m.events;
    bad.data.touchpoint = ''; // fails the scored event's contract in its handler, after its negative was counted
    await expect(inOneBatch([a, bad, b])).rejects.toThrow();
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM "${schema}".customer_negative WHERE customer_id = ANY($1)`, [m.customers]);
    expect(n).toBe(0);
    await inOneBatch([a, b]); // the split: the messages around the failing one, in a new batch
    const { decisions, rows } = await outcomes({ ...m, events: [a, b] });
    expect(decisions.map((d) => [d.label, d.severity])).toEqual([['A', 'normal'], ['B', 'critical']]);
    expect(rows).toEqual([`c A ${day(0)}`, `c B ${day(2)}`]);
  });

  it('waits for another transaction holding a customer of the batch (a rebalance overlap) and sees its negative', async () => {
    const m = materialise([{ label: 'A', customer: 'free', at: 0 }, { label: 'B', at: 10 }]);
    const other = ds.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    await app.get(NegativeHistory).lockCustomer(other.manager, m.customers[1]);
    let done = false;
    const handling = inOneBatch(m.events).then(() => (done = true));
    await waitFor(async () => (await ds.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory' AND query LIKE '%pg_advisory_xact_lock(k)%'`,
    )).length === 1, { what: 'the batch waiting for the customer lock' });
    expect(done).toBe(false);
    await app.get(NegativeHistory).record(other.manager, m.customers[1], 'overlap-other', day(9));
    await other.commitTransaction();
    await other.release();
    await handling;
    const { decisions } = await outcomes(m);
    expect(decisions).toEqual([
      { label: 'A', severity: 'normal', repeatOf: null },
      { label: 'B', severity: 'critical', repeatOf: `second negative from this customer within 30 days (feedback overlap-other, responded ${day(9)})` },
    ]);
  });
});
