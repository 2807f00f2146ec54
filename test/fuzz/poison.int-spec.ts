/**
 * Poison messages on cx.feedback.received.v1 — malformed bytes, schema-invalid envelopes and ~1 MB messages — go to
 * cx.feedback.received.v1.dlq with the reason in headers, at once (no retries), while the valid feedback produced
 * around them, on the same partition (same key), is scored promptly. Scoring runs in-process on real Kafka + Postgres.
 */
import { INestApplication } from '@nestjs/common';
import { CompressionTypes, Consumer, Producer } from 'kafkajs';
import { DlqHeader, FeedbackReceivedData, Topic, dlqTopicOf, feedbackIdFor, makeEnvelope } from '@closeloop/contracts';
import { prefixed } from '@closeloop/messaging';
import { createDataSource, runMigrations } from '@closeloop/platform';
import { READER_MAX_WAIT_MS, testKafka, uniqueName, waitFor } from '@closeloop/testing';
import { startScoring } from '../../services/scoring/src/app';
import { databaseOptions } from '../../services/scoring/src/database';
import { scoringTestEnvironment } from '../../services/scoring/test/harness';
import { writeRoutingFile } from '../e2e/stack';

const run = uniqueName('p');
const KEY = `${run}-customer`; // one key: every message below lands on the same partition, behind or in front of a poison one
/** "1 MB": the local broker's default message.max.bytes is 1048588 per record batch; the DLQ copy adds ~300 bytes of headers. */
const ONE_MB = 1_000_000;

const { schema, settings, cfg } = scoringTestEnvironment('poison', { routingFile: writeRoutingFile(`
defaults:
  team: cx
  alertAt: { nps: 6, csat: 2, ces: 3 }
teams:
  - id: cx
    slackChannel: C0CX
    sla: { firstResponse: PT1H, resolve: PT48H }
touchpoints: [{ id: checkout, team: cx }]
keywords: { critical: ["lawyer"], alert: ["refund"] }
agents: [{ id: ayse, name: "Ayşe", team: cx }]
rootCauses: [other]
`) });

function validEvent(n: number) {
  const externalId = `${run}-valid-${n}`;
  const feedbackId = feedbackIdFor('poison', externalId);
  const data = {
    feedbackId, source: 'poison', externalId, touchpoint: 'checkout', metric: 'nps', score: n % 11, comment: `valid ${n}`,
    customer: { id: KEY }, respondedAt: new Date().toISOString(), receivedAt: new Date().toISOString(),
  } as FeedbackReceivedData;
  return makeEnvelope('feedback.received', data, 'poison-it', { eventId: feedbackId });
}

/** Every kind of poison, with a label that travels in a header so the DLQ copy can be matched. */
function poison(): { label: string; value: Buffer | null }[] {
  const valid = validEvent(999);
  const envelope = (patch: (e: any) => void) => {
    const e = structuredClone(valid) as any;
    e.eventId = feedbackIdFor('poison', `${run}-${Math.random()}`);
    patch(e);
    return Buffer.from(JSON.stringify(e));
  };
  return [
    { label: 'malformed: not JSON', value: Buffer.from('{"eventId": "x", nope') },
    { label: 'malformed: binary', value: Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x81, 0x9f]) },
    { label: 'malformed: empty value', value: null },
    { label: 'malformed: JSON array', value: Buffer.from('[1,2,3]') },
    { label: 'malformed: JSON string', value: Buffer.from('"feedback"') },
    { label: 'schema: wrong type', value: envelope((e) => (e.type = 'feedback.scored')) },
    { label: 'schema: no data', value: envelope((e) => delete e.data) },
    { label: 'schema: score out of scale', value: envelope((e) => (e.data.score = 42)) },
    { label: 'schema: missing customer', value: envelope((e) => delete e.data.customer) },
    { label: 'schema: version 99', value: envelope((e) => (e.version = 99)) },
    { label: 'schema: eventId not a string', value: envelope((e) => (e.eventId = 12345)) },
    { label: '1 MB: not JSON', value: Buffer.alloc(ONE_MB, 'x') },
    { label: '1 MB: comment over its 10,000 characters', value: envelope((e) => (e.data.comment = 'y'.repeat(ONE_MB - 1_000))) },
  ];
}

describe('poison messages on cx.feedback.received.v1', () => {
  const kafka = testKafka();
  let app: INestApplication;
  let producer: Producer;
  let scored: Consumer;
  let dead: Consumer;
  const scoredIds = new Map<string, number>();
  const deadLetters: { label: string; headers: Record<string, string>; size: number; at: number }[] = [];

  beforeAll(async () => {
    await runMigrations(databaseOptions(cfg));
    app = await startScoring(cfg); // creates the topics
    producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    scored = kafka.consumer({ groupId: `${settings.topicPrefix}scored-reader`, allowAutoTopicCreation: false, maxWaitTimeInMs: READER_MAX_WAIT_MS });
    dead = kafka.consumer({ groupId: `${settings.topicPrefix}dlq-reader`, allowAutoTopicCreation: false, maxBytes: 8 * 1024 * 1024, maxWaitTimeInMs: READER_MAX_WAIT_MS });
    await Promise.all([scored.connect(), dead.connect()]);
    await scored.subscribe({ topic: prefixed(settings, Topic.FeedbackScored), fromBeginning: true });
    await dead.subscribe({ topic: prefixed(settings, dlqTopicOf(Topic.FeedbackReceived)), fromBeginning: true });
    await scored.run({
      eachMessage: async ({ message }) => {
        const id = JSON.parse(String(message.value)).data.feedbackId as string;
        if (!scoredIds.has(id)) scoredIds.set(id, Date.now());
      },
    });
    await dead.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        deadLetters.push({ label: headers['x-poison-label'], headers, size: message.value?.length ?? 0, at: Date.now() });
      },
    });
  });

  afterAll(async () => {
    await Promise.allSettled([scored?.disconnect(), dead?.disconnect(), producer?.disconnect()]);
    await app?.close();
    const cleanup = createDataSource({ ...databaseOptions(cfg), migrations: [] });
    await cleanup.initialize();
    await cleanup.query(`DROP SCHEMA "${schema}" CASCADE`);
    await cleanup.destroy();
  });

  it('every poison message reaches the DLQ with its reason, and the valid ones around them are scored promptly', async () => {
    const topic = prefixed(settings, Topic.FeedbackReceived);
    const bad = poison();
    // warm-up: one valid message through, so the timings below measure the poison, not the group join
    const warm = validEvent(0);
    await producer.send({ topic, acks: -1, messages: [{ key: KEY, value: JSON.stringify(warm) }] });
    await waitFor(() => scoredIds.has(warm.eventId), { what: 'warm-up scored', timeoutMs: 60_000 });

    // valid, poison, valid, poison, …, valid: all on one partition
    const valid = Array.from({ length: bad.length + 1 }, (_, i) => validEvent(i + 1));
    const started = Date.now();
    for (let i = 0; i < valid.length; i++) {
      await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: [{ key: KEY, value: JSON.stringify(valid[i]) }] });
      if (i < bad.length) {
        await producer.send({ topic, acks: -1, messages: [{ key: KEY, value: bad[i].value, headers: { 'x-poison-label': bad[i].label } }] });
      }
    }
    const produced = Date.now();

    await waitFor(() => valid.every((v) => scoredIds.has(v.eventId)), { what: 'every valid feedback scored', timeoutMs: 30_000, intervalMs: 100 });
    const lastScored = Math.max(...valid.map((v) => scoredIds.get(v.eventId) ?? Infinity));
    await waitFor(() => bad.every((b) => deadLetters.some((d) => d.label === b.label)), { what: 'every poison message dead-lettered', timeoutMs: 30_000, intervalMs: 100 });

    for (const b of bad) {
      const d = deadLetters.filter((x) => x.label === b.label);
      expect({ label: b.label, copies: d.length }).toEqual({ label: b.label, copies: 1 });
      expect(d[0].headers[DlqHeader.Reason]).toMatch(/invalid event/);
      expect(d[0].headers[DlqHeader.OriginalTopic]).toBe(Topic.FeedbackReceived);
      expect(d[0].headers[DlqHeader.Attempts]).toBe('0'); // dead-lettered at once, no retry delay
      expect(d[0].size).toBe(b.value?.length ?? 0); // the original bytes, untouched
    }
    // the valid ones behind 13 poison messages (two of them ~1 MB) did not wait for retries or backoff: every poison
    // message was dead-lettered on its first attempt (Attempts 0 above); how long it took is printed, not asserted
    expect(scoredIds.size).toBe(valid.length + 1);
    // no valid message went to the DLQ
    expect(deadLetters.filter((d) => !d.label)).toEqual([]);
    console.log(`poison: ${bad.length} dead-lettered, ${valid.length} valid scored ${lastScored - produced} ms after the last produce (produce took ${produced - started} ms)`);
  });
});
