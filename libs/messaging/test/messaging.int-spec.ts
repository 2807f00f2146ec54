import { Controller, INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { DlqHeader, FeedbackReceivedEvent, Topic, dlqTopicOf, feedbackIdFor, makeEnvelope } from '@closeloop/contracts';
import { createDataSource, runMigrations, sqlMigration } from '@closeloop/platform';
import { consumerLag, messagesOnTopic, readTopic, testInfra, testKafka, testKafkaSettings, testLogger, uniqueName, waitFor, waitForQuiescence, withAdmin } from '@closeloop/testing';
import { EventProducer, Inbox, Outbox, OutboxRelay, connectKafkaConsumer, ensureTopics, messagingTablesMigration, prefixed } from '../src';

const schema = uniqueName('msgtest');
const settings = testKafkaSettings('messaging');
// id: the order effects were committed in (a partition's batches commit one after another)
const effects = sqlMigration(
  'Effects1763900000001',
  [`CREATE TABLE "${schema}".effects (id bigserial, event_id uuid PRIMARY KEY, customer_id text NOT NULL, external_id text NOT NULL)`],
  [`DROP TABLE "${schema}".effects`],
);
const dbOptions = { url: testInfra().databaseUrl, schema, entities: [], migrations: [messagingTablesMigration(schema), effects] };

function feedbackEvent(externalId: string, customerId = 'c-42'): FeedbackReceivedEvent {
  return makeEnvelope('feedback.received', {
    feedbackId: feedbackIdFor('test', externalId), source: 'test', externalId, touchpoint: 'checkout', metric: 'nps', score: 3,
    customer: { id: customerId }, respondedAt: '2026-11-23T10:00:00Z', receivedAt: new Date().toISOString(),
  }, 'messaging-test');
}

/** Counts handler invocations (deliveries) separately from effects (rows written once through the inbox). */
const seen: string[] = [];
/** Which consumer instance handled each event (two instances share a group in the order test). */
const handledBy = new Map<string, object>();
/** The test's own connections, and the consumers' (a pool of its own, named, so an outage can cut only it). */
let ds: DataSource;
let consumerDs: DataSource;
const consumerApp = `closeloop-${schema}-consumer`;
/** Called before the handler's work, for the outage test. */
let beforeWork: ((externalId: string) => Promise<void>) | undefined;
const inbox = new Inbox(schema);

@Controller()
class FeedbackHandler {
  // the inbox consumer it claims under: a batch's claims are made in one statement (inbox.ts)
  @EventPattern(Topic.FeedbackReceived, { inbox: 'test-consumer' })
  async onFeedback(@Payload() event: FeedbackReceivedEvent, @Ctx() ctx: KafkaContext) {
    seen.push(event.data.externalId);
    handledBy.set(event.data.externalId, ctx.getConsumer());
    if (event.data.externalId.startsWith('fail-always')) throw new Error('this input can never be handled');
    if (event.data.externalId.startsWith('no-claim')) return; // declared an inbox consumer, but claims nothing for this one
    await beforeWork?.(event.data.externalId);
    await inbox.processOnce(consumerDs, 'test-consumer', event.eventId, async (m) => {
      await m.query(`INSERT INTO "${schema}".effects (event_id, customer_id, external_id) VALUES ($1, $2, $3)`, [event.eventId, event.data.customer.id, event.data.externalId]);
    });
  }
}
@Module({ controllers: [FeedbackHandler] })
class TestModule {}

async function startConsumerApp(kafka = settings): Promise<INestApplication> {
  const app = await NestFactory.create(TestModule, { logger: false });
  connectKafkaConsumer(app, { kafka, clientId: 'msgtest', groupId: 'msgtest', logger: testLogger, maxAttempts: 2, backoff: { initialMs: 50, maxMs: 100 } });
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
    consumerDs = createDataSource({ ...dbOptions, applicationName: consumerApp, poolSize: 12 });
    await consumerDs.initialize();
    await producer.connect();
    app = await startConsumerApp();
  });

  afterAll(async () => {
    beforeWork = undefined;
    await app?.close();
    await producer.disconnect();
    await consumerDs?.destroy();
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

  // batch consumption: one transaction per fetched batch of a partition (docs/adr/0023)
  const publish = (key: string, events: FeedbackReceivedEvent[]) => producer.publish(events.map((event) => ({ topic: Topic.FeedbackReceived, key, event })));
  /** Quiet: the group committed everything and no handler ran for a moment (a negative check may follow). */
  const settled = (kafkaSettings: typeof settings) =>
    waitForQuiescence({ pending: { lag: () => consumerLag(kafka, prefixed(kafkaSettings, 'msgtest'), [prefixed(kafkaSettings, Topic.FeedbackReceived)]) }, activity: { handled: () => seen.length } });
  const effectsOf = async (customerId: string): Promise<{ external_id: string; n: number }[]> =>
    ds.query(`SELECT external_id, count(*)::int AS n FROM "${schema}".effects WHERE customer_id = $1 GROUP BY external_id`, [customerId]);
  /** The transactions that wrote these events' inbox rows (xmin: the id of the inserting transaction). */
  const transactionsOf = async (events: FeedbackReceivedEvent[]): Promise<number> =>
    (await ds.query(`SELECT count(DISTINCT xmin::text)::int AS n FROM "${schema}".inbox WHERE event_id = ANY($1::uuid[])`, [events.map((e) => e.eventId)]))[0].n;
  /** Everything on the DLQ now (read up to its end), for one key. */
  const deadLettersOf = async (key: string) => {
    const dlq = prefixed(settings, dlqTopicOf(Topic.FeedbackReceived));
    const count = await messagesOnTopic(kafka, dlq);
    return count ? (await readTopic(kafka, dlq, { minCount: count })).filter((d) => d.key === key) : [];
  };

  it('(d) a poison message in the middle of a batch is dead-lettered alone; its neighbours take effect exactly once', async () => {
    const before = [1, 2, 3, 4].map((n) => feedbackEvent(`batch-before-${n}`, 'c-batch'));
    const poison = feedbackEvent('fail-always-in-batch', 'c-batch');
    const after = [1, 2, 3, 4].map((n) => feedbackEvent(`batch-after-${n}`, 'c-batch'));
    await publish('c-batch', [...before, poison, ...after]); // one produce request: one fetched batch

    await waitFor(async () => (await effectsOf('c-batch')).length === 8, { what: 'the eight neighbours' });
    await settled(settings);
    const effects = await effectsOf('c-batch');
    expect(effects.map((e) => e.external_id).sort()).toEqual([...before, ...after].map((e) => e.data.externalId).sort());
    expect(effects.every((e) => e.n === 1)).toBe(true);
    // the batch was rolled back at the poison and split: the ones before it ran again and share one transaction,
    // the poison was retried alone, the ones after it share another
    expect(seen.filter((x) => x === 'batch-before-1').length).toBe(2);
    expect(seen.filter((x) => x === 'fail-always-in-batch').length).toBe(3); // in the batch, then its 2 attempts alone
    expect(await transactionsOf(before)).toBe(1);
    expect(await transactionsOf(after)).toBe(1);
    const dead = await deadLettersOf('c-batch');
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0].value ?? '{}').eventId).toBe(poison.eventId);
    expect(dead[0].headers[DlqHeader.Reason]).toBe('failed after 2 attempts: this input can never be handled');
    expect(dead[0].headers[DlqHeader.Attempts]).toBe('2');
    expect(dead[0].headers[DlqHeader.OriginalTopic]).toBe(Topic.FeedbackReceived);
  });

  it('a batch claimed in one statement: a duplicate in the batch takes effect once, a message its handler did not claim leaves no inbox row', async () => {
    const first = feedbackEvent('claim-1', 'c-claim');
    const unclaimed = feedbackEvent('no-claim-1', 'c-claim');
    const last = feedbackEvent('claim-2', 'c-claim');
    await publish('c-claim', [first, first, unclaimed, last, first]); // one produce request: one fetched batch

    await waitFor(async () => (await effectsOf('c-claim')).length === 2, { what: 'the two claimed events' });
    await settled(settings);
    expect((await effectsOf('c-claim')).map((e) => [e.external_id, e.n]).sort()).toEqual([['claim-1', 1], ['claim-2', 1]]);
    expect(seen.filter((x) => x === 'claim-1').length).toBeGreaterThanOrEqual(3); // each delivery reached the handler
    const rows = await ds.query(`SELECT event_id::text AS id FROM "${schema}".inbox WHERE event_id = ANY($1::uuid[])`, [[first, unclaimed, last].map((e) => e.eventId)]);
    expect(rows.map((r: { id: string }) => r.id).sort()).toEqual([first.eventId, last.eventId].sort());
    expect(await transactionsOf([first, last])).toBe(1);
  });

  it('(e) Postgres connections cut in the middle of a batch: the partition waits, nothing is lost or doubled', async () => {
    const events = Array.from({ length: 20 }, (_, i) => feedbackEvent(`outage-${i + 1}`, 'c-outage'));
    const cut = () => ds.query(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, [consumerApp]);
    let outage: Promise<void> | undefined;
    let cuts = 0;
    beforeWork = async (externalId) => {
      if (externalId !== 'outage-12' || outage) return;
      // the batch's transaction holds the work of outage-1..11: cut it now, and every new connection for a while
      outage = (async () => {
        cuts += (await cut())[0].n;
        const until = Date.now() + 1_500;
        while (Date.now() < until) {
          cuts += (await cut())[0].n;
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      await new Promise((r) => setTimeout(r, 50)); // the first cut lands while this handler is still in the batch
    };
    await publish('c-outage', events);

    await waitFor(() => outage !== undefined, { what: 'the outage to start' });
    await outage;
    await waitFor(async () => (await effectsOf('c-outage')).length === 20, { what: 'every event after the outage', timeoutMs: 30_000 });
    await settled(settings);
    expect(cuts).toBeGreaterThan(0);
    const effects = await effectsOf('c-outage');
    expect(effects).toHaveLength(20);
    expect(effects.every((e) => e.n === 1)).toBe(true);
    expect(seen.filter((x) => x === 'outage-1').length).toBeGreaterThanOrEqual(2); // its first transaction was lost with the connection
    expect(await transactionsOf(events)).toBeGreaterThan(0);
    expect(await deadLettersOf('c-outage')).toHaveLength(0);
  });

  it('(f) per-key order holds across 6 partitions and two consumer instances, through a rebalance', async () => {
    const order = testKafkaSettings('order');
    await ensureTopics(kafka, order, { partitions: 6 });
    const keys = Array.from({ length: 12 }, (_, k) => `ord-${k}`);
    const rounds = 16;
    const eventOf = (key: string, n: number) => feedbackEvent(`${key}-${String(n).padStart(3, '0')}`, key);
    const orderProducer = new EventProducer(order, 'msgtest-order-producer', testLogger);
    await orderProducer.connect();
    const sendRound = (n: number) => orderProducer.publish(keys.map((key) => ({ topic: Topic.FeedbackReceived, key, event: eventOf(key, n) })));
    const first = await startConsumerApp(order);
    let second: INestApplication | undefined;
    try {
      for (let n = 0; n < rounds / 2; n++) await sendRound(n);
      second = await startConsumerApp(order); // joins while the first is busy: the partitions move
      const group = prefixed(order, 'msgtest');
      await waitFor(async () => {
        const { groups } = await withAdmin(kafka, (admin) => admin.describeGroups([group]));
        return groups[0]?.state === 'Stable' && groups[0].members.length === 2;
      }, { what: 'two members in the group' });
      for (let n = rounds / 2; n < rounds; n++) await sendRound(n);

      await waitFor(async () => Number((await ds.query(`SELECT count(*)::int AS n FROM "${schema}".effects WHERE customer_id LIKE 'ord-%'`))[0].n) === keys.length * rounds, { what: 'every ordered event', timeoutMs: 30_000 });
      await settled(order);
      const rows: { customer_id: string; external_id: string }[] = await ds.query(`SELECT customer_id, external_id FROM "${schema}".effects WHERE customer_id LIKE 'ord-%' ORDER BY id`);
      for (const key of keys) {
        // in commit order, each key's events are in the order they were sent, each once
        expect(rows.filter((r) => r.customer_id === key).map((r) => r.external_id)).toEqual(Array.from({ length: rounds }, (_, n) => eventOf(key, n).data.externalId));
      }
      const late = keys.map((key) => handledBy.get(eventOf(key, rounds - 1).data.externalId));
      expect(new Set(late).size).toBe(2); // both instances handled some of the keys
    } finally {
      await second?.close();
      await first.close();
      await orderProducer.disconnect();
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
