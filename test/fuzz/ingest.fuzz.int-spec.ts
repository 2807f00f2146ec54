/**
 * Property-based fuzzing of the ingest API (SPEC §4) against a real ingest on real Kafka: 10,000 generated requests
 * — valid feedback, feedback with 1–3 fields broken, non-object and malformed JSON, wrong media types, bad keys and
 * oversized bodies. Never a 5xx; every valid feedback is a 202 with the feedbackId derived from (source, externalId);
 * every invalid one a 4xx problem, and a 400 names every field that was broken in `errors[].field`.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { INestApplication } from '@nestjs/common';
import { METRIC_SCALES, Metric, feedbackIdFor } from '@closeloop/contracts';
import { testKafkaSettings, uniqueName } from '@closeloop/testing';
import { startIngest } from '../../services/ingest/src/app';
import { loadIngestConfig } from '../../services/ingest/src/config';
import { ingestSchema } from '../../services/ingest/test/database';
import { FUZZ_BATCH, batches, checkEach } from './batches';

const KEY = uniqueName('fuzz-key');
const NUM_RUNS = 10_000;
const MiB = 1024 * 1024;

let app: INestApplication;
let port: number;
const agent = new http.Agent({ keepAlive: true, maxSockets: FUZZ_BATCH });

interface Answer {
  status: number;
  contentType: string;
  json: any;
}

function send(body: Buffer | string, headers: Record<string, string | undefined>): Promise<Answer> {
  const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const h: Record<string, string | number> = { 'Content-Length': data.length };
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) h[k] = v;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/feedback', method: 'POST', agent, headers: h }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any = null;
        try {
          json = JSON.parse(text);
        } catch {
          json = { unparsed: text.slice(0, 300) };
        }
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), json });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

const JSON_HEADERS = { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` };

// ---- valid feedback ----------------------------------------------------------------------------------------------

/** Strings whose UTF-16 length (what MaxLength counts) stays within `max`, from the whole of Unicode. */
const text = (min: number, max: number) =>
  fc.oneof(
    fc.string({ minLength: min, maxLength: max }),
    fc.string({ minLength: min, maxLength: max, unit: 'grapheme' }),
    fc.constantFrom('Garsonlar çok kaba', '退款', 'עורך דין', 'pengacara 🙄', 'Ça va'),
  ).filter((s) => s.length >= min && s.length <= max);

/**
 * `constructor` and `__proto__` are reserved (a 400 naming the key, see libs/contracts validation.ts), so a VALID
 * body never carries them; every other key, `toString` and friends included, is free-form attribute data.
 */
const RESERVED = new Set(['constructor', '__proto__']);
function withoutReservedKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(withoutReservedKeys) as T;
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => !RESERVED.has(k)).map(([k, x]) => [k, withoutReservedKeys(x)])) as T;
}

const metricAndScore = fc.constantFrom<Metric>('nps', 'csat', 'ces').chain((metric) =>
  fc.integer({ min: METRIC_SCALES[metric].min, max: METRIC_SCALES[metric].max }).map((score) => ({ metric, score })));

const e164 = fc.tuple(fc.integer({ min: 1, max: 9 }), fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 6, maxLength: 14 }))
  .map(([a, rest]) => `+${a}${rest}`);

const customer = fc.record(
  {
    id: text(1, 200),
    name: text(0, 200),
    email: fc.constantFrom('d@example.com', 'ayse.yilmaz@example.com.tr', 'x+tag@sub.example.org'),
    phone: e164,
    locale: fc.constantFrom('tr', 'en-GB', 'zh-Hant-TW', 'he'),
  },
  { requiredKeys: ['id'] },
);

const isoDate = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());

const validFeedback = fc.record(
  {
    source: text(1, 100),
    externalId: fc.tuple(text(1, 150), fc.uuid()).map(([s, u]) => `${s}${u}`.slice(0, 200)),
    touchpoint: text(1, 100),
    channel: text(0, 50),
    ms: metricAndScore,
    comment: text(0, 2_000),
    customer,
    respondedAt: isoDate,
    attributes: fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }).map(withoutReservedKeys),
  },
  { requiredKeys: ['source', 'externalId', 'touchpoint', 'ms', 'customer', 'respondedAt'] },
).map(({ ms, ...rest }) => ({ ...rest, metric: ms.metric, score: ms.score }) as Record<string, any>);

// ---- broken feedback ---------------------------------------------------------------------------------------------

/** One way to break a field: the path it breaks (what `errors[].field` must name) and the change. */
interface Mutation {
  group: string;
  field: string;
  apply(body: Record<string, any>): void;
  label: string;
}

const del = (o: Record<string, any>, k: string) => {
  delete o[k];
};
const wrongTypes = fc.constantFrom<unknown>(42, 1.5, true, false, [], ['x'], {}, { a: 1 });
const nonStrings = wrongTypes;
const tooLong = (max: number) => fc.integer({ min: max + 1, max: max + 50 }).map((n) => 'x'.repeat(n));

function topLevel(field: string, bad: fc.Arbitrary<unknown>, canDelete: boolean): fc.Arbitrary<Mutation> {
  const set = bad.map((v): Mutation => ({ group: field, field, label: `${field}=${JSON.stringify(v)?.slice(0, 40)}`, apply: (b) => void (b[field] = v) }));
  if (!canDelete) return set;
  return fc.oneof(set, fc.constant<Mutation>({ group: field, field, label: `${field} missing`, apply: (b) => del(b, field) }));
}

function inCustomer(field: string, bad: fc.Arbitrary<unknown>, canDelete: boolean): fc.Arbitrary<Mutation> {
  const path = `customer.${field}`;
  const set = bad.map((v): Mutation => ({ group: 'customer', field: path, label: `${path}=${JSON.stringify(v)?.slice(0, 40)}`, apply: (b) => void (b.customer = { ...b.customer, [field]: v }) }));
  if (!canDelete) return set;
  return fc.oneof(set, fc.constant<Mutation>({ group: 'customer', field: path, label: `${path} missing`, apply: (b) => void (b.customer = Object.fromEntries(Object.entries(b.customer).filter(([k]) => k !== field))) }));
}

const KNOWN = new Set(['source', 'externalId', 'touchpoint', 'channel', 'metric', 'score', 'comment', 'customer', 'respondedAt', 'attributes']);
// Names of Object.prototype members are unknown fields like any other (`__proto__` cannot be set as a plain key here).
const unknownKey = fc.oneof(fc.constantFrom('scroe', 'Score', 'customerId', 'feedbackId', '__proto__x', 'toString', 'hasOwnProperty', 'valueOf', 'constructor'), fc.string({ minLength: 1, maxLength: 12 }))
  .filter((k) => !KNOWN.has(k) && k !== '__proto__' && !k.includes('.'));

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  topLevel('source', fc.oneof(nonStrings, fc.constant(null), fc.constant(''), tooLong(100)), true),
  topLevel('externalId', fc.oneof(nonStrings, fc.constant(null), fc.constant(''), tooLong(200)), true),
  topLevel('touchpoint', fc.oneof(nonStrings, fc.constant(null), fc.constant(''), tooLong(100)), true),
  topLevel('channel', fc.oneof(nonStrings, tooLong(50)), false),
  topLevel('comment', fc.oneof(nonStrings, tooLong(10_000)), false),
  topLevel('respondedAt', fc.oneof(nonStrings, fc.constant(null), fc.constantFrom('yesterday', '', '2026-13-01T00:00:00Z', '23/11/2026', '2026-02-30T10:00:00Z')), true),
  topLevel('attributes', fc.constantFrom<unknown>('vip', 42, true, ['a']), false),
  // metric and score are one group: a bad metric leaves nothing to check the score against
  topLevel('metric', fc.oneof(fc.constantFrom<unknown>('NPS', 'stars', '', 'csat ', null, 5)), true).map((m) => ({ ...m, group: 'metricScore' })),
  fc.oneof(
    fc.constant<Mutation>({ group: 'metricScore', field: 'score', label: 'score missing', apply: (b) => del(b, 'score') }),
    fc.constantFrom<unknown>('3', 3.5, null, -1, [3], 0).map((v): Mutation => ({
      group: 'metricScore', field: 'score', label: `score=${JSON.stringify(v)}`,
      // 0 is in range for nps only: move the metric to csat so that 0 is out of its 1–5 scale
      apply: (b) => {
        if (v === 0) b.metric = 'csat';
        b.score = v;
      },
    })),
    fc.integer({ min: 11, max: 1_000_000 }).map((v): Mutation => ({ group: 'metricScore', field: 'score', label: `score=${v}`, apply: (b) => void (b.score = v) })),
  ),
  topLevel('customer', fc.constantFrom<unknown>(null, 'c-1', 42, [], [{ id: 'c-1' }], true), true),
  inCustomer('id', fc.oneof(nonStrings, fc.constant(null), fc.constant(''), tooLong(200)), true),
  inCustomer('name', fc.oneof(nonStrings, tooLong(200)), false),
  inCustomer('email', fc.constantFrom<unknown>('not-an-email', 'a@', '@example.com', 42), false),
  inCustomer('phone', fc.constantFrom<unknown>('05551234567', '+0123456789', '+90 555 123 45 67', '+1234', 905551234567), false),
  inCustomer('locale', fc.oneof(nonStrings, tooLong(35)), false),
  unknownKey.map((k): Mutation => ({ group: `unknown:${k}`, field: k, label: `unknown field ${k}`, apply: (b) => void (b[k] = 1) })),
  fc.constantFrom('vip', 'tier').map((k): Mutation => ({ group: 'customer', field: `customer.${k}`, label: `unknown customer.${k}`, apply: (b) => void (b.customer = { ...b.customer, [k]: true }) })),
);

const brokenFeedback = fc.tuple(validFeedback, fc.uniqueArray(mutation, { minLength: 1, maxLength: 3, selector: (m) => m.group }))
  .map(([body, mutations]) => {
    const b = structuredClone(body);
    for (const m of mutations) m.apply(b);
    return { body: b, mutations };
  });

// ---- the cases ---------------------------------------------------------------------------------------------------

type Case =
  | { kind: 'valid'; body: Record<string, any> }
  | { kind: 'broken'; body: Record<string, any>; mutations: Mutation[] }
  | { kind: 'not-an-object'; raw: string }
  | { kind: 'malformed'; raw: string }
  | { kind: 'media-type'; contentType: string | undefined; body: Record<string, any> }
  | { kind: 'auth'; authorization: string | undefined; body: Record<string, any> }
  | { kind: 'too-large'; body: Record<string, any> };

const caseArb: fc.Arbitrary<Case> = fc.oneof(
  { weight: 30, arbitrary: validFeedback.map((body): Case => ({ kind: 'valid', body })) },
  { weight: 50, arbitrary: brokenFeedback.map((c): Case => ({ kind: 'broken', ...c })) },
  { weight: 5, arbitrary: fc.oneof(fc.jsonValue().filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)), fc.array(validFeedback, { maxLength: 2 }))
    .map((v): Case => ({ kind: 'not-an-object', raw: JSON.stringify(v) })) },
  { weight: 5, arbitrary: fc.oneof(
    fc.constantFrom('', '   ', '{', '{"source": "a",}', "{'source': 'a'}", '{"a":1}{"b":2}', 'undefined', 'NaN', '\u0000'),
    validFeedback.chain((b) => fc.integer({ min: 1, max: JSON.stringify(b).length - 1 }).map((n) => JSON.stringify(b).slice(0, n))),
  ).map((raw): Case => ({ kind: 'malformed', raw })) },
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=latin1', 'json'), validFeedback)
    .map(([contentType, body]): Case => ({ kind: 'media-type', contentType, body })) },
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(undefined, '', 'Bearer', 'Bearer ', 'Bearer wrong', `Basic ${KEY}`, `bearer${KEY}`, `Bearer ${KEY}x`), validFeedback)
    .map(([authorization, body]): Case => ({ kind: 'auth', authorization, body })) },
  { weight: 1, arbitrary: validFeedback.map((body): Case => ({ kind: 'too-large', body: { ...body, comment: 'x'.repeat(MiB) } })) },
);

function expectProblem(a: Answer, status: number): void {
  expect(a.status).toBe(status);
  expect(a.contentType).toMatch(/^application\/problem\+json/);
  expect(a.json).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
}

function namedFields(a: Answer): string[] {
  expect(Array.isArray(a.json?.errors)).toBe(true);
  for (const e of a.json.errors) {
    expect(typeof e.field).toBe('string');
    expect(e.field.length).toBeGreaterThan(0);
    expect(typeof e.message).toBe('string');
  }
  return a.json.errors.map((e: { field: string }) => e.field);
}

const seen = { valid: 0, broken: 0, 'not-an-object': 0, malformed: 0, 'media-type': 0, auth: 0, 'too-large': 0 } as Record<Case['kind'], number>;

async function check(c: Case): Promise<void> {
  seen[c.kind] += 1;
  const a = await answer(c);
  // a 5xx is reported with the exact request, so that it can be replayed
  if (a.status >= 500) throw new Error(`${a.status} for ${JSON.stringify(c).slice(0, 3_000)}: ${JSON.stringify(a.json).slice(0, 1_000)}`);
  expectAnswer(c, a);
}

function answer(c: Case): Promise<Answer> {
  switch (c.kind) {
    case 'valid':
    case 'broken':
    case 'too-large':
      return send(JSON.stringify(c.body), JSON_HEADERS);
    case 'not-an-object':
    case 'malformed':
      return send(c.raw, JSON_HEADERS);
    case 'media-type':
      return send(JSON.stringify(c.body), { Authorization: `Bearer ${KEY}`, 'Content-Type': c.contentType });
    case 'auth':
      return send(JSON.stringify(c.body), { 'Content-Type': 'application/json', Authorization: c.authorization });
  }
}

function expectAnswer(c: Case, a: Answer): void {
  switch (c.kind) {
    case 'valid':
      expect({ status: a.status, body: a.json }).toEqual({ status: 202, body: { feedbackId: feedbackIdFor(c.body.source, c.body.externalId), duplicate: expect.any(Boolean), revision: expect.any(Number) } });
      return;
    case 'broken': {
      expectProblem(a, 400);
      const fields = namedFields(a);
      for (const m of c.mutations) expect({ mutation: m.label, fields }).toEqual({ mutation: m.label, fields: expect.arrayContaining([m.field]) });
      return;
    }
    case 'not-an-object':
      expectProblem(a, 400);
      expect(namedFields(a)).toEqual(['(root)']);
      return;
    case 'malformed':
      expectProblem(a, 400);
      expect(namedFields(a)).toContain('(root)');
      return;
    case 'media-type':
      expectProblem(a, 415);
      return;
    case 'auth':
      expectProblem(a, 401);
      return;
    case 'too-large':
      expectProblem(a, 413);
      return;
  }
}

const database = ingestSchema('fuzz');

beforeAll(async () => {
  const settings = testKafkaSettings('fuzz');
  await database.migrate();
  app = await startIngest(loadIngestConfig({
    KAFKA_BROKERS: settings.brokers.join(','), KAFKA_TOPIC_PREFIX: settings.topicPrefix, INGEST_API_KEYS: KEY, INGEST_PORT: '0',
    HOST: '127.0.0.1', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', INGEST_RATE_LIMIT: '0', ...database.env,
  }));
  port = (app.getHttpServer().address() as AddressInfo).port;
});

afterAll(async () => {
  agent.destroy();
  await app?.close();
  await database.drop();
});

describe('ingest API fuzzing (fast-check)', () => {
  it(`${NUM_RUNS} generated requests: no 5xx, valid → 202 with its feedbackId, invalid → 4xx naming the field`, async () => {
    const { arbitrary, numRuns } = batches(caseArb, NUM_RUNS);
    await fc.assert(fc.asyncProperty(arbitrary, (batch) => checkEach(batch, check)), { numRuns, endOnFailure: true, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) });
    // every kind of case was exercised
    for (const [kind, n] of Object.entries(seen)) expect({ kind, n: n > 0 }).toEqual({ kind, n: true });
  }, 600_000);
});
