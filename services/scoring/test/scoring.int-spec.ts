import { INestApplication } from '@nestjs/common';
import { Consumer } from 'kafkajs';
import { DataSource } from 'typeorm';
import {
  FeedbackReceivedData, FeedbackReceivedEvent, FeedbackScoredEvent, Topic, deterministicId, feedbackIdFor, feedbackReceivedEventId, feedbackScoredEventId,
  makeEnvelope, validateEvent,
} from '@closeloop/contracts';
import { EventProducer, prefixed } from '@closeloop/messaging';
import { Privacy, createDataSource, runMigrations } from '@closeloop/platform';
import { READER_MAX_WAIT_MS, testKafka, testLogger, uniqueName, waitFor, waitForQuiescence } from '@closeloop/testing';
import { startScoring } from '../src/app';
import { databaseOptions } from '../src/database';
import { scoringTestEnvironment } from './harness';
import { NegativeHistory } from '../src/persistence/negative-history';
import { FeedbackConsumer } from '../src/scoring/feedback.consumer';
import { Housekeeping } from '../src/scoring/housekeeping';

const { schema, settings, cfg } = scoringTestEnvironment('scoring');

type Received = Omit<FeedbackReceivedData, 'feedbackId' | 'receivedAt' | 'source' | 'customer'> & { customerId: string };
function feedback(f: Partial<Received> & { externalId: string }): FeedbackReceivedEvent {
  const { customerId = 'c-1', ...rest } = f;
  const feedbackId = feedbackIdFor('it', f.externalId);
  return makeEnvelope('feedback.received', {
    feedbackId, source: 'it', touchpoint: 'web', metric: 'nps', score: 10, respondedAt: '2026-11-23T10:00:00Z',
    ...rest, customer: { id: customerId, email: 'someone@example.com' }, receivedAt: new Date().toISOString(),
  } as FeedbackReceivedData, 'scoring-it', { eventId: feedbackId });
}

/** The value of one Prometheus sample whose labels include `labels` (in any order). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('scoring against real Kafka and Postgres', () => {
  const kafka = testKafka();
  const producer = new EventProducer(settings, 'scoring-it', testLogger);
  const scored: { key: string | null; event: FeedbackScoredEvent }[] = [];
  let collector: Consumer;
  let app: INestApplication;
  let ds: DataSource;
  let privacy: Privacy;

  const publish = (...events: FeedbackReceivedEvent[]) =>
    producer.publish(events.map((event) => ({ topic: Topic.FeedbackReceived, key: event.data.customer.id, event })));
  const scoredFor = (e: FeedbackReceivedEvent) => scored.filter((s) => s.event.data.feedbackId === e.data.feedbackId);
  /** The scored data of each event, in the order given, once all of them are on the topic. */
  const waitScored = async (...events: FeedbackReceivedEvent[]) => {
    await waitFor(() => events.every((e) => scoredFor(e).length > 0), { what: `scored events for ${events.map((e) => e.data.externalId).join(', ')}` });
    return events.map((e) => scoredFor(e)[0].event.data);
  };

  beforeAll(async () => {
    await runMigrations(databaseOptions(cfg));
    app = await startScoring(cfg); // creates the topics
    ds = app.get(DataSource);
    privacy = app.get(Privacy);
    await producer.connect();
    collector = kafka.consumer({ groupId: `${settings.topicPrefix}collector`, allowAutoTopicCreation: false, maxWaitTimeInMs: READER_MAX_WAIT_MS });
    await collector.connect();
    await collector.subscribe({ topic: prefixed(settings, Topic.FeedbackScored), fromBeginning: true });
    await collector.run({
      eachMessage: async ({ message }) => {
        // read as tickets reads it: personal fields decrypted (ADR 0024)
        scored.push({ key: message.key?.toString() ?? null, event: await privacy.open(Topic.FeedbackScored, JSON.parse(String(message.value))) });
      },
    });
  });

  afterAll(async () => {
    await collector?.disconnect();
    await producer.disconnect();
    await app?.close();
    const cleanup = createDataSource({ ...databaseOptions(cfg), migrations: [] });
    await cleanup.initialize();
    await cleanup.query(`DROP SCHEMA "${schema}" CASCADE`);
    await cleanup.destroy();
  });

  it('scores a detractor: a valid feedback.scored with a deterministic id, keyed by customer, with its reasons', async () => {
    const event = feedback({ externalId: 'detractor-1', customerId: 'c-detractor', touchpoint: 'checkout', score: 3, comment: 'slow' });
    await publish(event);
    await waitScored(event);

    const [{ key, event: out }] = scoredFor(event);
    expect(validateEvent(Topic.FeedbackScored, out)).toEqual({ ok: true, event: out });
    expect(key).toBe('c-detractor');
    expect(out).toMatchObject({ eventId: deterministicId('scored', event.data.feedbackId), type: 'feedback.scored', producer: 'scoring' });
    expect(out.data).toMatchObject({
      feedbackId: event.data.feedbackId,
      feedback: event.data,
      classification: 'detractor', negative: true, actionRequired: true, severity: 'normal', team: 'support',
      reasons: [{ rule: 'score-at-or-below-threshold', detail: 'nps 3 ≤ 5 (touchpoint checkout)' }],
      matchedKeywords: [],
    });
  });

  it('scores each revision of a feedback once, with its own event id, and a revision is never its own previous negative', async () => {
    const first = feedback({ externalId: uniqueName('revised'), customerId: uniqueName('c-revised'), touchpoint: 'checkout', score: 4, comment: 'slow' });
    const revise = (revision: number, score: number, comment: string): FeedbackReceivedEvent => ({
      ...first, eventId: feedbackReceivedEventId(first.data.feedbackId, revision), data: { ...first.data, revision, score, comment },
    });
    const second = revise(2, 3, 'slow and cold');
    const third = revise(3, 4, 'slow, cold, and no refund');
    await publish(first, second, second, third); // the second revision twice: a redelivery
    await waitFor(() => scoredFor(first).length >= 3, { what: 'three scored revisions' });
    // one partition (same customer): the redelivered second revision was consumed before the third, which is scored
    await waitForQuiescence({ activity: { scored: () => scoredFor(first).length } }, { what: 'scored revisions' });

    const outs = scoredFor(first).map((s) => s.event);
    expect(outs.map((e) => e.eventId)).toEqual([1, 2, 3].map((n) => feedbackScoredEventId(first.data.feedbackId, n)));
    expect(outs.map((e) => [e.data.feedback.revision ?? 1, e.data.feedback.score])).toEqual([[1, 4], [2, 3], [3, 4]]);
    // all three are negatives of one customer within 30 days, but they are ONE feedback: no repeat-negative, no critical
    for (const e of outs) {
      expect(e.data.reasons.map((r) => r.rule)).not.toContain('repeat-negative');
      expect(e.data.severity).toBe('normal');
    }
    expect(outs[2].data.reasons.map((r) => r.rule)).toEqual(['score-at-or-below-threshold', 'alert-keyword']);
  });

  it('scores a promoter too (tickets needs them for the recovery rate), with no action required', async () => {
    const event = feedback({ externalId: 'promoter-1', customerId: 'c-promoter', score: 10, comment: 'lovely' });
    await publish(event);
    const [data] = await waitScored(event);
    expect(data).toMatchObject({ classification: 'promoter', negative: false, actionRequired: false, severity: 'normal', team: 'cx', reasons: [] });
  });

  it('matches keywords in any language through Kafka and JSON, whatever the score', async () => {
    const table: [comment: string, severity: string, matched: string[]][] = [
      ['AVUKATIMLA görüşeceğim', 'critical', ['avukat']],
      ['İADE istiyorum', 'normal', ['iade']],
      ['我要退款', 'normal', ['退款']],
      ['אני אפנה לעורך דין', 'critical', ['עורך דין']],
      ['pelayannya kasar sekali', 'normal', ['kasar']],
      ['I will call my lawyer', 'critical', ['lawyer']],
    ];
    const events = table.map(([comment], i) => feedback({ externalId: `lang-${i}`, customerId: `c-lang-${i}`, metric: 'csat', score: 5, comment }));
    await publish(...events);
    const results = await waitScored(...events);
    expect(results.map((d) => [d.feedback.comment, d.severity, d.matchedKeywords])).toEqual(table);
    expect(results.every((d) => d.actionRequired && d.classification === 'positive')).toBe(true);
  });

  it('makes a second negative of the same customer within 30 days critical, in either order of response', async () => {
    const first = feedback({ externalId: 'repeat-1', customerId: 'c-repeat', metric: 'csat', score: 2, respondedAt: '2026-11-01T10:00:00Z' });
    const second = feedback({ externalId: 'repeat-2', customerId: 'c-repeat', metric: 'csat', score: 1, respondedAt: '2026-11-20T10:00:00Z' });
    const later = feedback({ externalId: 'repeat-3', customerId: 'c-repeat', metric: 'ces', score: 2, respondedAt: '2027-02-01T10:00:00Z' });
    // out of order: the later response arrives first; the earlier one, scored second, is the repeat
    const lateArrival = feedback({ externalId: 'ooo-2', customerId: 'c-ooo', score: 4, respondedAt: '2026-11-20T10:00:00Z' });
    const earlyResponse = feedback({ externalId: 'ooo-1', customerId: 'c-ooo', score: 5, respondedAt: '2026-10-25T10:00:00Z' });
    // a promoter in between is not a negative and breaks nothing
    const happy = feedback({ externalId: 'ooo-happy', customerId: 'c-ooo', score: 10, respondedAt: '2026-11-10T10:00:00Z' });
    await publish(first, second, later, lateArrival, happy, earlyResponse);
    const [d1, d2, d3, o1, h, o2] = await waitScored(first, second, later, lateArrival, happy, earlyResponse);

    expect([d1.severity, d2.severity, d3.severity]).toEqual(['normal', 'critical', 'normal']);
    expect(d2.reasons).toContainEqual({
      rule: 'repeat-negative',
      detail: `second negative from this customer within 30 days (feedback ${first.data.feedbackId}, responded 2026-11-01T10:00:00.000Z)`,
    });
    expect([o1.severity, h.severity, o2.severity]).toEqual(['normal', 'normal', 'critical']);
    expect(o2.reasons.map((r) => r.rule)).toEqual(['score-at-or-below-threshold', 'repeat-negative']);

    const rows = await ds.query(`SELECT customer_id, feedback_id FROM "${schema}".customer_negative WHERE customer_id IN ('c-repeat', 'c-ooo') ORDER BY responded_at, customer_id`);
    expect(rows).toEqual([
      { customer_id: 'c-ooo', feedback_id: earlyResponse.data.feedbackId },
      { customer_id: 'c-repeat', feedback_id: first.data.feedbackId },
      { customer_id: 'c-ooo', feedback_id: lateArrival.data.feedbackId },
      { customer_id: 'c-repeat', feedback_id: second.data.feedbackId },
      { customer_id: 'c-repeat', feedback_id: later.data.feedbackId },
    ]);
  });

  it('scores an event delivered twice exactly once, and a redelivered negative is not its own repeat', async () => {
    const twice = feedback({ externalId: 'twice-1', customerId: 'c-twice', metric: 'ces', score: 1 });
    await publish(twice);
    await publish(twice); // the same eventId again, as a producer retry or a relay crash would send it
    const after = feedback({ externalId: 'twice-after', customerId: 'c-twice', score: 9 }); // same partition: handled after both copies
    await publish(after);
    await waitScored(after);
    // the outbox relay sends in commit order, so everything scored before `after` is on the topic by now
    expect(scoredFor(twice)).toHaveLength(1);
    expect(scoredFor(twice)[0].event.data.severity).toBe('normal');
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM "${schema}".inbox WHERE event_id = $1`, [twice.eventId]);
    expect(n).toBe(1);
    const [{ negatives }] = await ds.query(`SELECT count(*)::int AS negatives FROM "${schema}".customer_negative WHERE customer_id = 'c-twice'`);
    expect(negatives).toBe(1);
  });

  it('serialises one customer\'s negatives, so two consumers scoring at once (a rebalance overlap) still see each other', async () => {
    // another consumer is in the middle of scoring a negative of c-overlap: it holds the customer's lock
    const history = app.get(NegativeHistory);
    const other = ds.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    await history.lockCustomer(other.manager, 'c-overlap');

    const mine = feedback({ externalId: 'overlap-mine', customerId: 'c-overlap', metric: 'csat', score: 1, respondedAt: '2026-11-11T10:00:00Z' });
    let done = false;
    const handling = app.get(FeedbackConsumer).onFeedback(mine).then(() => (done = true));
    // waits for the other consumer instead of reading a half-written history: its transaction is seen blocked on the lock
    await waitFor(async () => (await ds.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory' AND query LIKE '%pg_advisory_xact_lock%'`,
    )).length === 1, { what: 'the handler waiting for the customer lock' });
    expect(done).toBe(false);

    await history.record(other.manager, 'c-overlap', 'overlap-other', '2026-11-10T10:00:00Z');
    await other.commitTransaction();
    await other.release();
    await handling;
    const [data] = await waitScored(mine);
    expect(data.severity).toBe('critical');
    expect(data.reasons.find((r) => r.rule === 'repeat-negative')?.detail).toContain('feedback overlap-other');
  });

  it('prunes negatives nobody can repeat any more, but keeps a backfill\'s rows for a day', async () => {
    const t = `"${schema}".customer_negative`;
    await ds.query(`INSERT INTO ${t} (customer_id, feedback_id, responded_at, recorded_at) VALUES
      ('c-prune', 'old-and-settled', now() - interval '200 days', now() - interval '150 days'),
      ('c-prune', 'old-but-just-backfilled', now() - interval '200 days', now()),
      ('c-prune', 'recent', now() - interval '10 days', now() - interval '10 days')`);
    await app.get(Housekeeping).run();
    const rows = await ds.query(`SELECT feedback_id FROM ${t} WHERE customer_id = 'c-prune' ORDER BY feedback_id`);
    expect(rows.map((r: { feedback_id: string }) => r.feedback_id)).toEqual(['old-but-just-backfilled', 'recent']);
  });

  it('runs its lifecycle once: one outbox relay, listening on one connection', async () => {
    const listeners = await ds.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`, [`closeloop-${schema}-relay`]);
    expect(listeners).toEqual([{ n: 1 }]);
  });

  it('exposes its metrics and readiness', async () => {
    const base = await app.getUrl();
    const ready = await fetch(`${base.replace('[::1]', '127.0.0.1')}/health/ready`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`${base.replace('[::1]', '127.0.0.1')}/metrics`)).text();
    expect(sample(metrics, 'closeloop_feedback_scored_total', { classification: 'detractor', action_required: 'true', severity: 'normal' })).toBeGreaterThan(0);
    expect(sample(metrics, 'closeloop_feedback_scored_total', { classification: 'promoter', action_required: 'false', severity: 'normal' })).toBeGreaterThan(0);
    expect(sample(metrics, 'closeloop_feedback_scored_total', { classification: 'positive', action_required: 'true', severity: 'critical' })).toBe(3);
    // one observation per feedback scored in this file (the duplicate delivery is not scored twice)
    expect(sample(metrics, 'closeloop_stage_latency_seconds_count', { stage: 'scored' })).toBe(new Set(scored.map((s) => s.event.eventId)).size);
  });
});
