import { createServer } from 'node:net';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Topic, feedbackIdFor, feedbackReceivedEventId } from '@closeloop/contracts';
import { prefixed } from '@closeloop/messaging';
import { messagesOnTopic, openedEvents, readTopic, testKafka, testKafkaSettings, uniqueName } from '@closeloop/testing';
import { startIngest } from '../src/app';
import { loadIngestConfig } from '../src/config';
import { ingestSchema } from './database';

/** SPEC §10 revisions at ingest, against real Kafka and Postgres: numbering, duplicates, concurrency, failures. */
const settings = testKafkaSettings('ingest-rev');
const topic = prefixed(settings, Topic.FeedbackReceived);
const KEY = uniqueName('ingest-key-rev');
const kafka = testKafka();
const database = ingestSchema('revisions');

const envFor = (over: Record<string, string> = {}) => ({
  KAFKA_BROKERS: settings.brokers.join(','),
  KAFKA_TOPIC_PREFIX: settings.topicPrefix,
  INGEST_API_KEYS: KEY,
  INGEST_PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  INGEST_RATE_LIMIT: '0',
  ...database.env,
  ...over,
});

const feedback = (externalId: string, over: Record<string, unknown> = {}) => ({
  source: 'delighted-web', externalId, touchpoint: 'checkout', metric: 'nps', score: 7,
  customer: { id: `c-${externalId}` }, respondedAt: '2026-11-23T10:00:00Z', ...over,
});

/** The events of one feedback on the topic, in topic order (one key, one partition). */
async function eventsOf(feedbackId: string) {
  const all = await readTopic(kafka, topic, { minCount: await messagesOnTopic(kafka, topic) });
  return (await openedEvents(Topic.FeedbackReceived, all.map((m) => m.value))).filter((e) => e.data.feedbackId === feedbackId);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('ingest revisions (SPEC §10) against real Kafka and Postgres', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  const post = (body: unknown, h = http) => h.post('/v1/feedback').set('Authorization', `Bearer ${KEY}`).send(body as object);
  const onTopicNow = () => messagesOnTopic(kafka, topic);

  beforeAll(async () => {
    await database.migrate();
    app = await startIngest(loadIngestConfig(envFor()));
    http = request(app.getHttpServer());
  });

  afterAll(async () => {
    await app?.close();
    await database.drop();
  });

  it('same externalId with a new comment → same feedbackId, revision 2, a second event; an identical resend → duplicate, no event', async () => {
    const externalId = uniqueName('resp');
    const id = feedbackIdFor('delighted-web', externalId);
    expect((await post(feedback(externalId))).body).toEqual({ feedbackId: id, duplicate: false, revision: 1 });

    const before = await onTopicNow();
    const revised = await post(feedback(externalId, { comment: 'I want a refund' }));
    expect(revised.status).toBe(202);
    expect(revised.body).toEqual({ feedbackId: id, duplicate: false, revision: 2 });
    expect(await onTopicNow()).toBe(before + 1);

    const again = await post(feedback(externalId, { comment: 'I want a refund' }));
    expect(again.body).toEqual({ feedbackId: id, duplicate: true, revision: 2 });
    expect(await onTopicNow()).toBe(before + 1);

    const events = await eventsOf(id);
    expect(events.map((e) => [e.eventId, e.data.revision, e.data.comment ?? null])).toEqual([
      [id, 1, null],
      [feedbackReceivedEventId(id, 2), 2, 'I want a refund'],
    ]);
    expect(await database.query(`SELECT revision FROM "${database.schema}".feedback_revision WHERE feedback_id = $1`, [id])).toEqual([{ revision: 2 }]);
  });

  it('concurrent requests with different content get consecutive revisions: none lost, none shared', async () => {
    const externalId = uniqueName('race');
    const id = feedbackIdFor('delighted-web', externalId);
    expect((await post(feedback(externalId))).status).toBe(202);
    const before = await onTopicNow();

    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => post(feedback(externalId, { comment: `version ${i}` }))));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(202));
    expect(answers.map((a) => a.body.revision).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(answers.every((a) => a.body.duplicate === false && a.body.feedbackId === id)).toBe(true);
    expect(await onTopicNow()).toBe(before + 8);

    // each revision on the topic once, carrying the content its request was answered for (requests publish after
    // numbering, so two at once may land in either order; tickets keeps the highest revision it has seen)
    const events = (await eventsOf(id)).slice(1);
    expect(events.map((e) => e.data.revision).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    const answered = new Map(answers.map((a, i) => [a.body.revision, `version ${i}`]));
    for (const e of events) {
      expect(e.data.comment).toBe(answered.get(e.data.revision));
      expect(e.eventId).toBe(feedbackReceivedEventId(id, e.data.revision));
    }
  });

  it('a batch numbers like single requests: a change is the next revision, a repeat a duplicate', async () => {
    const externalId = uniqueName('batch');
    const id = feedbackIdFor('delighted-web', externalId);
    expect((await post(feedback(externalId))).status).toBe(202);
    const res = await http.post('/v1/feedback/batch').set('Authorization', `Bearer ${KEY}`).send({
      items: [feedback(externalId), feedback(externalId, { score: 3 }), feedback(externalId, { score: 3 }), feedback(externalId, { score: 3, comment: 'refund' })],
    });
    expect(res.body.results).toEqual([
      { feedbackId: id, duplicate: true, revision: 1 },
      { feedbackId: id, duplicate: false, revision: 2 },
      { feedbackId: id, duplicate: true, revision: 2 },
      { feedbackId: id, duplicate: false, revision: 3 },
    ]);
    expect((await eventsOf(id)).map((e) => [e.data.revision, e.data.score])).toEqual([[1, 7], [2, 3], [3, 3]]);
  });

  it('Kafka down → 503; the same content sent again gets the number it had reserved, and is published once', async () => {
    const externalId = uniqueName('down');
    const id = feedbackIdFor('delighted-web', externalId);
    expect((await post(feedback(externalId))).body.revision).toBe(1);

    // a second instance on the same database whose Kafka does not answer
    const down = await startIngest(loadIngestConfig(envFor({ KAFKA_BROKERS: `127.0.0.1:${await closedPort()}`, INGEST_KAFKA_TIMEOUT_MS: '1000' })));
    try {
      const refused = await post(feedback(externalId, { comment: 'refund' }), request(down.getHttpServer()));
      expect(refused.status).toBe(503);
      expect(refused.body.type).toBe('urn:closeloop:problem:kafka-unavailable');
    } finally {
      await down.close();
    }
    // reserved before the publish, never confirmed
    expect(await database.query(`SELECT revision, published FROM "${database.schema}".feedback_revision WHERE feedback_id = $1`, [id]))
      .toEqual([{ revision: 2, published: false }]);

    const accepted = await post(feedback(externalId, { comment: 'refund' }));
    expect(accepted.body).toEqual({ feedbackId: id, duplicate: false, revision: 2 });
    expect((await eventsOf(id)).map((e) => e.data.revision)).toEqual([1, 2]);
    expect(await database.query(`SELECT revision, published FROM "${database.schema}".feedback_revision WHERE feedback_id = $1`, [id]))
      .toEqual([{ revision: 2, published: true }]);
    expect((await post(feedback(externalId, { comment: 'refund' }))).body).toEqual({ feedbackId: id, duplicate: true, revision: 2 });
  });

  it('after a publish that failed (it may still have reached Kafka), other content gets the next number, never the reserved one', async () => {
    const externalId = uniqueName('ambiguous');
    const id = feedbackIdFor('delighted-web', externalId);
    expect((await post(feedback(externalId))).body.revision).toBe(1);
    const down = await startIngest(loadIngestConfig(envFor({ KAFKA_BROKERS: `127.0.0.1:${await closedPort()}`, INGEST_KAFKA_TIMEOUT_MS: '1000' })));
    try {
      expect((await post(feedback(externalId, { comment: 'refund' }), request(down.getHttpServer()))).status).toBe(503);
    } finally {
      await down.close();
    }
    // had revision 2 reached Kafka after all, an event with other content under the same number would be dropped by every inbox
    const later = await post(feedback(externalId, { comment: 'refund, and nobody called back' }));
    expect(later.body).toEqual({ feedbackId: id, duplicate: false, revision: 3 });
    expect((await eventsOf(id)).map((e) => [e.data.revision, e.data.comment ?? null])).toEqual([[1, null], [3, 'refund, and nobody called back']]);
  });
});
