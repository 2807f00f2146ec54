import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { Consumer } from 'kafkajs';
import { DataSource } from 'typeorm';
import {
  ErasureProgressEvent, ErasureRequestedEvent, FeedbackReceivedData, FeedbackReceivedEvent, FeedbackScoredEvent, Topic, deterministicId, feedbackIdFor,
  makeEnvelope,
} from '@closeloop/contracts';
import { EventProducer, prefixed } from '@closeloop/messaging';
import { ERASED, Privacy, createDataSource, runMigrations } from '@closeloop/platform';
import { READER_MAX_WAIT_MS, consumerLag, testKafka, testLogger, waitFor, waitForQuiescence } from '@closeloop/testing';
import { startScoring } from '../src/app';
import { databaseOptions } from '../src/database';
import { scoringTestEnvironment } from './harness';
import { HistoryRetention } from '../src/privacy/retention';

// SPEC §13: scoring as a participant of an erasure (store `scoring`) and its retention pass, against real Kafka and Postgres.
const { schema, settings, cfg } = scoringTestEnvironment('scoring-erasure');

const suffix = randomUUID().slice(0, 8);
// her id is an email, as a Typeform source without a hidden customer_id makes it (SPEC §10): it must go too
const ayse = { id: `ayse.yilmaz.${suffix}@example.com`, name: 'Ayşe Yılmaz', email: `ayse.${suffix}@example.com`, phone: '+905321234567' };
const mehmet = { id: `c-mehmet-${suffix}`, name: 'Mehmet Demir', email: `mehmet.${suffix}@example.com`, phone: '+905559876543' };
const AYSE_COMMENTS = ['Garson çok kabaydı', '服务员很粗鲁'];
const ayseStrings = [ayse.id, ayse.name, ayse.email, ayse.phone, ...AYSE_COMMENTS];

function feedback(customer: typeof ayse, externalId: string, score: number, comment: string, respondedAt = new Date().toISOString()): FeedbackReceivedEvent {
  const feedbackId = feedbackIdFor('it', `${externalId}-${suffix}`);
  return makeEnvelope('feedback.received', {
    feedbackId, source: 'it', externalId: `${externalId}-${suffix}`, touchpoint: 'checkout', metric: 'nps', score, comment, respondedAt,
    customer: { id: customer.id, name: customer.name, email: customer.email, phone: customer.phone, locale: 'tr' }, receivedAt: new Date().toISOString(),
  } as FeedbackReceivedData, 'ingest', { eventId: feedbackId });
}

function erasureRequest(customerId: string, erasureId: string = randomUUID()): ErasureRequestedEvent {
  return makeEnvelope('customer.erasure_requested', { erasureId, customerId, requestedBy: 'a-admin', requestedAt: new Date().toISOString() }, 'tickets');
}

describe('scoring erases a customer (SPEC §13) and anonymises old history', () => {
  const kafka = testKafka();
  const producer = new EventProducer(settings, 'scoring-erasure-it', testLogger);
  const scored: FeedbackScoredEvent[] = [];
  const progress: ErasureProgressEvent[] = [];
  let collector: Consumer;
  let app: INestApplication;
  let ds: DataSource;
  let privacy: Privacy;

  /** Published as ingest publishes: sealed under the customer's key (ADR 0024). */
  const publishFeedback = async (...events: FeedbackReceivedEvent[]) => {
    const sealed = await Promise.all(events.map((e) => privacy.seal(Topic.FeedbackReceived, e)));
    await producer.publish(sealed.map((event) => ({ topic: Topic.FeedbackReceived, key: event.data.customer.id, event })));
    await waitFor(() => events.every((e) => scored.some((s) => s.data.feedbackId === e.data.feedbackId)), { what: 'scored feedback' });
  };
  const publishPrivacy = (...events: (ErasureRequestedEvent | ErasureProgressEvent)[]) =>
    producer.publish(events.map((event) => ({ topic: Topic.PrivacyEvents, key: event.data.customerId, event })));
  const progressOf = (erasureId: string) => progress.filter((p) => p.data.erasureId === erasureId && p.producer === 'scoring');
  const outboxRows = async () => Number((await ds.query(`SELECT count(*) AS n FROM "${schema}".outbox`))[0].n);
  /** Every table of the scoring schema, each row as text: what a dump of the schema would show. */
  const dump = async (): Promise<string> => {
    const tables: { table_name: string }[] = await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [schema]);
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['customer_negative', 'inbox', 'outbox']));
    const parts: string[] = [];
    for (const { table_name } of tables) {
      const rows: { row: string }[] = await ds.query(`SELECT t::text AS row FROM "${schema}"."${table_name}" t`);
      parts.push(`${table_name}: ${rows.map((r) => r.row).join('\n')}`);
    }
    return parts.join('\n');
  };
  const historyText = async () =>
    ((await ds.query(`SELECT t::text AS row FROM "${schema}".customer_negative t ORDER BY t::text`)) as { row: string }[]).map((r) => r.row).join('\n');
  const negatives = async (customerId: string) =>
    (await ds.query(`SELECT feedback_id, responded_at, recorded_at FROM "${schema}".customer_negative WHERE customer_id = $1 ORDER BY feedback_id`, [customerId])) as object[];
  /** Until scoring has handled every privacy event, sent every answer, and the collector has read them. */
  const quiet = () =>
    waitForQuiescence({
      pending: {
        'privacy events not handled': () => consumerLag(kafka, prefixed(settings, 'scoring'), [prefixed(settings, Topic.PrivacyEvents)]),
        'answers not sent': outboxRows,
      },
      activity: { progress: () => progress.length },
    }, { what: 'scoring after the erasure requests' });

  beforeAll(async () => {
    await runMigrations(databaseOptions(cfg));
    app = await startScoring(cfg); // creates the topics
    ds = app.get(DataSource);
    privacy = app.get(Privacy);
    await producer.connect();
    collector = kafka.consumer({ groupId: `${settings.topicPrefix}collector`, allowAutoTopicCreation: false, maxWaitTimeInMs: READER_MAX_WAIT_MS });
    await collector.connect();
    await collector.subscribe({ topics: [prefixed(settings, Topic.FeedbackScored), prefixed(settings, Topic.PrivacyEvents)], fromBeginning: true });
    await collector.run({
      eachMessage: async ({ topic, message }) => {
        const event = JSON.parse(String(message.value));
        if (topic === prefixed(settings, Topic.FeedbackScored)) scored.push(event);
        else if (event.type === 'customer.erasure_progress') progress.push(event);
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

  it('anonymises her history, answers done through the outbox, leaves another customer untouched, and a redelivered request changes nothing', async () => {
    const hers = [feedback(ayse, 'ayse-1', 2, AYSE_COMMENTS[0]), feedback(ayse, 'ayse-2', 1, AYSE_COMMENTS[1])];
    const his = feedback(mehmet, 'mehmet-1', 3, 'Yemek soğuktu');
    await publishFeedback(...hers, his);
    // the second of her negatives is a repeat: her history is what scoring keeps about her
    expect(scored.find((s) => s.data.feedbackId === hers[1].data.feedbackId)?.data.reasons.map((r) => r.rule)).toContain('repeat-negative');
    await waitForQuiescence({ pending: { 'scored events not sent': outboxRows } }, { what: 'the scored events' });
    expect(await negatives(ayse.id)).toHaveLength(2);
    const hisBefore = await negatives(mehmet.id);
    expect(hisBefore).toHaveLength(1);
    expect(await dump()).toContain(ayse.id); // the dump sees her before: the checks after it can fail

    const request = erasureRequest(ayse.id);
    await publishPrivacy(request);
    const answer = await waitFor(() => progressOf(request.data.erasureId)[0], { what: 'scoring\'s progress' });
    expect(answer).toMatchObject({
      eventId: deterministicId('erasure-progress', request.eventId, 'scoring'), type: 'customer.erasure_progress', producer: 'scoring',
      data: { erasureId: request.data.erasureId, customerId: ayse.id, store: 'scoring', status: 'done', erased: 2, by: 'scoring' },
    });
    await quiet();

    const after = await dump();
    for (const s of ayseStrings) expect(after).not.toContain(s);
    const history = await historyText();
    // ids and times kept, the customer gone
    const erased = (await ds.query(`SELECT feedback_id FROM "${schema}".customer_negative WHERE customer_id = $1 ORDER BY feedback_id`, [ERASED])) as { feedback_id: string }[];
    expect(erased.map((r) => r.feedback_id)).toEqual(hers.map((h) => h.data.feedbackId).sort());
    expect(await negatives(mehmet.id)).toEqual(hisBefore);

    // the same request redelivered, another participant's progress, then the orchestrator asking again for the same erasure
    const again = erasureRequest(ayse.id, request.data.erasureId);
    await publishPrivacy(request, makeEnvelope('customer.erasure_progress', { ...answer.data, store: 'tickets' as const, by: 'tickets' }, 'tickets'), again);
    await waitFor(() => progressOf(request.data.erasureId).length >= 2, { what: 'the answer to the second request' });
    await quiet();
    expect(progressOf(request.data.erasureId).map((p) => [p.eventId, p.data.status, p.data.erased])).toEqual([
      [deterministicId('erasure-progress', request.eventId, 'scoring'), 'done', 2],
      [deterministicId('erasure-progress', again.eventId, 'scoring'), 'done', 0],
    ]);
    expect(await historyText()).toBe(history); // nothing doubled, nothing changed
    for (const s of ayseStrings) expect(await dump()).not.toContain(s);
    expect(await negatives(mehmet.id)).toEqual(hisBefore);
  });

  it('a new feedback of an erased customer is scored as a first one (her erased history names nobody)', async () => {
    const next = feedback(ayse, 'ayse-3', 2, 'Yine kaba');
    await publishFeedback(next);
    const out = scored.find((s) => s.data.feedbackId === next.data.feedbackId);
    expect(out?.data.reasons.map((r) => r.rule)).not.toContain('repeat-negative');
  });

  it('retention: the daily pass anonymises history answered before retention.feedback (P180D), with the same function, once', async () => {
    const cust = { ...mehmet, id: `c-old-${suffix}` };
    const now = new Date();
    const old = feedback(cust, 'old-1', 2, 'Eski şikayet', new Date(now.getTime() - 200 * 86_400_000).toISOString());
    const recent = feedback(cust, 'recent-1', 2, 'Yeni şikayet', new Date(now.getTime() - 100 * 86_400_000).toISOString());
    await publishFeedback(old, recent);
    const othersBefore = await negatives(mehmet.id);

    const retention = app.get(HistoryRetention);
    expect(await retention.run(now)).toBe(1);
    expect(await negatives(cust.id)).toEqual([expect.objectContaining({ feedback_id: recent.data.feedbackId })]);
    const anonymised = (await ds.query(`SELECT customer_id FROM "${schema}".customer_negative WHERE feedback_id = $1`, [old.data.feedbackId])) as { customer_id: string }[];
    expect(anonymised).toEqual([{ customer_id: ERASED }]);
    expect(await negatives(mehmet.id)).toEqual(othersBefore);
    expect(await retention.run(now)).toBe(0); // idempotent
    // a day later by its clock the recent one is still young (100 + 1 < 180 days)
    expect(await retention.run(new Date(now.getTime() + 86_400_000))).toBe(0);
  });
});
