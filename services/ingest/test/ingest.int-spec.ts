import { request as httpRequest } from 'node:http';
import { Server, connect, createServer } from 'node:net';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Topic, feedbackIdFor, validateEvent } from '@closeloop/contracts';
import { prefixed } from '@closeloop/messaging';
import { messagesOnTopic, openedEvents, readTopic, testKafka, testKafkaSettings, uniqueName, waitFor } from '@closeloop/testing';
import { startIngest } from '../src/app';
import { MAX_BODY_BYTES, loadIngestConfig } from '../src/config';
import { ingestSchema } from './database';

const settings = testKafkaSettings('ingest');
const topic = prefixed(settings, Topic.FeedbackReceived);
const KEY = uniqueName('ingest-key');
const OTHER_KEY = uniqueName('other-key');
const kafka = testKafka();
const run = uniqueName('run');
const database = ingestSchema('ingest');

function envFor(over: Record<string, string> = {}) {
  return {
    KAFKA_BROKERS: settings.brokers.join(','),
    KAFKA_TOPIC_PREFIX: settings.topicPrefix,
    INGEST_API_KEYS: `${OTHER_KEY},${KEY}`,
    INGEST_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    INGEST_RATE_LIMIT: '10000',
    ...database.env,
    ...over,
  };
}

const feedback = (externalId: string, over: Record<string, unknown> = {}) => ({
  source: 'questionpro', externalId: `${run}-${externalId}`, touchpoint: 'checkout', channel: 'web', metric: 'nps', score: 3,
  comment: 'Garsonlar çok kaba, yemek 40 dakika sürdü',
  customer: { id: `c-${externalId}`, name: 'Deniz', email: 'd@example.com', phone: '+905551234567', locale: 'tr' },
  respondedAt: '2026-11-23T10:00:00Z', attributes: { store: 'istanbul-1', vip: true },
  ...over,
});
const idOf = (externalId: string) => feedbackIdFor('questionpro', `${run}-${externalId}`);

/** Exactly how many messages the topic holds (waits for leaders, retries what Kafka calls retriable). */
const onTopicNow = () => messagesOnTopic(kafka, topic);

/** The topic's events as consumers read them (personal fields decrypted, ADR 0024), each with its bytes as sent. */
async function eventsOnTopic(count: number) {
  const messages = await readTopic(kafka, topic, { minCount: count });
  const opened = await openedEvents(Topic.FeedbackReceived, messages.map((m) => m.value));
  return messages.map((m, i) => ({ ...m, event: opened[i] }));
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function expectProblem(res: request.Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: expect.stringMatching(/^urn:closeloop:problem:/), title: expect.any(String), status, detail: expect.any(String) });
}

describe('ingest against real Kafka', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  const post = (path: string, body: unknown, key = KEY) => http.post(path).set('Authorization', `Bearer ${key}`).send(body as object);

  beforeAll(async () => {
    await database.migrate();
    app = await startIngest(loadIngestConfig(envFor()));
    http = request(app.getHttpServer());
  });

  afterAll(async () => {
    await app?.close();
    await database.drop();
  });

  it('is ready once connected to Kafka and Postgres', async () => {
    const res = await http.get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body.info.kafka.status).toBe('up');
    expect(res.body.info.database.status).toBe('up');
    expect((await http.get('/health/live')).status).toBe(200);
  });

  it('answers 202 only with the event on the topic: eventId = feedbackId, keyed by customer id', async () => {
    const before = await onTopicNow();
    const body = feedback('first');
    const res = await post('/v1/feedback', body);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ feedbackId: idOf('first'), duplicate: false, revision: 1 });

    // acknowledged means already on the topic: the count is exact at once (the content is checked at the end)
    expect(await onTopicNow()).toBe(before + 1);
  });

  it('gives a resubmission the same id, flags it as a duplicate and does not publish it again (revisions: revisions.int-spec)', async () => {
    const body = feedback('resubmitted');
    expect((await post('/v1/feedback', body)).body).toEqual({ feedbackId: idOf('resubmitted'), duplicate: false, revision: 1 });
    const before = await onTopicNow();
    const again = await post('/v1/feedback', body);
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ feedbackId: idOf('resubmitted'), duplicate: true, revision: 1 });
    expect(await onTopicNow()).toBe(before);
  });

  it('400 names every bad field at once and publishes nothing', async () => {
    const before = await onTopicNow();
    const { source: _s, ...noSource } = feedback('bad');
    const res = await post('/v1/feedback', {
      ...noSource, score: 11, respondedAt: 'yesterday', customer: { email: 'not-an-email', vip: true }, scroe: 3,
    });
    expectProblem(res, 400);
    expect(res.body.type).toBe('urn:closeloop:problem:validation');
    expect(res.body.errors).toEqual(expect.arrayContaining([
      { field: 'source', message: 'is required' },
      { field: 'score', message: 'must be an integer from 0 to 10 for metric nps' },
      { field: 'respondedAt', message: 'must be an ISO-8601 date-time' },
      { field: 'customer.id', message: 'is required' },
      { field: 'customer.email', message: 'must be an email address' },
      { field: 'customer.vip', message: 'is not a known field' },
      { field: 'scroe', message: 'is not a known field' },
    ]));
    expect(res.body.errors).toHaveLength(7);
    expect(res.body.detail).toMatch(/7 fields are invalid/);
    expect(await onTopicNow()).toBe(before);
  });

  it('400 with a clear detail for broken JSON', async () => {
    const res = await http.post('/v1/feedback').set('Authorization', `Bearer ${KEY}`).set('Content-Type', 'application/json').send('{"source": "x",');
    expectProblem(res, 400);
    expect(res.body.detail).toMatch(/^the request body is not valid JSON: /);
    const empty = await http.post('/v1/feedback').set('Authorization', `Bearer ${KEY}`).set('Content-Type', 'application/json').send('');
    expectProblem(empty, 400);
    expect(empty.body.detail).toMatch(/body is empty/);
  });

  it('401 without a valid key, with a Bearer challenge', async () => {
    const before = await onTopicNow();
    for (const auth of [undefined, `Bearer ${KEY}x`, 'Bearer nope', `Basic ${Buffer.from(`u:${KEY}`).toString('base64')}`]) {
      const req = http.post('/v1/feedback').set('Content-Type', 'application/json');
      if (auth) req.set('Authorization', auth);
      const res = await req.send(feedback('unauth'));
      expectProblem(res, 401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="closeloop-ingest"/);
    }
    expectProblem(await http.post('/v1/feedback/batch').send({ items: [feedback('unauth')] }), 401);
    expect(await onTopicNow()).toBe(before);
    expect((await post('/v1/feedback', feedback('other-key'), OTHER_KEY)).status).toBe(202); // every configured key works
    expect(await onTopicNow()).toBe(before + 1);
  });

  it('413 for a body over 1 MiB; exactly 1 MiB is read (and validated)', async () => {
    const bodyOfSize = (bytes: number) => {
      const shell = JSON.stringify({ ...feedback('big'), comment: '' });
      return `${shell.slice(0, -1)},"pad":"${'x'.repeat(bytes - Buffer.byteLength(shell) - 9)}"}`;
    };
    const over = bodyOfSize(MAX_BODY_BYTES + 1);
    expect(Buffer.byteLength(over)).toBe(MAX_BODY_BYTES + 1);
    const res = await http.post('/v1/feedback').set('Authorization', `Bearer ${KEY}`).set('Content-Type', 'application/json').send(over);
    expectProblem(res, 413);
    expect(res.body.detail).toMatch(/larger than 1 MiB/);

    const exact = bodyOfSize(MAX_BODY_BYTES);
    expect(Buffer.byteLength(exact)).toBe(MAX_BODY_BYTES);
    const ok = await http.post('/v1/feedback').set('Authorization', `Bearer ${KEY}`).set('Content-Type', 'application/json').send(exact);
    expectProblem(ok, 400);
    expect(ok.body.errors).toEqual([{ field: 'pad', message: 'is not a known field' }]);
  });

  it('413 for a chunked upload (no Content-Length) once it passes 1 MiB', async () => {
    const { port } = new URL(await app.getUrl());
    const status = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1', port, method: 'POST', path: '/v1/feedback',
        headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
      });
      req.on('error', reject);
      const chunk = 'x'.repeat(64 * 1024);
      req.write('{"comment":"');
      for (let i = 0; i < 20; i++) req.write(chunk);
      req.end('"}');
    });
    expect(status.status).toBe(413);
    expect(status.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(status.body).status).toBe(413);
  });

  it('415 unless the body is JSON', async () => {
    const text = await http.post('/v1/feedback').set('Authorization', `Bearer ${KEY}`).set('Content-Type', 'text/plain').send(JSON.stringify(feedback('text')));
    expectProblem(text, 415);
    const form = await http.post('/v1/feedback/batch').set('Authorization', `Bearer ${KEY}`).type('form').send({ items: 'x' });
    expectProblem(form, 415);
    const latin1 = await http.post('/v1/feedback').set('Authorization', `Bearer ${KEY}`).set('Content-Type', 'application/json; charset=latin1').send('{}');
    expectProblem(latin1, 415);
  });

  it('405 for another method on the ingest paths', async () => {
    const res = await http.get('/v1/feedback').set('Authorization', `Bearer ${KEY}`);
    expectProblem(res, 405);
    expect(res.headers.allow).toBe('POST');
  });

  it('batch: one result per item in order, only the valid new items on the topic', async () => {
    expect((await post('/v1/feedback', feedback('batch-earlier'))).status).toBe(202);
    const before = await onTopicNow();
    const items = [
      feedback('batch-a'),
      { ...feedback('batch-bad'), metric: 'stars' },
      feedback('batch-b', { metric: 'csat', score: 1 }),
      feedback('batch-a', { comment: 'same id again' }),
      'not an object',
      feedback('batch-earlier'), // accepted by an earlier request
      { ...feedback('batch-c'), customer: {} },
    ];
    const res = await post('/v1/feedback/batch', { items });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { feedbackId: idOf('batch-a'), duplicate: false, revision: 1 },
      { errors: [{ field: 'metric', message: 'must be one of nps, csat, ces' }] },
      { feedbackId: idOf('batch-b'), duplicate: false, revision: 1 },
      { feedbackId: idOf('batch-a'), duplicate: false, revision: 2 }, // same id, new comment: its next revision
      { errors: [{ field: '(root)', message: 'must be a JSON object' }] },
      { feedbackId: idOf('batch-earlier'), duplicate: true, revision: 1 },
      { errors: [{ field: 'customer.id', message: 'is required' }] },
    ]);
    expect(await onTopicNow()).toBe(before + 3);
  });

  it('batch: 400 for a malformed envelope or more than 500 items, nothing published', async () => {
    const before = await onTopicNow();
    const many = Array.from({ length: 501 }, (_, i) => feedback(`many-${i}`));
    const tooMany = await post('/v1/feedback/batch', { items: many });
    expectProblem(tooMany, 400);
    expect(tooMany.body.errors).toEqual([{ field: 'items', message: 'must contain at most 500 items, got 501' }]);
    const notArray = await post('/v1/feedback/batch', { items: feedback('x') });
    expectProblem(notArray, 400);
    expect(notArray.body.errors).toEqual([{ field: 'items', message: 'must be an array of feedback objects' }]);
    expect(await onTopicNow()).toBe(before);
  });

  it('batch: 500 items are accepted in one go', async () => {
    const before = await onTopicNow();
    const items = Array.from({ length: 500 }, (_, i) => feedback(`full-${i}`, { customer: { id: `c-full-${i % 7}` } }));
    const res = await post('/v1/feedback/batch', { items });
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(500);
    expect(res.body.results.every((r: { duplicate?: boolean }) => r.duplicate === false)).toBe(true);
    expect(await onTopicNow()).toBe(before + 500);
  });

  it('every acknowledged feedback is on the topic once, as sent: eventId = feedbackId, keyed by customer id', async () => {
    // this test's own feedback, single and batched, one of them sent twice and one through the other key
    const mine = new Map<string, { key: string; body: Record<string, unknown> }>();
    const single = [feedback('as-sent-1'), feedback('as-sent-2', { comment: '服务员很粗鲁', customer: { id: 'c-as-sent-2', locale: 'zh' } })];
    for (const body of single) expect((await post('/v1/feedback', body)).status).toBe(202);
    expect((await post('/v1/feedback', single[0])).body.duplicate).toBe(true);
    const other = feedback('as-sent-3', { metric: 'ces', score: 2 });
    expect((await post('/v1/feedback', other, OTHER_KEY)).status).toBe(202);
    const batch = Array.from({ length: 5 }, (_, i) => feedback(`as-sent-b${i}`, { customer: { id: `c-as-sent-b${i % 2}` } }));
    expect((await post('/v1/feedback/batch', { items: batch })).status).toBe(200);
    for (const body of [...single, other, ...batch]) mine.set(feedbackIdFor('questionpro', String(body.externalId)), { key: (body.customer as { id: string }).id, body });

    // the whole topic (this file's other tests wrote to it too): each of mine once, as sent; no event id twice anywhere
    const events = await eventsOnTopic(await onTopicNow());
    expect(new Set(events.map((e) => e.event.eventId)).size).toBe(events.length);
    const found = events.filter((m) => mine.has(m.event.eventId));
    expect(found.map((m) => m.event.eventId).sort()).toEqual([...mine.keys()].sort());
    for (const m of found) {
      const want = mine.get(m.event.eventId);
      if (!want) throw new Error(`unexpected event ${m.event.eventId}`);
      expect(m.key).toBe(want.key);
      expect(m.headers['event-type']).toBe('feedback.received');
      expect(m.event).toMatchObject({ type: 'feedback.received', version: 1, producer: 'ingest' });
      expect(m.event.data).toEqual({ ...want.body, feedbackId: m.event.eventId, receivedAt: m.event.occurredAt, revision: 1 });
      expect(validateEvent(Topic.FeedbackReceived, m.event).ok).toBe(true);
      // on the topic itself, the customer's name, email, phone and comment are ciphertext (SPEC §13), and valid as such
      const customer = want.body.customer as Record<string, string>;
      for (const text of [customer.name, customer.email, customer.phone, want.body.comment as string | undefined]) {
        if (text) expect(m.value).not.toContain(text);
      }
      expect(validateEvent(Topic.FeedbackReceived, JSON.parse(m.value ?? 'null')).ok).toBe(true);
    }
  });

  it('serves the OpenAPI document with both endpoints, the bearer scheme and problem responses', async () => {
    const ui = await http.get('/docs/');
    expect(ui.status).toBe(200);
    expect(ui.text).toMatch(/swagger/i);
    const res = await http.get('/docs-json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('Closeloop ingest API');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/v1/feedback', '/v1/feedback/batch', '/v1/sources', '/v1/sources/{id}/deliveries', '/v1/sources/{id}/kept',
      '/v1/sources/{id}/kept/{keptId}', '/v1/sources/{id}/kept/{keptId}/replay', '/v1/sources/{id}/stats',
    ]);
    expect(doc.paths['/v1/sources/{id}/kept/{keptId}/replay'].post.security).toEqual([{ 'agent-token': [] }]);
    expect(doc.paths['/v1/sources/{id}/stats'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/SourceStats' });
    expect(doc.components.securitySchemes['ingest-key']).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const path of ['/v1/feedback', '/v1/feedback/batch']) {
      const op = doc.paths[path].post;
      expect(op.security).toEqual([{ 'ingest-key': [] }]);
      expect(op.requestBody.content['application/json'].schema.$ref).toMatch(/^#\/components\/schemas\//);
      for (const status of ['400', '401', '413', '415', '429', '503']) {
        expect(op.responses[status].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
      }
    }
    expect(doc.paths['/v1/feedback'].post.responses['202']).toBeDefined();
    expect(doc.paths['/v1/feedback/batch'].post.responses['200']).toBeDefined();
    // every reference resolves inside the document
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(5);
    for (const r of refs) {
      const pointer = r.slice(8, -1).replace(/^#\//, '').split('/');
      expect(pointer.reduce((node: any, key) => node?.[key], doc)).toBeDefined();
    }
  });

  it('exposes request, acceptance and latency metrics', async () => {
    const text = (await http.get('/metrics')).text;
    expect(text).toMatch(/closeloop_ingest_requests_total\{[^}]*endpoint="feedback"[^}]*status="202"[^}]*\} [1-9]/);
    expect(text).toMatch(/closeloop_ingest_requests_total\{[^}]*endpoint="batch"[^}]*status="200"[^}]*\} [1-9]/);
    expect(text).toMatch(/closeloop_ingest_requests_total\{[^}]*endpoint="feedback"[^}]*status="401"[^}]*\} [1-9]/);
    expect(text).toMatch(/closeloop_feedback_accepted_total\{[^}]*duplicate="false"[^}]*\} [1-9]/);
    expect(text).toMatch(/closeloop_ingest_request_duration_seconds_bucket\{[^}]*endpoint="batch"/);
  });

  describe('with a tiny rate limit', () => {
    let limited: INestApplication;
    beforeAll(async () => {
      limited = await startIngest(loadIngestConfig(envFor({ INGEST_RATE_LIMIT: '1', INGEST_RATE_BURST: '2' })));
    });
    afterAll(async () => {
      await limited?.close();
    });

    it('429 with Retry-After once a key spends its burst; other keys keep their own budget', async () => {
      const h = request(limited.getHttpServer());
      const send = (key: string) => h.post('/v1/feedback').set('Authorization', `Bearer ${key}`).send({ not: 'valid' });
      expect((await send(KEY)).status).toBe(400);
      expect((await send(KEY)).status).toBe(400);
      const third = await send(KEY);
      expectProblem(third, 429);
      expect(third.headers['retry-after']).toBe('1');
      expect((await send(OTHER_KEY)).status).toBe(400);
    });
  });

  describe('when Kafka is unreachable', () => {
    // Without Kafka, kafkajs would retry its connection for minutes; ingest gives up after INGEST_KAFKA_TIMEOUT_MS.
    // The bounds below tell "answers after about that timeout" from "hangs on kafkajs' retries" (latency is the bench's).
    const KAFKA_TIMEOUT_MS = 2_000;
    const NOT_HANGING_MS = 6 * KAFKA_TIMEOUT_MS;
    let down: INestApplication;
    let startedInMs: number;
    let port: number;
    let proxy: Server | undefined;
    beforeAll(async () => {
      port = await closedPort();
      const started = Date.now();
      down = await startIngest(loadIngestConfig(envFor({ KAFKA_BROKERS: `127.0.0.1:${port}`, INGEST_KAFKA_TIMEOUT_MS: String(KAFKA_TIMEOUT_MS) })));
      startedInMs = Date.now() - started;
    });
    afterAll(async () => {
      await down?.close();
      await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)));
    });

    it('still starts, quickly, and says it is not ready', async () => {
      expect(startedInMs).toBeLessThan(NOT_HANGING_MS);
      const h = request(down.getHttpServer());
      const t0 = Date.now();
      const ready = await h.get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.error.kafka.status).toBe('down');
      expect(Date.now() - t0).toBeLessThan(NOT_HANGING_MS);
      expect((await h.get('/health/live')).status).toBe(200);
    });

    it('503 with Retry-After for single and batch submissions, in seconds, never a 202', async () => {
      const h = request(down.getHttpServer());
      const t0 = Date.now();
      const one = await h.post('/v1/feedback').set('Authorization', `Bearer ${KEY}`).send(feedback('down-1'));
      expectProblem(one, 503);
      expect(one.headers['retry-after']).toBe('5');
      expect(one.body.detail).toMatch(/NOT accepted/);
      const batch = await h.post('/v1/feedback/batch').set('Authorization', `Bearer ${KEY}`).send({ items: [feedback('down-2'), { bad: true }] });
      expectProblem(batch, 503);
      expect(Date.now() - t0).toBeLessThan(NOT_HANGING_MS);
      // validation still answers without Kafka
      expectProblem(await h.post('/v1/feedback').set('Authorization', `Bearer ${KEY}`).send({}), 400);
    });

    it('connects by itself once Kafka answers, then accepts what it refused', async () => {
      // Kafka "comes back" on the address ingest was given: a TCP relay to the real broker on that port
      const [host, brokerPort] = settings.brokers[0].split(':');
      proxy = createServer((client) => {
        const upstream = connect(Number(brokerPort), host);
        client.pipe(upstream).pipe(client);
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
      });
      await new Promise<void>((r) => proxy?.listen(port, '127.0.0.1', r));
      const h = request(down.getHttpServer());
      await waitFor(async () => (await h.get('/health/ready')).status === 200, { timeoutMs: 20_000, what: 'ready after Kafka came back' });
      const before = await onTopicNow();
      const res = await h.post('/v1/feedback').set('Authorization', `Bearer ${KEY}`).send(feedback('down-1'));
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ feedbackId: idOf('down-1'), duplicate: false, revision: 1 });
      expect(await onTopicNow()).toBe(before + 1);
    });
  });
});
