import { Controller, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { DlqHeader, FeedbackReceivedEvent, Topic, dlqTopicOf, feedbackIdFor, makeEnvelope } from '@closeloop/contracts';
import { createDataSource, runMigrations, sqlMigration } from '@closeloop/platform';
import { readTopic, testInfra, testKafka, testKafkaSettings, testLogger, uniqueName, waitFor } from '@closeloop/testing';
import { EventProducer, Inbox, Outbox, OutboxRelay, connectKafkaConsumer, ensureTopics, messagingTablesMigration, prefixed } from '../src';

const schema = uniqueName('msgtest');
const settings = testKafkaSettings('messaging');
const effects = sqlMigration('Effects1763900000001', [`CREATE TABLE "${schema}".effects (event_id uuid PRIMARY KEY, customer_id text NOT NULL)`], [`DROP TABLE "${schema}".effects`]);
const dbOptions = { url: testInfra().databaseUrl, schema, entities: [], migrations: [messagingTablesMigration(schema), effects] };

function feedbackEvent(externalId: string, customerId = 'c-42'): FeedbackReceivedEvent {
  return makeEnvelope('feedback.received', {
    feedbackId: feedbackIdFor('test', externalId), source: 'test', externalId, touchpoint: 'checkout', metric: 'nps', score: 3,
    customer: { id: customerId }, respondedAt: '2026-11-23T10:00:00Z', receivedAt: new Date().toISOString(),
  }, 'messaging-test');
}

/** Counts handler invocations (deliveries) separately from effects (rows written once through the inbox). */
const seen: string[] = [];
let ds: DataSource;
const inbox = new Inbox(schema);

@Controller()
class FeedbackHandler {
  @EventPattern(Topic.FeedbackReceived)
  async onFeedback(@Payload() event: FeedbackReceivedEvent) {
    seen.push(event.data.externalId);
    if (event.data.externalId.startsWith('fail-always')) throw new Error('this input can never be handled');
    await inbox.processOnce(ds, 'test-consumer', event.eventId, async (m) => {
      await m.query(`INSERT INTO "${schema}".effects (event_id, customer_id) VALUES ($1, $2)`, [event.eventId, event.data.customer.id]);
    });
  }
}
@Module({ controllers: [FeedbackHandler] })
class TestModule {}

async function startConsumerApp(): Promise<INestApplication> {
  const app = await NestFactory.create(TestModule, { logger: false });
  connectKafkaConsumer(app, { kafka: settings, clientId: 'msgtest', groupId: 'msgtest', logger: testLogger, maxAttempts: 2, backoff: { initialMs: 50, maxMs: 100 } });
  await app.startAllMicroservices();
  await app.init();
  return app;
}

const effectCount = async (eventId?: string) =>
  Number((await ds.query(`SELECT count(*)::int AS n FROM "${schema}".effects ${eventId ? 'WHERE event_id = $1' : ''}`, eventId ? [eventId] : []))[0].n);

describe('libs/messaging against real Kafka and Postgres', () => {
  const kafka = testKafka();
  const producer = new EventProducer(settings, 'msgtest-producer', testLogger);
  let app: INestApplication;

  beforeAll(async () => {
    await ensureTopics(kafka, settings, { partitions: 2 });
    await runMigrations(dbOptions);
    ds = createDataSource(dbOptions);
    await ds.initialize();
    await producer.connect();
    app = await startConsumerApp();
  });

  afterAll(async () => {
    await app?.close();
    await producer.disconnect();
    await ds?.query(`DROP SCHEMA "${schema}" CASCADE`);
    await ds?.destroy();
  });

  it('(a) a redelivered event is processed once: duplicate sends and a replay from offset 0 leave one effect', async () => {
    const event = feedbackEvent('redelivered-1');
    await producer.publish([{ topic: Topic.FeedbackReceived, key: 'c-42', event }]);
    await producer.publish([{ topic: Topic.FeedbackReceived, key: 'c-42', event }]); // same eventId, as a producer retry would
    await waitFor(() => seen.filter((x) => x === 'redelivered-1').length === 2, { what: 'two deliveries' });
    expect(await effectCount(event.eventId)).toBe(1);

    // real redelivery: rewind the group and start again; the handler runs again, the effect does not repeat
    await app.close();
    const admin = kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId: prefixed(settings, 'msgtest'), topic: prefixed(settings, Topic.FeedbackReceived), earliest: true });
    await admin.disconnect();
    const before = seen.length;
    app = await startConsumerApp();
    await waitFor(() => seen.length >= before + 2, { what: 'replayed deliveries', timeoutMs: 30_000 });
    expect(seen.filter((x) => x === 'redelivered-1').length).toBeGreaterThanOrEqual(4);
    expect(await effectCount(event.eventId)).toBe(1);
  });

  it('(b) a poison message goes to the DLQ with its reason while the next message is processed', async () => {
    const raw = kafka.producer();
    await raw.connect();
    await raw.send({ topic: prefixed(settings, Topic.FeedbackReceived), messages: [{ key: 'c-poison', value: '{"this is": not json' }] });
    await raw.send({
      topic: prefixed(settings, Topic.FeedbackReceived),
      messages: [{ key: 'c-poison', value: JSON.stringify(makeEnvelope('feedback.received', { feedbackId: 'x', customer: {} }, 'rogue')) }],
    });
    await raw.disconnect();
    const failing = feedbackEvent('fail-always-1', 'c-poison');
    const next = feedbackEvent('after-poison', 'c-poison');
    await producer.publish([{ topic: Topic.FeedbackReceived, key: 'c-poison', event: failing }, { topic: Topic.FeedbackReceived, key: 'c-poison', event: next }]);

    await waitFor(async () => (await effectCount(next.eventId)) === 1, { what: 'the message after the poison ones' });
    const dead = await readTopic(kafka, prefixed(settings, dlqTopicOf(Topic.FeedbackReceived)), { minCount: 3 });
    const reasons = dead.map((d) => d.headers[DlqHeader.Reason]);
    expect(reasons[0]).toMatch(/^invalid event: \(value\): not JSON/);
    expect(reasons[1]).toMatch(/^invalid event: .*data\./);
    expect(reasons[2]).toBe('failed after 2 attempts: this input can never be handled');
    expect(dead.map((d) => d.headers[DlqHeader.OriginalTopic])).toEqual([Topic.FeedbackReceived, Topic.FeedbackReceived, Topic.FeedbackReceived]);
    expect(dead[0].value).toBe('{"this is": not json'); // the original bytes, untouched, for replay
    expect(dead.every((d) => d.key === 'c-poison')).toBe(true);
  });

  it('(c) a row and its outbox event commit together; a relay killed before marking the row still delivers, once in effect', async () => {
    const outbox = new Outbox(schema);
    const event = feedbackEvent('outboxed-1', 'c-outbox');
    await ds.query(`CREATE TABLE IF NOT EXISTS "${schema}".orders (id text PRIMARY KEY)`);
    await ds.transaction(async (m) => {
      await m.query(`INSERT INTO "${schema}".orders (id) VALUES ('o-1')`);
      await outbox.add(m, Topic.FeedbackReceived, 'c-outbox', event);
    });
    // a rolled-back transaction leaves neither the row nor its event
    const lost = feedbackEvent('rolled-back', 'c-outbox');
    await expect(ds.transaction(async (m) => {
      await m.query(`INSERT INTO "${schema}".orders (id) VALUES ('o-2')`);
      await outbox.add(m, Topic.FeedbackReceived, 'c-outbox', lost);
      throw new Error('business rule failed');
    })).rejects.toThrow('business rule failed');

    // the relay process "dies" right after Kafka acknowledged the batch, before its DELETE commits
    const crashing = {
      sendSerialized: async (msgs: Parameters<EventProducer['sendSerialized']>[0]) => {
        await producer.sendSerialized(msgs);
        throw new Error('relay killed after send');
      },
    };
    const doomed = new OutboxRelay(ds, schema, crashing, testLogger);
    await expect(doomed.drainOnce()).rejects.toThrow('relay killed after send');
    const pending = await ds.query(`SELECT event_id FROM "${schema}".outbox`);
    expect(pending.map((r: { event_id: string }) => r.event_id)).toEqual([event.eventId]);

    const deliveriesBefore = () => seen.filter((x) => x === 'outboxed-1').length;
    await waitFor(() => deliveriesBefore() === 1, { what: 'the first (pre-crash) delivery' });

    // a fresh relay, woken by NOTIFY and its poll, sends it again and removes the row
    const relay = new OutboxRelay(ds, schema, producer, testLogger, { pollIntervalMs: 200 });
    await relay.start();
    try {
      await waitFor(async () => (await ds.query(`SELECT count(*)::int AS n FROM "${schema}".outbox`))[0].n === 0, { what: 'outbox drained' });
      await waitFor(() => deliveriesBefore() === 2, { what: 'the redelivery' });
    } finally {
      await relay.stop();
    }
    expect(await effectCount(event.eventId)).toBe(1);
    expect(await effectCount(lost.eventId)).toBe(0);
    expect(seen).not.toContain('rolled-back');
  });

  it('relays promptly on commit (LISTEN/NOTIFY), not only on the poll interval', async () => {
    const outbox = new Outbox(schema);
    const relay = new OutboxRelay(ds, schema, producer, testLogger, { pollIntervalMs: 60_000 });
    await relay.start();
    try {
      await relay.idle(); // the initial pass is over: only a NOTIFY can wake the next one within the minute
      const event = feedbackEvent('notified-1', 'c-notify');
      await ds.transaction((m) => outbox.add(m, Topic.FeedbackReceived, 'c-notify', event));
      await waitFor(async () => (await effectCount(event.eventId)) === 1, { what: 'delivery woken by NOTIFY', timeoutMs: 10_000 });
    } finally {
      await relay.stop();
    }
  });
});

describe('the consumer attached to a Nest app', () => {
  it('runs the app lifecycle hooks once (no second relay or poller from the microservice)', async () => {
    let boots = 0;
    @Controller()
    class Probe {
      onApplicationBootstrap() {
        boots++;
      }
      @EventPattern(Topic.TicketEvents)
      handle() {}
    }
    @Module({ controllers: [Probe] })
    class ProbeModule {}
    const hooks = testKafkaSettings('hooks');
    await ensureTopics(testKafka(), hooks, { partitions: 1 });
    const app = await NestFactory.create(ProbeModule, { logger: false });
    connectKafkaConsumer(app, { kafka: hooks, clientId: 'hooks', groupId: 'hooks', logger: testLogger });
    await app.init();
    await app.startAllMicroservices();
    try {
      expect(boots).toBe(1);
    } finally {
      await app.close();
    }
  });
});
