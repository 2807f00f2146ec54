// SPEC §9 last line and §10 "what ops see", against real Kafka and Postgres: every delivery of a known source is
// recorded with its outcome and counted per hour (a 401 only counted); an unmappable payload is kept, its replay
// fails while the routing file is still wrong, and after ingest restarts with a fixed file the replay is accepted
// and its feedback is on the topic exactly once; the count and age bounds hold. The schema is this file's own, so
// the database's counts are exactly what this file caused; the Prometheus counter (process-wide) is read as deltas.
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Topic, feedbackIdFor } from '@closeloop/contracts';
import { prefixed } from '@closeloop/messaging';
import { SurveyApiStub, messagesOnTopic, openedEvents, readTopic, startQualtricsStub, testKafka, testKafkaSettings, uniqueName } from '@closeloop/testing';
import { startIngest } from '../src/app';
import { loadIngestConfig } from '../src/config';
import { DeliveryHousekeeping } from '../src/sources/deliveries/housekeeping';
import { delightedUnsubscribe } from '../src/sources/fixtures/delighted';
import { qualtricsMsg, qualtricsResponse, qualtricsTopic } from '../src/sources/fixtures/qualtrics';
import { body, delightedSignature, qualtricsForm, typeformSignature } from '../src/sources/fixtures/sign';
import { typeformEvent } from '../src/sources/fixtures/typeform';
import { AGENT_TOKEN, OPS_TOKEN, ingestSchema } from './database';

const settings = testKafkaSettings('records');
const topic = prefixed(settings, Topic.FeedbackReceived);
const kafka = testKafka();
const database = ingestSchema('records');
const run = uniqueName('r');
const SECRET = { tf: uniqueName('tf-secret'), dl: uniqueName('dl-secret'), ql: uniqueName('ql-secret') };
const QL_TOKEN = uniqueName('ql-token');
const INGEST_KEY = uniqueName('ingest-key');

/**
 * The routing file: `tf` maps; `tf-broken`, `tf-gone`, `tf-bounds`, `tf-age` and `ql-broken` name a score question
 * the payload does not have (every delivery is unmappable) until `fixed` names the right one; `tf-gone` leaves the
 * fixed file altogether.
 */
function routing(dir: string, qualtricsUrl: string, fixed: boolean): string {
  const score = fixed ? 'nps_q' : 'recommend_q';
  const path = join(dir, 'closeloop.yaml');
  writeFileSync(path, `${readFileSync('config/closeloop.yaml', 'utf8')}
sources:
  - { id: tf, kind: typeform, secretEnv: TF_SECRET, touchpoint: checkout, fields: { score: nps_q, comment: why_q } }
  - { id: dl, kind: delighted, secretEnv: DL_SECRET, touchpoint: delivery }
  - { id: tf-broken, kind: typeform, secretEnv: TF_SECRET, touchpoint: checkout, fields: { score: ${score}, comment: why_q } }
  - { id: tf-bounds, kind: typeform, secretEnv: TF_SECRET, touchpoint: checkout, fields: { score: recommend_q } }
  - { id: tf-age, kind: typeform, secretEnv: TF_SECRET, touchpoint: checkout, fields: { score: recommend_q } }
  - { id: ql-broken, kind: qualtrics, secretEnv: QL_SECRET, touchpoint: restaurant, fields: { score: ${fixed ? 'QID1' : 'QID9'}, comment: QID2 }, api: { url: "${qualtricsUrl}", tokenEnv: QL_TOKEN } }
${fixed ? '' : '  - { id: tf-gone, kind: typeform, secretEnv: TF_SECRET, touchpoint: checkout, fields: { score: recommend_q } }\n'}`);
  return path;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** `closeloop_source_deliveries_total{source,outcome}` as /metrics shows it now (0 when absent). */
async function metricOf(http: ReturnType<typeof request>, source: string, outcome: string): Promise<number> {
  const text = (await http.get('/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith('closeloop_source_deliveries_total{') && l.includes(`source="${source}"`) && l.includes(`outcome="${outcome}"`));
  return Number(line?.split(' ').pop() ?? 0);
}

describe('source delivery records, kept payloads and Replay (SPEC §10) against real Kafka and Postgres', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let dir: string;
  let env: Record<string, string>;
  let qualtricsApi: SurveyApiStub;

  const start = async (over: Record<string, string> = {}) => {
    const started = await startIngest(loadIngestConfig({ ...env, ...over }));
    return { app: started, http: request(started.getHttpServer()) };
  };

  beforeAll(async () => {
    await database.migrate();
    qualtricsApi = await startQualtricsStub({ token: QL_TOKEN });
    qualtricsApi.respond(qualtricsMsg.SurveyID, qualtricsMsg.ResponseID, qualtricsResponse);
    dir = mkdtempSync(join(tmpdir(), 'closeloop-records-'));
    env = {
      KAFKA_BROKERS: settings.brokers.join(','), KAFKA_TOPIC_PREFIX: settings.topicPrefix, INGEST_API_KEYS: INGEST_KEY,
      INGEST_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      CLOSELOOP_CONFIG: routing(dir, qualtricsApi.url, false), TF_SECRET: SECRET.tf, DL_SECRET: SECRET.dl, QL_SECRET: SECRET.ql, QL_TOKEN,
      // small bounds, so that the test can cross them
      INGEST_DELIVERIES_PER_SOURCE: '3', INGEST_KEPT_PER_SOURCE: '2', INGEST_DELIVERIES_DAYS: '7', INGEST_KEPT_DAYS: '30',
      ...database.env,
    };
    ({ app, http } = await start());
  });

  afterAll(async () => {
    await app?.close();
    await qualtricsApi?.close();
    await database.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const typeform = (token: string, over: { secret?: string; contentType?: string } = {}) => {
    const raw = body({ ...typeformEvent, form_response: { ...typeformEvent.form_response, token: `${run}-${token}` } });
    return { raw, headers: { 'Content-Type': over.contentType ?? 'application/json', 'Typeform-Signature': typeformSignature(over.secret ?? SECRET.tf, raw) } };
  };
  const deliver = (id: string, d: { raw: Buffer; headers: Record<string, string> }, h = http) => {
    const req = h.post(`/v1/sources/${id}`);
    for (const [name, value] of Object.entries(d.headers)) req.set(name, value);
    return req.send(d.raw.toString('utf8'));
  };
  const ops = (path: string, h = http) => h.get(path).set('Authorization', `Bearer ${OPS_TOKEN}`);
  const replay = (source: string, keptId: string, h = http) => h.post(`/v1/sources/${source}/kept/${keptId}/replay`).set('Authorization', `Bearer ${OPS_TOKEN}`);
  const idOf = (token: string) => feedbackIdFor('tf', `${run}-${token}`);

  it('records each outcome with its status, reason and feedbackId, counts it, and a 401 only adds to the counts', async () => {
    const metricBefore = Object.fromEntries(await Promise.all(['accepted', 'duplicate', 'rejected', 'unsupported_media_type'].map(async (o) => [o, await metricOf(http, 'tf', o)])));

    expect((await deliver('tf', typeform('a1'))).status).toBe(202);
    const dup = await deliver('tf', typeform('a1'));
    expect(dup.body).toEqual({ feedbackId: idOf('a1'), duplicate: true, revision: 1 });
    expect((await deliver('tf', typeform('a2', { secret: 'not-the-secret' }))).status).toBe(401);
    expect((await deliver('tf', typeform('a3', { contentType: 'text/plain' }))).status).toBe(415);
    const unsub = body(delightedUnsubscribe);
    expect((await deliver('dl', { raw: unsub, headers: { 'Content-Type': 'application/json', 'X-Delighted-Webhook-Signature': delightedSignature(SECRET.dl, unsub) } })).status).toBe(200);
    const unmappable = await deliver('tf-broken', typeform('b1'));
    expect(unmappable.status).toBe(422);
    expect(unmappable.body.errors).toEqual([expect.objectContaining({ field: 'score' })]);

    const tf = await ops('/v1/sources/tf/deliveries');
    expect(tf.status).toBe(200);
    // newest first; the 401 left no row
    expect(tf.body.deliveries.map((d: { outcome: string; status: number }) => `${d.outcome} ${d.status}`)).toEqual(['rejected 415', 'duplicate 202', 'accepted 202']);
    const [refused, duplicate, accepted] = tf.body.deliveries;
    expect(accepted).toMatchObject({ feedbackId: idOf('a1'), reason: null, keptId: null, bytes: typeform('a1').raw.length });
    expect(duplicate.feedbackId).toBe(idOf('a1'));
    expect(refused).toMatchObject({ feedbackId: null, reason: 'a body type this kind never sends (415)' });
    // nothing of the request is in a row: not its body, its signature, or the secret
    const rows = JSON.stringify(await database.query(`SELECT * FROM "${database.schema}".source_delivery`));
    for (const secret of [SECRET.tf, SECRET.dl, typeform('a1').headers['Typeform-Signature'], 'The courier was 40 minutes late', 'text/plain']) expect(rows).not.toContain(secret);

    expect((await ops('/v1/sources/dl/deliveries')).body.deliveries).toEqual([
      expect.objectContaining({ outcome: 'ignored', status: 200, reason: expect.stringMatching(/unsubscribe/) }),
    ]);
    const broken = (await ops('/v1/sources/tf-broken/deliveries')).body.deliveries;
    expect(broken).toEqual([expect.objectContaining({ outcome: 'unmappable', status: 422, reason: expect.stringMatching(/score/), keptId: expect.any(String) })]);

    const stats = await ops('/v1/sources/tf/stats?hours=2');
    expect(stats.body.totals).toEqual({ received: 4, accepted: 1, duplicate: 1, ignored: 0, rejected: 2, unmappable: 0, unavailable: 0 });
    expect(stats.body.buckets).toHaveLength(2);
    expect(stats.body.buckets[1]).toMatchObject({ received: 4, rejected: 2 });

    // the Prometheus counter moved in step (its outcomes are finer: the 415 is unsupported_media_type there)
    const moved = async (o: string) => (await metricOf(http, 'tf', o)) - metricBefore[o];
    expect([await moved('accepted'), await moved('duplicate'), await moved('rejected'), await moved('unsupported_media_type')]).toEqual([1, 1, 1, 1]);

    const list = await ops('/v1/sources');
    const bySource = Object.fromEntries(list.body.sources.map((s: { id: string }) => [s.id, s]));
    expect(bySource.tf).toEqual({
      id: 'tf', kind: 'typeform', touchpoint: 'checkout', metric: 'nps', webhook: '/v1/sources/tf',
      last24h: { received: 4, accepted: 1, duplicate: 1, ignored: 0, rejected: 2, unmappable: 0, unavailable: 0 },
      kept: { kept: 0, waiting: 0, dropped: 0 },
    });
    expect(bySource['tf-broken'].kept).toEqual({ kept: 1, waiting: 1, dropped: 0 });
    expect(bySource['tf-broken'].last24h.unmappable).toBe(1);
  });

  it('records a 503 as unavailable when Kafka does not acknowledge (another instance, same database)', async () => {
    const down = await start({ KAFKA_BROKERS: `127.0.0.1:${await closedPort()}`, INGEST_KAFKA_TIMEOUT_MS: '1000' });
    try {
      const res = await deliver('tf', typeform('k1'), down.http);
      expect(res.status).toBe(503);
    } finally {
      await down.app.close();
    }
    const [latest] = (await ops('/v1/sources/tf/deliveries?limit=1')).body.deliveries;
    expect(latest).toMatchObject({ outcome: 'unavailable', status: 503, feedbackId: null, reason: expect.stringMatching(/Kafka/) });
    // counted in the same hourly rows the first instance writes to
    expect((await ops('/v1/sources/tf/stats?hours=1')).body.totals.unavailable).toBe(1);
  });

  it('keeps an unmappable payload with its reason; its replay stays 422 while the routing file is wrong', async () => {
    const [kept] = (await ops('/v1/sources/tf-broken/kept')).body.kept;
    expect(kept).toEqual({
      id: expect.any(String), kind: 'typeform', receivedAt: expect.any(String), contentType: 'application/json',
      reason: expect.stringMatching(/score/), errors: [expect.objectContaining({ field: 'score' })],
      size: typeform('b1').raw.length, replayedAt: null, replayOutcome: null, feedbackId: null,
    });
    const one = await ops(`/v1/sources/tf-broken/kept/${kept.id}`);
    expect(one.body.body).toBe(typeform('b1').raw.toString('utf8'));

    const before = await messagesOnTopic(kafka, topic);
    const again = await replay('tf-broken', kept.id);
    expect(again.status).toBe(422);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(again.body.errors).toEqual([expect.objectContaining({ field: 'score' })]);
    expect((await ops('/v1/sources/tf-broken/kept')).body.kept[0]).toMatchObject({ id: kept.id, replayedAt: null });
    // a 422 is answered without publishing: the topic holds what it held
    expect(await messagesOnTopic(kafka, topic)).toBe(before);
  });

  it('keeps a qualtrics payload with the answers it fetched', async () => {
    const res = await deliver('ql-broken', { raw: qualtricsForm(SECRET.ql, qualtricsTopic, qualtricsMsg), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(422);
    const [kept] = (await ops('/v1/sources/ql-broken/kept')).body.kept;
    const one = (await ops(`/v1/sources/ql-broken/kept/${kept.id}`)).body;
    expect(one.contentType).toBe('application/x-www-form-urlencoded');
    expect(JSON.parse(one.fetched)).toEqual(qualtricsResponse);
  });

  it('keeps at most INGEST_KEPT_PER_SOURCE payloads and INGEST_DELIVERIES_PER_SOURCE rows per source, counting what it drops', async () => {
    for (const t of ['c1', 'c2', 'c3', 'c4']) expect((await deliver('tf-bounds', typeform(t))).status).toBe(422);
    const kept = (await ops('/v1/sources/tf-bounds/kept')).body.kept;
    const sizes = ['c4', 'c3'].map((t) => typeform(t).raw.length);
    expect(kept.map((k: { size: number }) => k.size)).toEqual(sizes);
    const latest = (await ops('/v1/sources/tf-bounds/deliveries')).body.deliveries;
    expect(latest).toHaveLength(3);
    // the rows left are the newest: the last two point at the payloads still kept
    expect(latest.slice(0, 2).map((d: { keptId: string }) => d.keptId)).toEqual(kept.map((k: { id: string }) => k.id));
    const summary = (await ops('/v1/sources')).body.sources.find((s: { id: string }) => s.id === 'tf-bounds');
    expect(summary.kept).toEqual({ kept: 2, waiting: 2, dropped: 2 });
    // counts are not bounded by the list
    expect(summary.last24h.unmappable).toBe(4);
  });

  it('drops payloads and rows past their age: on the next write of that source, and by the hourly sweep', async () => {
    expect((await deliver('tf-age', typeform('d1'))).status).toBe(422);
    expect((await deliver('tf-age', typeform('d2'))).status).toBe(422);
    const old = "now() - interval '40 days'";
    await database.query(`UPDATE "${database.schema}".kept_payload SET received_at = ${old} WHERE source_id = 'tf-age'`);
    await database.query(`UPDATE "${database.schema}".source_delivery SET received_at = ${old} WHERE source_id = 'tf-age'`);
    // past their age, they are not shown even before anything deleted them
    expect((await ops('/v1/sources/tf-age/kept')).body.kept).toEqual([]);
    expect((await ops('/v1/sources/tf-age/deliveries')).body.deliveries).toEqual([]);

    expect((await deliver('tf-age', typeform('d3'))).status).toBe(422);
    const left = await database.query<{ n: string }>(`SELECT count(*) AS n FROM "${database.schema}".kept_payload WHERE source_id = 'tf-age'`);
    expect(Number(left[0].n)).toBe(1);
    expect((await ops('/v1/sources')).body.sources.find((s: { id: string }) => s.id === 'tf-age').kept).toEqual({ kept: 1, waiting: 1, dropped: 2 });

    // a source that goes quiet is swept: back-date the last one, run the sweep
    await database.query(`UPDATE "${database.schema}".kept_payload SET received_at = ${old} WHERE source_id = 'tf-age'`);
    await database.query(`UPDATE "${database.schema}".source_delivery SET received_at = ${old} WHERE source_id = 'tf-age'`);
    await database.query(`INSERT INTO "${database.schema}".source_delivery_count (source_id, hour, outcome, count) VALUES ('tf-age', now() - interval '40 days', 'accepted', 7)`);
    await app.get(DeliveryHousekeeping).run();
    const [counts] = await database.query<{ kept: string; rows: string; old: string }>(`SELECT
      (SELECT count(*) FROM "${database.schema}".kept_payload WHERE source_id = 'tf-age') AS kept,
      (SELECT count(*) FROM "${database.schema}".source_delivery WHERE source_id = 'tf-age') AS rows,
      (SELECT count(*) FROM "${database.schema}".source_delivery_count WHERE source_id = 'tf-age' AND hour < now() - interval '35 days') AS old`);
    expect(counts).toEqual({ kept: '0', rows: '0', old: '0' });
    expect((await ops('/v1/sources')).body.sources.find((s: { id: string }) => s.id === 'tf-age').kept).toEqual({ kept: 0, waiting: 0, dropped: 3 });
  });

  it('answers the ops API only to ops and admin (an agent gets 403 naming the roles), and names a bad parameter', async () => {
    expect((await http.get('/v1/sources')).status).toBe(401);
    expect((await http.get('/v1/sources').set('Authorization', `Bearer ${INGEST_KEY}`)).status).toBe(401);
    const agent = await http.get('/v1/sources').set('Authorization', `Bearer ${AGENT_TOKEN}`);
    expect([agent.status, agent.body.requiredRoles]).toEqual([403, ['ops', 'admin']]);
    const agentReplay = await http.post('/v1/sources/tf-broken/kept/0b6c3a52-7d5e-4c1f-9a43-2f6f1e8d9b10/replay').set('Authorization', `Bearer ${AGENT_TOKEN}`);
    expect([agentReplay.status, agentReplay.body.detail]).toEqual([403, 'Replaying dead letters and kept source payloads needs the role ops or admin (yours is agent)']);
    const badHours = await ops('/v1/sources/tf/stats?hours=0');
    expect(badHours.status).toBe(400);
    expect(badHours.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(badHours.body.errors).toEqual([{ field: 'hours', message: 'must be an integer from 1 to 720' }]);
    expect((await ops('/v1/sources/tf/deliveries?limit=4')).body.errors).toEqual([{ field: 'limit', message: 'must be an integer from 1 to 3' }]);
    expect((await ops('/v1/sources/tf/deliveries?lmit=2')).body.errors).toEqual([{ field: 'lmit', message: 'is not a known field' }]);
    expect((await ops('/v1/sources/nope/stats')).status).toBe(404);
    const badId = await replay('tf-broken', 'not-a-uuid');
    expect([badId.status, badId.body.errors]).toEqual([400, [{ field: 'keptId', message: 'must be a kept payload id (a UUID)' }]]);
    expect((await replay('tf-broken', '0b6c3a52-7d5e-4c1f-9a43-2f6f1e8d9b10')).status).toBe(404);
    expect((await http.post('/v1/sources/tf-broken/kept/0b6c3a52-7d5e-4c1f-9a43-2f6f1e8d9b10/replay')).status).toBe(401);
  });

  it('after a restart with the fixed routing file, Replay accepts it once (two presses at once too): the event is on the topic exactly once', async () => {
    const [brokenKept] = (await ops('/v1/sources/tf-broken/kept')).body.kept;
    const [goneKept] = (await ops('/v1/sources/tf-gone/kept')).body.kept ?? [];
    expect(goneKept).toBeUndefined(); // nothing was delivered to tf-gone yet: deliver one now, before the fix
    expect((await deliver('tf-gone', typeform('g1'))).status).toBe(422);
    const [gone] = (await ops('/v1/sources/tf-gone/kept')).body.kept;
    const [qlKept] = (await ops('/v1/sources/ql-broken/kept')).body.kept;

    await app.close();
    routing(dir, qualtricsApi.url, true);
    ({ app, http } = await start());

    const before = await messagesOnTopic(kafka, topic);
    // two presses at once: one publishes, the other answers from its record
    const both = await Promise.all([replay('tf-broken', brokenKept.id), replay('tf-broken', brokenKept.id)]);
    expect(both.map((r) => r.status)).toEqual([202, 202]);
    expect(both.map((r) => r.body.duplicate).sort()).toEqual([false, true]);
    const res = both.find((r) => r.body.duplicate === false) as request.Response;
    const feedbackId = feedbackIdFor('tf-broken', `${run}-b1`);
    expect(res.body).toEqual({ feedbackId, duplicate: false, keptId: brokenKept.id, replayedAt: expect.any(String) });
    // acknowledged means on the topic: the count is exact at once
    expect(await messagesOnTopic(kafka, topic)).toBe(before + 1);

    const second = await replay('tf-broken', brokenKept.id);
    expect(second.status).toBe(202);
    expect(second.body).toMatchObject({ feedbackId, duplicate: true });
    expect(await messagesOnTopic(kafka, topic)).toBe(before + 1);

    // the kept payload stays listed, marked replayed with its feedback
    expect((await ops('/v1/sources/tf-broken/kept')).body.kept[0]).toMatchObject({ id: brokenKept.id, replayOutcome: 'accepted', feedbackId, replayedAt: res.body.replayedAt });
    expect((await ops('/v1/sources')).body.sources.find((s: { id: string }) => s.id === 'tf-broken').kept).toEqual({ kept: 1, waiting: 0, dropped: 0 });

    // the qualtrics payload is replayed from the answers kept with it: the API is not asked again
    const fetchesBefore = qualtricsApi.requests.length;
    const ql = await replay('ql-broken', qlKept.id);
    expect(ql.status).toBe(202);
    expect(qualtricsApi.requests.length).toBe(fetchesBefore);

    // a kept payload of a source the routing file no longer has: 409, it stays kept
    const conflict = await replay('tf-gone', gone.id);
    expect(conflict.status).toBe(409);
    expect(conflict.body.detail).toMatch(/tf-gone.*not in the routing file/);
    expect(await messagesOnTopic(kafka, topic)).toBe(before + 2);

    // the replayed event is the feedback the fixed mapping makes, once
    const events = await openedEvents(Topic.FeedbackReceived, (await readTopic(kafka, topic, { minCount: before + 2 })).map((m) => m.value));
    const replayed = events.filter((e) => e.eventId === feedbackId);
    expect(replayed).toHaveLength(1);
    expect(replayed[0].data).toMatchObject({ source: 'tf-broken', externalId: `${run}-b1`, score: 3, comment: 'The courier was 40 minutes late', touchpoint: 'checkout' });
  });
});
