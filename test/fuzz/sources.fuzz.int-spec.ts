/**
 * Property-based fuzzing of `POST /v1/sources/{id}` (SPEC §10) against a real ingest on real Kafka: per survey-tool
 * kind, 2,000 generated deliveries in the vendor's shape (the documented payload with fields replaced, removed or
 * odd-typed, or any JSON or bytes at all), with any extra headers, several content types and now and then a body over
 * 1 MiB, each sent correctly signed or with a missing, wrong, mutated or stale signature or a body changed after
 * signing. Never a 5xx; the checks answer in the route's order: an unknown source 404, a body type the kind never
 * sends 415, a body over 1 MiB 413, and then an unauthentic delivery is always 401, never a 202; an authentic one
 * is 202, 200 (ignored) or 422 (unmappable). Every 202 that is not a duplicate is one message on the topic, and
 * nothing else is. The pure connectors' properties are services/ingest/src/sources/sources.property.spec.ts's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { INestApplication } from '@nestjs/common';
import { Topic, type SourceKind } from '@closeloop/contracts';
import { prefixed } from '@closeloop/messaging';
import {
  SurveyApiStub, messagesOnTopic, startQualtricsStub, startSurveyMonkeyStub, testKafka, testKafkaSettings, uniqueName,
} from '@closeloop/testing';
import { startIngest } from '../../services/ingest/src/app';
import { loadIngestConfig } from '../../services/ingest/src/config';
import { ingestSchema } from '../../services/ingest/test/database';
import { delightedCreated } from '../../services/ingest/src/sources/fixtures/delighted';
import { formbricksFinished } from '../../services/ingest/src/sources/fixtures/formbricks';
import { qualtricsMsg, qualtricsResponse, qualtricsTopic } from '../../services/ingest/src/sources/fixtures/qualtrics';
import { questionproResponse } from '../../services/ingest/src/sources/fixtures/questionpro';
import { shaped } from '../../services/ingest/src/sources/fixtures/shaped';
import {
  body, delightedSignature, qualtricsForm, standardWebhookHeaders, surveyMonkeySignature, typeformSignature,
} from '../../services/ingest/src/sources/fixtures/sign';
import { surveyMonkeyDetails, surveyMonkeyEvent } from '../../services/ingest/src/sources/fixtures/surveymonkey';
import { typeformEvent } from '../../services/ingest/src/sources/fixtures/typeform';
import { FUZZ_BATCH, batches, checkEach } from './batches';

const NUM_RUNS = Number(process.env.FUZZ_SOURCES_RUNS ?? 2_000);
const MiB = 1024 * 1024;
const settings = testKafkaSettings('fuzz-sources');
const topic = prefixed(settings, Topic.FeedbackReceived);
const kafka = testKafka();
const SECRET = uniqueName('source-secret');
const OTHER_SECRET = uniqueName('other-secret');
/** Formbricks' secrets are `whsec_` + base64 of the key bytes. */
const whsec = (s: string) => `whsec_${Buffer.from(s).toString('base64')}`;
const QL_TOKEN = uniqueName('ql-token');
const SM_TOKEN = uniqueName('sm-token');
const SM_API_KEY = 'sm-app-api-key';

type Proof = 'signed' | 'missing' | 'wrong-secret' | 'mutated' | 'tampered' | 'stale';

interface Case {
  /** false: a source id the routing file does not declare. */
  knownSource: boolean;
  raw: Buffer;
  headers: Record<string, string>;
  /** The body type is one the kind sends (else 415). */
  typeOk: boolean;
  big: boolean;
  proof: Proof;
  /** What an authentic fetching kind's API answers (qualtrics, surveymonkey). */
  fetched?: unknown;
}

interface KindSpec {
  id: string;
  /** The generated delivery before its signature: the payload as bytes (Qualtrics: its MSG and Topic). */
  payload: fc.Arbitrary<unknown>;
  /** The delivery signed with `secret` at `at`: body and headers. */
  sign(payload: unknown, secret: string, at: Date): { raw: Buffer; headers: Record<string, string> };
  /** The header names (or for Qualtrics the form field) that carry the proof. */
  proofHeaders: string[];
  /** Bearer kinds sign nothing: a body changed after "signing" is still authentic. */
  bodySigned: boolean;
  contentTypes: [string | undefined, boolean][];
  fetched?: fc.Arbitrary<unknown>;
}

const JSON_TYPES: [string | undefined, boolean][] = [
  ['application/json', true], ['application/json; charset=utf-8', true], ['Application/JSON; charset="UTF-8"', true], ['application/vnd.vendor+json', true],
  ['text/plain', false], ['application/x-www-form-urlencoded', false], ['application/json; charset=latin1', false], [undefined, false],
];
const FORM_TYPES: [string | undefined, boolean][] = [
  ['application/x-www-form-urlencoded', true], ['application/x-www-form-urlencoded; charset=UTF-8', true],
  ['application/json', false], ['multipart/form-data; boundary=x', false], ['application/x-www-form-urlencoded; charset=iso-8859-1', false], [undefined, false],
];

/**
 * JSON kinds: the vendor's shape, or any text or bytes at all (an authentic body that is not JSON is a 422). Standard
 * Webhooks (Formbricks) sign the body as text, so bytes that are not UTF-8 are no delivery Formbricks could sign.
 */
const jsonPayload = (fixture: unknown, utf8Only = false) => fc.oneof(
  { weight: 16, arbitrary: shaped(fixture) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((t) => Buffer.from(t, 'utf8')) },
  { weight: utf8Only ? 0 : 2, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
);
const rawOf = (payload: unknown) => (Buffer.isBuffer(payload) ? payload : body(payload));

const KINDS: Record<SourceKind, KindSpec> = {
  questionpro: {
    id: 'qp', payload: jsonPayload(questionproResponse), proofHeaders: ['authorization'], bodySigned: false, contentTypes: JSON_TYPES,
    sign: (p, secret) => ({ raw: rawOf(p), headers: { authorization: `Bearer ${secret}` } }),
  },
  typeform: {
    id: 'tf', payload: jsonPayload(typeformEvent), proofHeaders: ['typeform-signature'], bodySigned: true, contentTypes: JSON_TYPES,
    sign: (p, secret) => ({ raw: rawOf(p), headers: { 'typeform-signature': typeformSignature(secret, rawOf(p)) } }),
  },
  delighted: {
    id: 'dl', payload: jsonPayload(delightedCreated), proofHeaders: ['x-delighted-webhook-signature'], bodySigned: true, contentTypes: JSON_TYPES,
    sign: (p, secret) => ({ raw: rawOf(p), headers: { 'x-delighted-webhook-signature': delightedSignature(secret, rawOf(p)) } }),
  },
  formbricks: {
    id: 'fb', payload: jsonPayload(formbricksFinished, true), proofHeaders: ['webhook-id', 'webhook-timestamp', 'webhook-signature'], bodySigned: true, contentTypes: JSON_TYPES,
    sign: (p, secret, at) => ({ raw: rawOf(p), headers: standardWebhookHeaders(whsec(secret), rawOf(p), 'msg_fuzz', at) }),
  },
  qualtrics: {
    id: 'ql', proofHeaders: ['HMAC'], bodySigned: true, contentTypes: FORM_TYPES,
    payload: fc.record({ topic: fc.oneof(fc.constant(qualtricsTopic), fc.string()), msg: shaped(qualtricsMsg) }),
    sign: (p, secret) => {
      const { topic: t, msg } = p as { topic: string; msg: unknown };
      return { raw: qualtricsForm(secret, t, msg ?? null), headers: {} };
    },
    fetched: shaped(qualtricsResponse),
  },
  surveymonkey: {
    id: 'sm', payload: jsonPayload(surveyMonkeyEvent), proofHeaders: ['sm-signature'], bodySigned: true, contentTypes: JSON_TYPES,
    sign: (p, secret) => ({ raw: rawOf(p), headers: { 'sm-apikey': SM_API_KEY, 'sm-signature': surveyMonkeySignature(SM_API_KEY, secret, rawOf(p)) } }),
    fetched: shaped(surveyMonkeyDetails),
  },
  generic: {
    id: 'gen', proofHeaders: ['authorization'], bodySigned: false, contentTypes: JSON_TYPES,
    payload: jsonPayload({ ticket: { id: 't-1', rating: 2, text: 'Nobody called back', requester: 'c-9', at: '2026-11-23T10:00:00Z' } }),
    sign: (p, secret) => ({ raw: rawOf(p), headers: { authorization: `Bearer ${secret}` } }),
  },
};

/** Header values as HTTP carries them: visible ASCII and spaces, no line breaks. */
const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });
const extraHeaders = fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,12}$/), headerValue, { maxKeys: 4 });

/**
 * Another character at one position of `s` (a signature or token with one character wrong). Not a change of case:
 * a hex digest in capitals is the same digest.
 */
function mutate(s: string, at: number): string {
  const i = at % Math.max(1, s.length);
  const c = s[i]?.toLowerCase() === '0' ? '1' : '0';
  return s.length === 0 ? '0' : `${s.slice(0, i)}${c}${s.slice(i + 1)}`;
}

/** The body grown past 1 MiB with trailing whitespace (JSON still; a form gets one more field). */
function oversized(raw: Buffer, form: boolean): Buffer {
  const pad = MiB + 1024 - raw.length;
  return Buffer.concat([raw, Buffer.from(form ? `&pad=${'x'.repeat(Math.max(1, pad))}` : ' '.repeat(Math.max(1, pad)))]);
}

function caseOf(kind: SourceKind): fc.Arbitrary<Case> {
  const k = KINDS[kind];
  const proofs: Proof[] = ['signed', 'signed', 'signed', 'missing', 'wrong-secret', 'mutated', 'tampered', ...(kind === 'formbricks' ? ['stale' as const] : [])];
  return fc.record({
    knownSource: fc.oneof({ weight: 30, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    payload: k.payload,
    proof: fc.constantFrom(...proofs),
    contentType: fc.oneof({ weight: 6, arbitrary: fc.constant(k.contentTypes[0]) }, { weight: 4, arbitrary: fc.constantFrom(...k.contentTypes) }),
    gzip: fc.oneof({ weight: 40, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    big: fc.oneof({ weight: 100, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    extra: extraHeaders,
    at: fc.nat(),
    fetched: k.fetched ?? fc.constant(undefined),
  }).map(({ knownSource, payload, proof, contentType: [type, typeOk], gzip, big, extra, at, fetched }): Case => {
    const form = kind === 'qualtrics';
    const now = new Date();
    const signedAt = proof === 'stale' ? new Date(now.getTime() - 6 * 60_000) : now;
    // an oversized JSON body is signed as sent; Qualtrics' HMAC covers MSG only, so its padding is a field of its own
    const content = big && !form ? oversized(rawOf(payload), false) : payload;
    let { raw, headers } = k.sign(content, proof === 'wrong-secret' ? OTHER_SECRET : SECRET, signedAt);
    if (proof === 'missing') {
      headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !k.proofHeaders.includes(name)));
      if (form) raw = withFormField(raw, 'HMAC', undefined);
    }
    if (proof === 'mutated') {
      const name = form ? 'HMAC' : k.proofHeaders[k.proofHeaders.length - 1];
      if (form) raw = withFormField(raw, 'HMAC', mutate(new URLSearchParams(raw.toString('utf8')).get('HMAC') ?? '', at));
      else headers = { ...headers, [name]: mutate(headers[name] ?? '', at) };
    }
    if (proof === 'tampered') {
      // a body changed after it was signed (Qualtrics signs MSG only: MSG changes)
      if (form) raw = withFormField(raw, 'MSG', `${new URLSearchParams(raw.toString('utf8')).get('MSG') ?? ''} `);
      else raw = Buffer.concat([raw, Buffer.from(' ')]);
    }
    if (big && form) raw = oversized(raw, true);
    return {
      knownSource, raw, big, proof, fetched, typeOk: typeOk && !gzip,
      headers: { ...extra, ...headers, ...(type !== undefined && { 'content-type': type }), ...(gzip && { 'content-encoding': 'gzip' }) },
    };
  });
}

function withFormField(raw: Buffer, name: string, value: string | undefined): Buffer {
  const form = new URLSearchParams(raw.toString('utf8'));
  if (value === undefined) form.delete(name);
  else form.set(name, value);
  return Buffer.from(form.toString(), 'utf8');
}

let app: INestApplication;
let port: number;
let dir: string;
let qualtricsApi: SurveyApiStub;
let surveyMonkeyApi: SurveyApiStub;
const agent = new http.Agent({ keepAlive: true, maxSockets: FUZZ_BATCH });

function send(path: string, raw: Buffer, headers: Record<string, string>): Promise<{ status: number; contentType: string; json: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { ...headers, 'content-length': raw.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = { unparsed: text.slice(0, 300) };
        }
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), json });
      });
    });
    // ingest may answer 413 and close before reading all of an oversized body: that answer is what counts
    req.on('error', reject);
    req.end(raw);
  });
}

/** The answer the route's order of checks requires (404 → 415 → 413 → 401), or the answers an authentic delivery may get. */
function expected(kind: SourceKind, c: Case): number[] {
  if (!c.knownSource) return [404];
  if (!c.typeOk) return [415];
  if (c.big) return [413];
  const authentic = c.proof === 'signed' || (c.proof === 'tampered' && !KINDS[kind].bodySigned);
  return authentic ? [202, 200, 422] : [401];
}

/** 202s that are not duplicates: each must be one message on the topic. */
let published = 0;
const database = ingestSchema('fuzz_sources');

beforeAll(async () => {
  [qualtricsApi, surveyMonkeyApi] = await Promise.all([startQualtricsStub({ token: QL_TOKEN }), startSurveyMonkeyStub({ token: SM_TOKEN })]);
  await database.migrate();
  dir = mkdtempSync(join(tmpdir(), 'closeloop-fuzz-sources-'));
  const routing = join(dir, 'closeloop.yaml');
  writeFileSync(routing, `
defaults: { team: cx, alertAt: { nps: 6, csat: 2, ces: 3 } }
teams: [{ id: cx, slackChannel: C0CX, onCall: [], sla: { firstResponse: PT1H, resolve: PT48H } }]
touchpoints: [{ id: checkout, team: cx }]
keywords: { critical: [], alert: [] }
agents: [{ id: ayse, name: Ayse, team: cx }, { id: emre, name: Emre, team: cx, role: ops }]
rootCauses: [other]
sources:
  - { id: qp, kind: questionpro, secretEnv: SOURCE_SECRET, touchpoint: checkout, fields: { score: Q2, comment: Q3 } }
  - { id: tf, kind: typeform, secretEnv: SOURCE_SECRET, touchpoint: checkout, fields: { score: nps_q, comment: why_q, touchpoint: form_response.hidden.touchpoint } }
  - { id: dl, kind: delighted, secretEnv: SOURCE_SECRET, touchpoint: delivery }
  - { id: fb, kind: formbricks, secretEnv: FB_SECRET, touchpoint: app, fields: { score: nps, comment: why } }
  - { id: ql, kind: qualtrics, secretEnv: SOURCE_SECRET, touchpoint: restaurant, fields: { score: QID1, comment: QID2 }, api: { url: "${qualtricsApi.url}", tokenEnv: QL_TOKEN } }
  - { id: sm, kind: surveymonkey, secretEnv: SOURCE_SECRET, touchpoint: support, fields: { score: "222222", comment: "222223" }, api: { url: "${surveyMonkeyApi.url}", tokenEnv: SM_TOKEN } }
  - { id: gen, kind: generic, secretEnv: SOURCE_SECRET, touchpoint: kiosk, metric: csat, fields: { externalId: ticket.id, score: ticket.rating, comment: ticket.text, customerId: ticket.requester, respondedAt: ticket.at } }
`);
  app = await startIngest(loadIngestConfig({
    KAFKA_BROKERS: settings.brokers.join(','), KAFKA_TOPIC_PREFIX: settings.topicPrefix, ...database.env,
    INGEST_API_KEYS: uniqueName('ingest-key'), INGEST_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    CLOSELOOP_CONFIG: routing, SOURCE_SECRET: SECRET, FB_SECRET: whsec(SECRET), QL_TOKEN, SM_TOKEN,
  }));
  port = (app.getHttpServer().address() as AddressInfo).port;
});

afterAll(async () => {
  agent.destroy();
  await app?.close();
  await Promise.all([qualtricsApi?.close(), surveyMonkeyApi?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
  await database.drop();
});

describe('POST /v1/sources/{id} fuzzing (fast-check)', () => {
  it.each(Object.keys(KINDS) as SourceKind[])(`%s: ${NUM_RUNS} generated deliveries: never a 5xx, never a 202 unless authentic`, async (kind) => {
    const k = KINDS[kind];
    const stub = kind === 'qualtrics' ? qualtricsApi : kind === 'surveymonkey' ? surveyMonkeyApi : undefined;
    const seen = new Map<string, number>();
    const deliver = async (c: Case) => {
      // the fetching kinds' API answers this delivery's fetch with the generated response (any path: the ids are generated too)
      stub?.reset();
      stub?.script({ status: 200, body: c.fetched ?? null });
      const res = await send(`/v1/sources/${c.knownSource ? k.id : uniqueName('unknown').toLowerCase()}`, c.raw, c.headers);
      const label = `${c.proof}${c.big ? '+big' : ''}${c.typeOk ? '' : '+badtype'}${c.knownSource ? '' : '+unknown'} → ${res.status}`;
      seen.set(label, (seen.get(label) ?? 0) + 1);
      const allowed = expected(kind, c);
      if (!allowed.includes(res.status)) throw new Error(`${kind} ${label}: expected one of ${allowed.join('/')}: ${JSON.stringify(res.json).slice(0, 400)}`);
      if (res.status >= 400) expect(res.contentType).toMatch(/^application\/problem\+json/);
      if (res.status === 202) {
        expect(res.json).toMatchObject({ feedbackId: expect.any(String), duplicate: expect.any(Boolean) });
        if (!res.json.duplicate) published += 1;
      }
    };
    // the stub answers whichever fetch comes next, so the fetching kinds send one delivery at a time
    const { arbitrary, numRuns } = batches(caseOf(kind), NUM_RUNS, stub ? 1 : FUZZ_BATCH);
    await fc.assert(fc.asyncProperty(arbitrary, (batch) => checkEach(batch, deliver)),
      { numRuns, endOnFailure: true, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) });
    // the generators reached every branch of the route: accepted, refused for each reason
    const statuses = new Set([...seen.keys()].map((l) => Number(l.split(' → ')[1])));
    for (const s of [202, 401, 404, 413, 415, 422]) expect({ kind, status: s, seen: statuses.has(s) }).toEqual({ kind, status: s, seen: true });
  }, 300_000);

  it('every 202 that was not a duplicate is one message on the topic, and nothing else was published', async () => {
    expect(published).toBeGreaterThan(0);
    expect(await messagesOnTopic(kafka, topic)).toBe(published);
  });
});
