// SPEC §10 against real Kafka: each kind's signed vendor payload becomes the feedback event; everything else is
// answered as §10 says, and nothing but accepted feedback reaches the topic. Qualtrics and SurveyMonkey answers come
// from local stubs of their APIs. Every count is relative to the test's own start.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Topic, feedbackIdFor, validateEvent } from '@closeloop/contracts';
import { prefixed } from '@closeloop/messaging';
import {
  SurveyApiStub, messagesOnTopic, openedEvents, readTopic, startQualtricsStub, startSurveyMonkeyStub, testKafka, testKafkaSettings, uniqueName,
} from '@closeloop/testing';
import { startIngest } from '../src/app';
import { loadIngestConfig } from '../src/config';
import { DEFAULT_ATTEMPTS } from '../src/sources/intake/answers-fetch';
import { delightedCreated, delightedUnsubscribe } from '../src/sources/fixtures/delighted';
import { formbricksCreatedWithoutScore, formbricksFinished, formbricksSecret } from '../src/sources/fixtures/formbricks';
import { qualtricsMsg, qualtricsResponse, qualtricsTopic } from '../src/sources/fixtures/qualtrics';
import { questionproResponse } from '../src/sources/fixtures/questionpro';
import {
  body, delightedSignature, qualtricsForm, standardWebhookHeaders, surveyMonkeySignature, typeformSignature,
} from '../src/sources/fixtures/sign';
import { surveyMonkeyDetails, surveyMonkeyEvent } from '../src/sources/fixtures/surveymonkey';
import { typeformEvent } from '../src/sources/fixtures/typeform';
import { ingestSchema } from './database';

const settings = testKafkaSettings('sources');
const topic = prefixed(settings, Topic.FeedbackReceived);
const kafka = testKafka();
const SECRET = {
  qp: uniqueName('qp-secret'), tf: uniqueName('tf-secret'), dl: uniqueName('dl-secret'), fb: formbricksSecret,
  ql: uniqueName('ql-secret'), sm: uniqueName('sm-secret'), gen: uniqueName('gen-secret'),
};
const QL_TOKEN = uniqueName('ql-token');
const SM_TOKEN = uniqueName('sm-token');
const SM_API_KEY = 'sm-api-key-1';

const onTopicNow = () => messagesOnTopic(kafka, topic);
const database = ingestSchema('sources');

function expectProblem(res: request.Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: expect.stringMatching(/^urn:closeloop:problem:/), title: expect.any(String), status, detail: expect.any(String) });
}

/** The routing file of the repository plus the sources under test. */
function routingFile(dir: string, qualtricsUrl: string, surveyMonkeyUrl: string): string {
  const sources = `
sources:
  - { id: qp, kind: questionpro, secretEnv: QP_SECRET, touchpoint: checkout, fields: { score: Q2, comment: Q3 } }
  - { id: tf, kind: typeform, secretEnv: TF_SECRET, touchpoint: checkout, fields: { score: nps_q, comment: why_q, touchpoint: form_response.hidden.touchpoint } }
  - { id: dl, kind: delighted, secretEnv: DL_SECRET, touchpoint: delivery }
  - { id: fb, kind: formbricks, secretEnv: FB_SECRET, touchpoint: app, fields: { score: nps, comment: why } }
  - { id: ql, kind: qualtrics, secretEnv: QL_SECRET, touchpoint: restaurant, fields: { score: QID1, comment: QID2 }, api: { url: "${qualtricsUrl}", tokenEnv: QL_TOKEN } }
  - { id: ql-wrong-token, kind: qualtrics, secretEnv: QL_SECRET, touchpoint: restaurant, fields: { score: QID1 }, api: { url: "${qualtricsUrl}", tokenEnv: QL_WRONG_TOKEN } }
  - { id: sm, kind: surveymonkey, secretEnv: SM_SECRET, touchpoint: support, fields: { score: "222222", comment: "222223" }, api: { url: "${surveyMonkeyUrl}", tokenEnv: SM_TOKEN } }
  - { id: gen, kind: generic, secretEnv: GEN_SECRET, touchpoint: kiosk, metric: csat, fields: { externalId: ticket.id, score: ticket.rating, comment: ticket.text, customerId: ticket.requester } }
`;
  const path = join(dir, 'closeloop.yaml');
  writeFileSync(path, `${readFileSync('config/closeloop.yaml', 'utf8')}\n${sources}`);
  return path;
}

describe('sources (SPEC §10) against real Kafka', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let qualtricsApi: SurveyApiStub;
  let surveyMonkeyApi: SurveyApiStub;
  let dir: string;
  let env: Record<string, string>;
  /** eventId → what the event must carry; checked in one read at the end (a topic read costs a group join). */
  const expected = new Map<string, { key: string; data: Record<string, unknown> }>();

  beforeAll(async () => {
    [qualtricsApi, surveyMonkeyApi] = await Promise.all([startQualtricsStub({ token: QL_TOKEN }), startSurveyMonkeyStub({ token: SM_TOKEN })]);
    dir = mkdtempSync(join(tmpdir(), 'closeloop-sources-'));
    env = {
      KAFKA_BROKERS: settings.brokers.join(','),
      KAFKA_TOPIC_PREFIX: settings.topicPrefix,
      INGEST_API_KEYS: uniqueName('ingest-key'),
      INGEST_PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      CLOSELOOP_CONFIG: routingFile(dir, qualtricsApi.url, surveyMonkeyApi.url),
      QP_SECRET: SECRET.qp, TF_SECRET: SECRET.tf, DL_SECRET: SECRET.dl, FB_SECRET: SECRET.fb, QL_SECRET: SECRET.ql,
      SM_SECRET: SECRET.sm, GEN_SECRET: SECRET.gen, QL_TOKEN, QL_WRONG_TOKEN: 'not-the-token', SM_TOKEN,
      ...database.env,
    };
    await database.migrate();
    app = await startIngest(loadIngestConfig(env));
    http = request(app.getHttpServer());
    qualtricsApi.respond(qualtricsMsg.SurveyID, qualtricsMsg.ResponseID, qualtricsResponse);
    surveyMonkeyApi.respond(surveyMonkeyEvent.resources.survey_id, surveyMonkeyEvent.object_id, surveyMonkeyDetails);
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([qualtricsApi?.close(), surveyMonkeyApi?.close()]);
    await database.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Each kind's documented payload, signed the vendor's way (fixtures/sign.ts). */
  const signed = {
    qp: (payload: unknown = questionproResponse, secret = SECRET.qp) => ({ raw: body(payload), headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secret}` } }),
    tf: (payload: unknown = typeformEvent, secret = SECRET.tf) => {
      const raw = body(payload);
      return { raw, headers: { 'Content-Type': 'application/json', 'Typeform-Signature': typeformSignature(secret, raw) } };
    },
    dl: (payload: unknown = delightedCreated, secret = SECRET.dl) => {
      const raw = body(payload);
      return { raw, headers: { 'Content-Type': 'application/json', 'X-Delighted-Webhook-Signature': delightedSignature(secret, raw) } };
    },
    fb: (payload: unknown = formbricksFinished, secret = SECRET.fb, at = new Date()) => {
      const raw = body(payload);
      return { raw, headers: { 'Content-Type': 'application/json', ...standardWebhookHeaders(secret, raw, 'msg_2Kx1', at) } };
    },
    ql: (msg: unknown = qualtricsMsg, secret = SECRET.ql, topicName = qualtricsTopic) => ({
      raw: qualtricsForm(secret, topicName, msg), headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    }),
    sm: (payload: unknown = surveyMonkeyEvent, secret = SECRET.sm) => {
      const raw = body(payload);
      return { raw, headers: { 'Content-Type': 'application/json', 'Sm-Apikey': SM_API_KEY, 'Sm-Signature': surveyMonkeySignature(SM_API_KEY, secret, raw) } };
    },
    gen: (payload: unknown = genericPayload('t-1'), secret = SECRET.gen) => ({ raw: body(payload), headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secret}` } }),
  };
  const genericPayload = (id: string, over: Record<string, unknown> = {}) => ({ ticket: { id, rating: 1, text: 'Nobody called back', requester: 'c-kiosk-9', ...over } });

  const deliver = (id: string, d: { raw: Buffer; headers: Record<string, string> }) => {
    const req = http.post(`/v1/sources/${id}`);
    for (const [name, value] of Object.entries(d.headers)) req.set(name, value);
    // a string is sent byte for byte (superagent would serialise a Buffer as JSON); every fixture is UTF-8
    return req.send(d.raw.toString('utf8'));
  };

  // per kind: the source id, its signed delivery, and what the feedback must say
  const kinds: [string, keyof typeof signed, string, { customer: string; touchpoint: string; score: number; comment?: string }][] = [
    ['questionpro', 'qp', '202881004', { customer: 'test_response', touchpoint: 'checkout', score: 3, comment: 'Garsonlar çok kaba' }],
    ['typeform', 'tf', typeformEvent.form_response.token, { customer: 'c-42', touchpoint: 'delivery', score: 3, comment: 'The courier was 40 minutes late' }],
    ['delighted', 'dl', delightedCreated.event_data.id, { customer: '5975', touchpoint: 'delivery', score: 7 }],
    ['formbricks', 'fb', formbricksFinished.data.id, { customer: 'contact-7', touchpoint: 'app', score: 2, comment: 'Nobody answered the phone' }],
    ['qualtrics', 'ql', qualtricsMsg.ResponseID, { customer: 'deniz@example.com', touchpoint: 'restaurant', score: 4, comment: 'The food took 40 minutes' }],
    ['surveymonkey', 'sm', surveyMonkeyEvent.object_id, { customer: 'c-42', touchpoint: 'support', score: 2, comment: 'Rude staff' }],
    ['generic', 'gen', 't-1', { customer: 'c-kiosk-9', touchpoint: 'kiosk', score: 1, comment: 'Nobody called back' }],
  ];

  it.each(kinds)('%s: a signed vendor payload → 202 and its feedback on the topic', async (_, id, externalId, want) => {
    const before = await onTopicNow();
    const res = await deliver(id, signed[id]());
    expect(res.status).toBe(202);
    const feedbackId = feedbackIdFor(id, externalId);
    expect(res.body).toEqual({ feedbackId, duplicate: false, revision: 1 });
    expect(await onTopicNow()).toBe(before + 1);
    expected.set(feedbackId, {
      key: want.customer,
      data: { source: id, externalId, touchpoint: want.touchpoint, score: want.score, comment: want.comment, customer: expect.objectContaining({ id: want.customer }) },
    });
  });

  it('the fetching kinds called their API with the token, for the notified response', () => {
    expect(qualtricsApi.requests[0]).toMatchObject({
      method: 'GET', surveyId: qualtricsMsg.SurveyID, responseId: qualtricsMsg.ResponseID, status: 200, headers: expect.objectContaining({ 'x-api-token': QL_TOKEN }),
    });
    expect(surveyMonkeyApi.requests[0]).toMatchObject({
      method: 'GET', surveyId: surveyMonkeyEvent.resources.survey_id, responseId: surveyMonkeyEvent.object_id, query: { simple: 'true' }, status: 200,
      headers: expect.objectContaining({ authorization: `Bearer ${SM_TOKEN}` }),
    });
  });

  it.each(kinds.map(([kind, id]) => [kind, id] as const))('%s: a resend is duplicate: true and not published again', async (_, id) => {
    const before = await onTopicNow();
    const res = await deliver(id, signed[id]());
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ duplicate: true, revision: 1 });
    expect(await onTopicNow()).toBe(before);
  });

  it.each(kinds.map(([kind, id]) => [kind, id] as const))('%s: a wrong or missing signature → 401, nothing on the topic', async (_, id) => {
    const before = await onTopicNow();
    const wrong = signed[id](undefined, id === 'fb' ? `whsec_${Buffer.from('another secret of 32 bytes......').toString('base64')}` : 'wrong-secret');
    expectProblem(await deliver(id, wrong), 401);
    const proofHeaders = ['authorization', 'typeform-signature', 'x-delighted-webhook-signature', 'webhook-signature', 'sm-signature'];
    const good = signed[id]();
    const missing = { raw: id === 'ql' ? Buffer.from(new URLSearchParams({ Topic: qualtricsTopic, MSG: JSON.stringify(qualtricsMsg) }).toString()) : good.raw,
      headers: Object.fromEntries(Object.entries(good.headers).filter(([name]) => !proofHeaders.includes(name.toLowerCase()))) };
    const res = await deliver(id, missing);
    expectProblem(res, 401);
    expect(res.body.detail).toMatch(/nothing was kept/);
    if (id !== 'qp' && id !== 'gen') {
      // a body changed after signing (the bearer kinds sign nothing: their token is the whole check)
      const tampered = { ...good, raw: Buffer.concat([good.raw, Buffer.from(' ')]) };
      expectProblem(await deliver(id, tampered), 401);
    }
    expect(await onTopicNow()).toBe(before);
  });

  it('formbricks: a timestamp older than 5 minutes → 401, even correctly signed', async () => {
    const before = await onTopicNow();
    const payload = { ...formbricksFinished, data: { ...formbricksFinished.data, id: 'response-late' } };
    const res = await deliver('fb', signed.fb(payload, SECRET.fb, new Date(Date.now() - 6 * 60_000)));
    expectProblem(res, 401);
    expect(await onTopicNow()).toBe(before);
  });

  it('200 {ignored} for an authentic delivery without feedback', async () => {
    const before = await onTopicNow();
    const unsubscribe = await deliver('dl', signed.dl(delightedUnsubscribe));
    expect(unsubscribe.status).toBe(200);
    expect(unsubscribe.body).toEqual({ ignored: expect.stringMatching(/unsubscribe\.created/) });
    const noScoreYet = await deliver('fb', signed.fb(formbricksCreatedWithoutScore));
    expect(noScoreYet.status).toBe(200);
    expect(noScoreYet.body.ignored).toEqual(expect.any(String));
    const otherSurvey = await deliver('ql', signed.ql({ ...qualtricsMsg, SurveyID: 'SV_other' }));
    expect(otherSurvey.status).toBe(200);
    expect(await onTopicNow()).toBe(before);
  });

  it('422 naming the field when an authentic payload cannot become feedback', async () => {
    const before = await onTopicNow();
    const noScore = { ...typeformEvent, form_response: { ...typeformEvent.form_response, token: 'tf-no-score', answers: typeformEvent.form_response.answers.slice(1) } };
    const res = await deliver('tf', signed.tf(noScore));
    expectProblem(res, 422);
    expect(res.body.errors).toEqual([{ field: 'score', message: expect.stringMatching(/nps_q.*not answered/) }]);
    const outOfScale = await deliver('gen', signed.gen(genericPayload('t-9', { rating: 9 })));
    expectProblem(outOfScale, 422);
    expect(outOfScale.body.errors).toEqual([{ field: 'score', message: expect.stringMatching(/outside the csat scale 1-5/) }]);
    const notJson = await deliver('gen', { raw: Buffer.from('{"ticket":'), headers: signed.gen().headers });
    expectProblem(notJson, 422);
    expect(await onTopicNow()).toBe(before);
  });

  it('404 for an unknown source, 415 for a body type the kind never sends', async () => {
    expectProblem(await deliver('nope', signed.tf()), 404);
    const asForm = signed.tf();
    expectProblem(await deliver('tf', { raw: asForm.raw, headers: { ...asForm.headers, 'Content-Type': 'application/x-www-form-urlencoded' } }), 415);
    const qlAsJson = signed.ql();
    expectProblem(await deliver('ql', { raw: qlAsJson.raw, headers: { 'Content-Type': 'application/json' } }), 415);
    // no ingest key is needed on this route, and a valid one does not replace the signature
    const keyed = signed.tf(undefined, 'wrong');
    expectProblem(await deliver('tf', { raw: keyed.raw, headers: { ...keyed.headers, Authorization: `Bearer ${env.INGEST_API_KEYS}` } }), 401);
  });

  describe('the fetching kinds when their API fails', () => {
    beforeEach(() => {
      qualtricsApi.requests.length = 0;
      surveyMonkeyApi.requests.length = 0;
    });

    it('qualtrics: 404, 429 and 500 are retried, then the answers are taken', async () => {
      const before = await onTopicNow();
      const msg = { ...qualtricsMsg, ResponseID: 'R_retried' };
      qualtricsApi.respond(msg.SurveyID, msg.ResponseID, { ...qualtricsResponse, result: { ...qualtricsResponse.result, responseId: msg.ResponseID } });
      qualtricsApi.script({ status: 404 }, { status: 429 }, { status: 500 });
      const res = await deliver('ql', signed.ql(msg));
      expect(res.status).toBe(202);
      expect(qualtricsApi.requests.map((r) => r.status)).toEqual([404, 429, 500, 200]);
      expect(await onTopicNow()).toBe(before + 1);
      expected.set(res.body.feedbackId, {
        key: 'deniz@example.com',
        data: { source: 'ql', externalId: 'R_retried', touchpoint: 'restaurant', score: 4, comment: 'The food took 40 minutes', customer: expect.objectContaining({ id: 'deniz@example.com' }) },
      });
    });

    it('qualtrics: a persistent 500 → 503 with Retry-After, nothing published', async () => {
      const before = await onTopicNow();
      qualtricsApi.respond(qualtricsMsg.SurveyID, 'R_never', qualtricsResponse);
      qualtricsApi.script(...Array.from({ length: DEFAULT_ATTEMPTS }, () => ({ status: 500 })));
      const res = await deliver('ql', signed.ql({ ...qualtricsMsg, ResponseID: 'R_never' }));
      expectProblem(res, 503);
      expect(res.headers['retry-after']).toEqual(expect.stringMatching(/^\d+$/));
      expect(res.body.detail).toMatch(/NOT accepted.*HTTP 500/);
      expect(qualtricsApi.requests.map((r) => r.status)).toEqual(Array.from({ length: DEFAULT_ATTEMPTS }, () => 500));
      expect(await onTopicNow()).toBe(before);
    });

    it('qualtrics: a token the API refuses → 503 at once (not retried), with the token header sent', async () => {
      const before = await onTopicNow();
      qualtricsApi.reset();
      qualtricsApi.respond(qualtricsMsg.SurveyID, qualtricsMsg.ResponseID, qualtricsResponse);
      const res = await deliver('ql-wrong-token', signed.ql());
      expectProblem(res, 503);
      expect(res.body.detail).toMatch(/HTTP 401/);
      expect(qualtricsApi.requests).toHaveLength(1);
      expect(qualtricsApi.requests[0].headers['x-api-token']).toBe('not-the-token');
      expect(await onTopicNow()).toBe(before);
    });

    it('surveymonkey: a 429 is retried; a response the API keeps not finding → 503', async () => {
      const before = await onTopicNow();
      const event = { ...surveyMonkeyEvent, object_id: '987650001', resources: { ...surveyMonkeyEvent.resources, respondent_id: '987650001' } };
      surveyMonkeyApi.respond(event.resources.survey_id, event.object_id, { ...surveyMonkeyDetails, id: event.object_id });
      surveyMonkeyApi.script({ status: 429, headers: { 'Retry-After': '1' } });
      const res = await deliver('sm', signed.sm(event));
      expect(res.status).toBe(202);
      expect(surveyMonkeyApi.requests.map((r) => r.status)).toEqual([429, 200]);
      expected.set(res.body.feedbackId, {
        key: 'c-42',
        data: { source: 'sm', externalId: '987650001', touchpoint: 'support', score: 2, comment: 'Rude staff', customer: expect.objectContaining({ id: 'c-42' }) },
      });
      expect(await onTopicNow()).toBe(before + 1);

      const missing = { ...surveyMonkeyEvent, object_id: '404404404' };
      const gone = await deliver('sm', signed.sm(missing));
      expectProblem(gone, 503);
      expect(gone.body.detail).toMatch(/HTTP 404/);
      expect(surveyMonkeyApi.requests.filter((r) => r.responseId === '404404404').every((r) => r.status === 404)).toBe(true);
      expect(await onTopicNow()).toBe(before + 1);
    });
  });

  it('counts every delivery per source and outcome, without secrets', async () => {
    const text = (await http.get('/metrics')).text;
    // one sample per label set (the registry adds service="ingest"); the labels are matched in any order
    const count = (labels: string) => {
      const wanted = labels.split(',');
      const line = text.split('\n').find((l) => l.startsWith('closeloop_source_deliveries_total{') && wanted.every((w) => l.includes(w)));
      return Number(line?.split(' ').pop() ?? 0);
    };
    expect(count('source="tf",kind="typeform",outcome="accepted"')).toBe(1);
    expect(count('source="tf",kind="typeform",outcome="duplicate"')).toBe(1);
    expect(count('source="tf",kind="typeform",outcome="rejected"')).toBeGreaterThanOrEqual(3);
    expect(count('source="tf",kind="typeform",outcome="unmappable"')).toBe(1);
    expect(count('source="dl",kind="delighted",outcome="ignored"')).toBe(1);
    expect(count('source="(unknown)",kind="(unknown)",outcome="unknown_source"')).toBe(1);
    expect(count('source="ql",kind="qualtrics",outcome="fetch_failed"')).toBe(1);
    expect(count('source="fb",kind="formbricks",outcome="rejected"')).toBe(4);
    for (const secret of Object.values(SECRET)) expect(text).not.toContain(secret);
  });

  it('every accepted delivery is on the topic once, as its vendor sent it', async () => {
    const total = await onTopicNow();
    const messages = await readTopic(kafka, topic, { minCount: total });
    expect(messages).toHaveLength(total);
    const opened = await openedEvents(Topic.FeedbackReceived, messages.map((m) => m.value));
    const events = messages.map((m, i) => ({ key: m.key, event: opened[i] }));
    expect(events.map((e) => e.event.eventId).sort()).toEqual([...expected.keys()].sort());
    for (const { key, event } of events) {
      const want = expected.get(event.eventId);
      if (!want) throw new Error(`unexpected event ${event.eventId}`);
      expect(key).toBe(want.key);
      expect(validateEvent(Topic.FeedbackReceived, event).ok).toBe(true);
      expect(event.data).toMatchObject(Object.fromEntries(Object.entries(want.data).filter(([, v]) => v !== undefined)));
      if (want.data.comment === undefined) expect(event.data.comment).toBeUndefined();
    }
  });

  describe('when Kafka is unreachable', () => {
    let down: INestApplication;
    let port: number;
    beforeAll(async () => {
      const server = createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
      await new Promise((r) => server.close(r));
      down = await startIngest(loadIngestConfig({ ...env, KAFKA_BROKERS: `127.0.0.1:${port}`, INGEST_KAFKA_TIMEOUT_MS: '2000' }));
    });
    afterAll(async () => {
      await down?.close();
    });

    it('503 with Retry-After for an authentic delivery, never a 202', async () => {
      // a response not accepted before: the earlier tests' ones are known (same database), and a known one is answered
      // duplicate: true without Kafka, truthfully (its revision was acknowledged already)
      const d = signed.tf({ ...typeformEvent, form_response: { ...typeformEvent.form_response, token: uniqueName('tf-token-down') } });
      const req = request(down.getHttpServer()).post('/v1/sources/tf');
      for (const [name, value] of Object.entries(d.headers)) req.set(name, value);
      const res = await req.send(d.raw.toString('utf8'));
      expectProblem(res, 503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body.detail).toMatch(/NOT accepted/);
    });
  });
});
