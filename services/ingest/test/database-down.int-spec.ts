// Postgres stops answering while ingest runs: feedback and source deliveries are answered 503 with nothing published
// (nothing half-accepted), readiness says the database is down, and both are accepted again once it is back.
// Postgres "goes down" as a TCP relay in front of the real one that is closed (every connection cut) and reopened.
import { AddressInfo, Server, Socket, connect, createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Client } from 'pg';
import { Topic, feedbackIdFor } from '@closeloop/contracts';
import { prefixed } from '@closeloop/messaging';
import { messagesOnTopic, testInfra, testKafka, testKafkaSettings, uniqueName, waitFor } from '@closeloop/testing';
import { startIngest } from '../src/app';
import { loadIngestConfig } from '../src/config';
import { body, typeformSignature } from '../src/sources/fixtures/sign';
import { typeformEvent } from '../src/sources/fixtures/typeform';
import { ingestSchema } from './database';

const settings = testKafkaSettings('dbdown');
const topic = prefixed(settings, Topic.FeedbackReceived);
const kafka = testKafka();
const KEY = uniqueName('ingest-key');
const TF_SECRET = uniqueName('tf-secret');
const database = ingestSchema('dbdown');
const run = uniqueName('run');

/** A TCP relay to Postgres that can be cut (every open connection destroyed) and opened again on the same port. */
class Relay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly host: string, private readonly target: number) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target, this.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((r) => server.listen(this.port, '127.0.0.1', r));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
  }
}

const feedback = (externalId: string) => ({
  source: 'web', externalId: `${run}-${externalId}`, touchpoint: 'checkout', metric: 'nps', score: 3,
  customer: { id: `c-${externalId}` }, respondedAt: '2026-11-23T10:00:00Z',
});

describe('ingest when Postgres is down', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let relay: Relay;
  let dir: string;

  beforeAll(async () => {
    await database.migrate();
    const pg = new URL(testInfra().databaseUrl);
    relay = new Relay(pg.hostname, Number(pg.port || 5432));
    await relay.open();
    const viaRelay = new URL(pg.toString());
    viaRelay.host = `127.0.0.1:${relay.port}`;
    dir = mkdtempSync(join(tmpdir(), 'closeloop-dbdown-'));
    const routing = join(dir, 'closeloop.yaml');
    writeFileSync(routing, `${readFileSync('config/closeloop.yaml', 'utf8')}
sources:
  - { id: tf, kind: typeform, secretEnv: TF_SECRET, touchpoint: checkout, fields: { score: nps_q, comment: why_q } }
  - { id: tf-broken, kind: typeform, secretEnv: TF_SECRET, touchpoint: checkout, fields: { score: recommend_q } }
`);
    app = await startIngest(loadIngestConfig({
      KAFKA_BROKERS: settings.brokers.join(','), KAFKA_TOPIC_PREFIX: settings.topicPrefix, INGEST_API_KEYS: KEY,
      INGEST_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', CLOSELOOP_CONFIG: routing, TF_SECRET,
      ...database.env, DATABASE_URL: viaRelay.toString(),
    }));
    http = request(app.getHttpServer());
  });

  afterAll(async () => {
    await app?.close();
    await relay?.cut();
    await database.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const typeform = (token: string, source = 'tf') => {
    const raw = body({ ...typeformEvent, form_response: { ...typeformEvent.form_response, token } });
    return http.post(`/v1/sources/${source}`).set('Content-Type', 'application/json').set('Typeform-Signature', typeformSignature(TF_SECRET, raw)).send(raw.toString('utf8'));
  };

  it('answers 503 to feedback, batches and source deliveries (an unmappable one too: it cannot be kept), publishes nothing, and accepts or keeps them once Postgres is back', async () => {
    expect((await http.get('/health/ready')).body.info.database.status).toBe('up');
    const before = await messagesOnTopic(kafka, topic);
    await relay.cut();

    const one = await http.post('/v1/feedback').set('Authorization', `Bearer ${KEY}`).send(feedback('one'));
    expect(one.status).toBe(503);
    expect(one.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(one.body).toMatchObject({ type: 'urn:closeloop:problem:database-unavailable', status: 503, detail: expect.stringMatching(/NOT accepted/) });
    expect(one.headers['retry-after']).toBe('5');
    expect((await http.post('/v1/feedback/batch').set('Authorization', `Bearer ${KEY}`).send({ items: [feedback('two')] })).status).toBe(503);
    const delivery = await typeform(`${run}-tf-1`);
    expect(delivery.status).toBe(503);
    expect(delivery.body.type).toBe('urn:closeloop:problem:database-unavailable');
    // an unmappable delivery that cannot be kept is not answered 422 (that would drop it): 503, the tool resends
    const unkeepable = await typeform(`${run}-tf-2`, 'tf-broken');
    expect([unkeepable.status, unkeepable.body.type]).toEqual([503, 'urn:closeloop:problem:database-unavailable']);
    // readiness shares one round of checks per second: the answer from before the cut may still be served
    const ready = await waitFor(async () => {
      const r = await http.get('/health/ready');
      return r.status === 503 ? r : undefined;
    }, { timeoutMs: 10_000, what: 'readiness to see the database down' });
    expect(ready?.body.error.database.status).toBe('down');
    // every refusal above was answered before anything was sent: the topic holds what it held
    expect(await messagesOnTopic(kafka, topic)).toBe(before);

    await relay.open();
    await waitFor(async () => (await http.get('/health/ready')).status === 200, { timeoutMs: 20_000, what: 'ready after Postgres came back' });
    expect((await http.post('/v1/feedback').set('Authorization', `Bearer ${KEY}`).send(feedback('one'))).status).toBe(202);
    expect((await typeform(`${run}-tf-1`)).status).toBe(202);
    expect((await typeform(`${run}-tf-2`, 'tf-broken')).status).toBe(422);
    const kept = await database.query<{ n: string }>(`SELECT count(*) AS n FROM "${database.schema}".kept_payload WHERE source_id = 'tf-broken'`);
    expect(kept[0].n).toBe('1');
    expect(await messagesOnTopic(kafka, topic)).toBe(before + 2);
  });

  it('a connection cut while a request holds it (waiting for a revision lock) is answered 503, and ingest keeps running and accepts it after', async () => {
    await waitFor(async () => (await http.get('/health/ready')).status === 200, { timeoutMs: 20_000, what: 'ready before the cut' });
    const item = feedback('held');
    const feedbackId = feedbackIdFor(item.source, item.externalId);
    // another session holds the feedback's revision lock, so the request waits on its checked-out connection
    const holder = new Client({ connectionString: testInfra().databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`closeloop.${database.schema}.revision.${feedbackId}`]);
      const pending = http.post('/v1/feedback').set('Authorization', `Bearer ${KEY}`).send(item).then((r) => r);
      // (asked on another connection: inside the holder's transaction pg_stat_activity is a frozen snapshot)
      await waitFor(async () => {
        const rows = await database.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`);
        return rows.length === 1;
      }, { timeoutMs: 10_000, what: 'the request waiting for the lock' });
      // the server side of that connection goes away (pg then emits 'error' on the checked-out client)
      await relay.cut();
      const answer = await pending;
      expect([answer.status, answer.body.type]).toEqual([503, 'urn:closeloop:problem:database-unavailable']);
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    await relay.open();
    await waitFor(async () => (await http.get('/health/ready')).status === 200, { timeoutMs: 20_000, what: 'ready after the connection came back' });
    expect((await http.post('/v1/feedback').set('Authorization', `Bearer ${KEY}`).send(item)).status).toBe(202);
  });
});
