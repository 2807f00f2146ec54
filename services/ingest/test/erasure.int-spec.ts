// SPEC §13 against real Kafka and Postgres: ingest as a participant of an erasure (store sourcePayloads) through its
// consumer of cx.privacy.events.v1 (group ingest, inbox and outbox in ingest's schema), and its daily retention pass.
// The kept payloads come in as survey tools send them: Typeform webhooks (typeform.com/developers/webhooks/example-payload/,
// src/sources/fixtures/typeform.ts), signed, to a source whose score question the payload lacks (422, kept for replay).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Consumer } from 'kafkajs';
import request from 'supertest';
import { ErasureProgressEvent, ErasureRequestedEvent, Topic, deterministicId, makeEnvelope } from '@closeloop/contracts';
import { EventProducer, prefixed } from '@closeloop/messaging';
import { ERASED } from '@closeloop/platform';
import { READER_MAX_WAIT_MS, consumerLag, testKafka, testKafkaSettings, testLogger, uniqueName, waitFor, waitForQuiescence } from '@closeloop/testing';
import { startIngest } from '../src/app';
import { loadIngestConfig } from '../src/config';
import { PayloadRetention } from '../src/privacy/retention';
import { body, typeformSignature } from '../src/sources/fixtures/sign';
import { typeformEvent } from '../src/sources/fixtures/typeform';
import { OPS_TOKEN, ingestSchema } from './database';

const settings = testKafkaSettings('ingest-erasure');
const kafka = testKafka();
const database = ingestSchema('erasure');
const schema = database.schema;
const SECRET = uniqueName('tf-secret');
const suffix = randomUUID().slice(0, 8);

// her customer id is an email, as a Typeform response without a hidden customer_id makes it (SPEC §10)
const ayse = { id: `ayse.yilmaz.${suffix}@example.com`, name: 'Ayşe Yılmaz', email: `ayse.${suffix}@example.com` };
const mehmet = { id: `c-mehmet-${suffix}`, name: 'Mehmet Demir', email: `mehmet.${suffix}@example.com` };
const AYSE_COMMENTS = ['Garson çok kabaydı', '服务员很粗鲁'];
const ayseStrings = [ayse.id, ayse.name, ayse.email, ...AYSE_COMMENTS];

/** A Typeform response of `who` with `comment`, as Typeform posts it; `tf-broken` looks for a score question it lacks. */
function typeform(who: typeof ayse, token: string, comment: string) {
  const fr = typeformEvent.form_response;
  const raw = body({
    ...typeformEvent,
    form_response: {
      ...fr, token: `${suffix}-${token}`, hidden: { customer_id: who.id, name: who.name, touchpoint: 'checkout' },
      answers: [
        fr.answers[0],
        { ...fr.answers[1], text: comment },
        { ...fr.answers[2], email: who.email },
      ],
    },
  });
  return { raw, headers: { 'Content-Type': 'application/json', 'Typeform-Signature': typeformSignature(SECRET, raw) } };
}

function erasureRequest(customerId: string, erasureId: string = randomUUID()): ErasureRequestedEvent {
  return makeEnvelope('customer.erasure_requested', { erasureId, customerId, requestedBy: 'dewi', requestedAt: new Date().toISOString() }, 'tickets');
}

describe('ingest erases a customer\'s kept source payloads (SPEC §13) and anonymises old ones', () => {
  const producer = new EventProducer(settings, 'ingest-erasure-it', testLogger);
  const progress: ErasureProgressEvent[] = [];
  let collector: Consumer;
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let dir: string;

  const deliver = (d: { raw: Buffer; headers: Record<string, string> }) => {
    const req = http.post('/v1/sources/tf-broken');
    for (const [name, value] of Object.entries(d.headers)) req.set(name, value);
    return req.send(d.raw.toString('utf8'));
  };
  const keep = async (who: typeof ayse, token: string, comment: string): Promise<string> => {
    const res = await deliver(typeform(who, token, comment));
    expect(res.status).toBe(422);
    const id = /kept \(([0-9a-f-]{36})\)/.exec(res.body.detail)?.[1];
    expect(id).toBeDefined();
    return id as string;
  };
  const publishPrivacy = (...events: (ErasureRequestedEvent | ErasureProgressEvent)[]) =>
    producer.publish(events.map((event) => ({ topic: Topic.PrivacyEvents, key: event.data.customerId, event })));
  const progressOf = (erasureId: string) => progress.filter((p) => p.data.erasureId === erasureId && p.producer === 'ingest');
  const outboxRows = async () => Number((await database.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".outbox`))[0].n);
  /** Every table of ingest's schema, each row as text, byte columns decoded as UTF-8: what a dump would show. */
  const dump = async (): Promise<string> => {
    const columns = await database.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`, [schema]);
    const tables = [...new Set(columns.map((c) => c.table_name))];
    expect(tables).toEqual(expect.arrayContaining(['feedback_revision', 'inbox', 'kept_payload', 'outbox', 'source_delivery', 'source_delivery_count']));
    const parts: string[] = [];
    for (const table of tables) {
      const cols = columns.filter((c) => c.table_name === table)
        .map((c) => (c.data_type === 'bytea' ? `convert_from("${c.column_name}", 'UTF8')` : `"${c.column_name}"::text`));
      const rows = await database.query<{ row: string }>(`SELECT concat_ws(' | ', ${cols.join(', ')}) AS row FROM "${schema}"."${table}"`);
      parts.push(`${table}: ${rows.map((r) => r.row).join('\n')}`);
    }
    return parts.join('\n');
  };
  const keptRow = async (id: string) =>
    (await database.query(`SELECT id, convert_from(body, 'UTF8') AS body, fetched, reason, errors, customer_id, anonymised_at, received_at, size FROM "${schema}".kept_payload WHERE id = $1`, [id]))[0];
  const quiet = () =>
    waitForQuiescence({
      pending: {
        'privacy events not handled': () => consumerLag(kafka, prefixed(settings, 'ingest'), [prefixed(settings, Topic.PrivacyEvents)]),
        'answers not sent': outboxRows,
      },
      activity: { progress: () => progress.length },
    }, { what: 'ingest after the erasure requests' });

  beforeAll(async () => {
    await database.migrate();
    dir = mkdtempSync(join(tmpdir(), 'closeloop-ingest-erasure-'));
    const routing = join(dir, 'closeloop.yaml');
    // the repository's routing file (with its retention section) plus a source whose score question payloads lack
    writeFileSync(routing, `${readFileSync('config/closeloop.yaml', 'utf8')}
sources:
  - { id: tf-broken, kind: typeform, secretEnv: TF_SECRET, touchpoint: checkout, fields: { score: recommend_q, comment: why_q } }
`);
    const cfg = loadIngestConfig({
      KAFKA_BROKERS: settings.brokers.join(','), KAFKA_TOPIC_PREFIX: settings.topicPrefix, INGEST_API_KEYS: uniqueName('ingest-key'),
      INGEST_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', CLOSELOOP_CONFIG: routing, TF_SECRET: SECRET,
      INGEST_KEPT_DAYS: '60', // so that the payloads aged below are retention's to anonymise, not the age bound's to delete
      ...database.env,
    });
    expect(cfg.routing.retention?.sourcePayloads?.text).toBe('P30D');
    app = await startIngest(cfg);
    http = request(app.getHttpServer());
    await waitFor(async () => (await http.get('/health/ready')).status === 200, { what: 'ingest ready (Kafka connected, topics made)' });
    await producer.connect();
    collector = kafka.consumer({ groupId: `${settings.topicPrefix}collector`, allowAutoTopicCreation: false, maxWaitTimeInMs: READER_MAX_WAIT_MS });
    await collector.connect();
    await collector.subscribe({ topic: prefixed(settings, Topic.PrivacyEvents), fromBeginning: true });
    await collector.run({
      eachMessage: async ({ message }) => {
        const event = JSON.parse(String(message.value));
        if (event.type === 'customer.erasure_progress') progress.push(event);
      },
    });
  });

  afterAll(async () => {
    await collector?.disconnect();
    await producer.disconnect();
    await app?.close();
    await database.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('anonymises her kept payloads, answers done through the outbox, leaves another customer\'s untouched, and a redelivered request changes nothing', async () => {
    const hers = [await keep(ayse, 'ayse-1', AYSE_COMMENTS[0]), await keep(ayse, 'ayse-2', AYSE_COMMENTS[1])];
    const his = await keep(mehmet, 'mehmet-1', 'Yemek soğuktu');
    const hisBefore = await keptRow(his);
    expect(hisBefore).toMatchObject({ customer_id: mehmet.id, anonymised_at: null });
    expect((await keptRow(hers[0])).customer_id).toBe(ayse.id); // found by customer: the id the connector read
    const before = await dump();
    for (const s of ayseStrings) expect(before).toContain(s); // the dump sees her: the checks after it can fail

    const req = erasureRequest(ayse.id);
    await publishPrivacy(req);
    const answer = await waitFor(() => progressOf(req.data.erasureId)[0], { what: 'ingest\'s progress' });
    expect(answer).toMatchObject({
      eventId: deterministicId('erasure-progress', req.eventId, 'sourcePayloads'), type: 'customer.erasure_progress', producer: 'ingest',
      data: { erasureId: req.data.erasureId, customerId: ayse.id, store: 'sourcePayloads', status: 'done', erased: 2, by: 'ingest' },
    });
    await quiet();

    const after = await dump();
    for (const s of ayseStrings) expect(after).not.toContain(s);
    for (const id of hers) {
      const row = await keptRow(id);
      expect(row).toMatchObject({ body: ERASED, fetched: null, customer_id: null, reason: 'the delivery is authentic but cannot become feedback: field score is invalid' });
      expect(row.errors).toEqual([{ field: 'score', message: ERASED }]);
      expect(row.anonymised_at).not.toBeNull();
    }
    expect(await keptRow(his)).toEqual(hisBefore);
    // the Sources page still lists and counts them, without a body to show
    const kept = await http.get('/v1/sources/tf-broken/kept').set('Authorization', `Bearer ${OPS_TOKEN}`);
    expect(kept.status).toBe(200);
    expect(kept.body.kept.map((k: { id: string }) => k.id).sort()).toEqual([...hers, his].sort());
    const one = await http.get(`/v1/sources/tf-broken/kept/${hers[0]}`).set('Authorization', `Bearer ${OPS_TOKEN}`);
    expect(one.body.body).toBe(ERASED);

    // the same request redelivered, another participant's progress, then the orchestrator asking again for the same erasure
    const keptAfter = await database.query(`SELECT * FROM "${schema}".kept_payload ORDER BY id`);
    const again = erasureRequest(ayse.id, req.data.erasureId);
    await publishPrivacy(req, makeEnvelope('customer.erasure_progress', { ...answer.data, store: 'scoring' as const, by: 'scoring' }, 'scoring'), again);
    await waitFor(() => progressOf(req.data.erasureId).length >= 2, { what: 'the answer to the second request' });
    await quiet();
    expect(progressOf(req.data.erasureId).map((p) => [p.eventId, p.data.status, p.data.erased])).toEqual([
      [deterministicId('erasure-progress', req.eventId, 'sourcePayloads'), 'done', 2],
      [deterministicId('erasure-progress', again.eventId, 'sourcePayloads'), 'done', 0],
    ]);
    expect(await database.query(`SELECT * FROM "${schema}".kept_payload ORDER BY id`)).toEqual(keptAfter);
  });

  it('retention: the daily pass anonymises payloads received before retention.sourcePayloads (P30D), with the same function, once', async () => {
    const old = await keep(mehmet, 'old-1', 'Eski şikayet');
    const young = await keep(mehmet, 'young-1', 'Yeni şikayet');
    await database.query(`UPDATE "${schema}".kept_payload SET received_at = now() - interval '31 days' WHERE id = $1`, [old]);
    const youngBefore = await keptRow(young);

    const retention = app.get(PayloadRetention);
    const now = new Date();
    expect((await retention.run(now)).anonymised).toBe(1);
    expect(await keptRow(old)).toMatchObject({ body: ERASED, customer_id: null, errors: [{ field: 'score', message: ERASED }] });
    expect(await keptRow(young)).toEqual(youngBefore);
    expect((await retention.run(now)).anonymised).toBe(0); // idempotent
    // by a clock 31 days on, the young one is past P30D too
    expect((await retention.run(new Date(now.getTime() + 31 * 86_400_000))).anonymised).toBeGreaterThanOrEqual(1);
    expect((await keptRow(young)).body).toBe(ERASED);
  });
});
