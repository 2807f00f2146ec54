// Properties every connector keeps, over 2,000 generated cases per kind and property: the mapper never throws on any
// JSON (an answer of `ignored` or `unmappable` instead, never a 5xx), what it calls feedback is what `POST /v1/feedback`
// accepts, and the authenticity check accepts a body only when it was signed with the secret.
import fc from 'fast-check';
import type { Source, SourceKind } from '@closeloop/contracts';
import { validateFeedback } from '../feedback/feedback-validation';
import { delightedCreated } from './fixtures/delighted';
import { formbricksFinished } from './fixtures/formbricks';
import { qualtricsMsg, qualtricsResponse, qualtricsTopic } from './fixtures/qualtrics';
import { shaped } from './fixtures/shaped';
import { questionproResponse } from './fixtures/questionpro';
import {
  body, delightedSignature, qualtricsForm, sourceOf, standardWebhookHeaders, surveyMonkeySignature, typeformSignature,
} from './fixtures/sign';
import { surveyMonkeyDetails, surveyMonkeyEvent } from './fixtures/surveymonkey';
import { typeformEvent } from './fixtures/typeform';
import { CONNECTORS } from './index';
import type { Headers, MapResult } from './source';

const RUNS = { numRuns: 2_000 };
const now = new Date('2026-11-23T10:00:00Z');
const ctx = { receivedAt: now, token: 'api-token' };
const api = { url: 'https://api.example.com', tokenEnv: 'TOKEN' };

interface Case {
  source: Source;
  /** A documented payload (as `parse` returns it) the generators mutate. */
  payload: unknown;
  fetched?: unknown;
  /** The delivery as the vendor would sign `payload` with `secret`. */
  sign(secret: string, payload: unknown): { raw: Buffer; headers: Headers };
  /** The header names the check reads, for forged deliveries. */
  headerNames: string[];
  /** False for the bearer-token kinds: the vendor signs nothing, so only the token is checked, not the body. */
  bodySigned: boolean;
  /** The secret as the source's variable holds it (Formbricks: `whsec_` + base64). */
  asConfigured?: (secret: string) => string;
}

const SM_KEY = 'sm-client-id';
const CASES: Record<SourceKind, Case> = {
  questionpro: {
    source: sourceOf('questionpro', { fields: { score: 'Q2', comment: 'Q3', touchpoint: 'customVariables.custom2' } }),
    payload: questionproResponse,
    sign: (secret, p) => ({ raw: body(p), headers: { authorization: `Bearer ${secret}` } }),
    headerNames: ['authorization'],
    bodySigned: false,
  },
  typeform: {
    source: sourceOf('typeform', { fields: { score: 'nps_q', comment: 'why_q', customerId: 'form_response.hidden.customer_id' } }),
    payload: typeformEvent,
    sign: (secret, p) => ({ raw: body(p), headers: { 'typeform-signature': typeformSignature(secret, body(p)) } }),
    headerNames: ['typeform-signature'],
    bodySigned: true,
  },
  delighted: {
    source: sourceOf('delighted'),
    payload: delightedCreated,
    sign: (secret, p) => ({ raw: body(p), headers: { 'x-delighted-webhook-signature': delightedSignature(secret, body(p)) } }),
    headerNames: ['x-delighted-webhook-signature'],
    bodySigned: true,
  },
  formbricks: {
    source: sourceOf('formbricks', { fields: { score: 'nps', comment: 'why' } }),
    payload: formbricksFinished,
    sign: (secret, p) => ({ raw: body(p), headers: standardWebhookHeaders(whsec(secret), body(p), 'msg_1', now) }),
    asConfigured: (secret) => whsec(secret),
    headerNames: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
    bodySigned: true,
  },
  qualtrics: {
    source: sourceOf('qualtrics', { fields: { score: 'QID1', comment: 'QID2' }, api }),
    payload: { Topic: qualtricsTopic, MSG: JSON.stringify(qualtricsMsg) },
    fetched: qualtricsResponse,
    sign: (secret, p) => ({ raw: qualtricsNotification(secret, p), headers: {} }),
    headerNames: [],
    bodySigned: true,
  },
  surveymonkey: {
    source: sourceOf('surveymonkey', { fields: { score: '222222', comment: '222223' }, api }),
    payload: surveyMonkeyEvent,
    fetched: surveyMonkeyDetails,
    sign: (secret, p) => ({ raw: body(p), headers: { 'sm-apikey': SM_KEY, 'sm-signature': surveyMonkeySignature(SM_KEY, secret, body(p)) } }),
    headerNames: ['sm-apikey', 'sm-signature'],
    bodySigned: true,
  },
  generic: {
    source: sourceOf('generic', { fields: { externalId: 'id', score: 'answers.ltr', comment: 'answers.why', customerId: 'customer', respondedAt: 'at' } }),
    payload: { id: 'r-1', customer: 'c-1', at: '2026-11-23T09:59:00Z', answers: { ltr: 3, why: 'slow' } },
    sign: (secret, p) => ({ raw: body(p), headers: { authorization: `Bearer ${secret}` } }),
    headerNames: ['authorization'],
    bodySigned: false,
  },
};

function whsec(secret: string): string {
  return `whsec_${Buffer.from(secret).toString('base64')}`;
}

/** Qualtrics signs `MSG` only, inside the form; a generated notification keeps whatever Topic and MSG it has. */
function qualtricsNotification(secret: string, p: unknown): Buffer {
  const form = p !== null && typeof p === 'object' && !Array.isArray(p) ? (p as Record<string, unknown>) : {};
  const msg: unknown = typeof form.MSG === 'string' ? safeParse(form.MSG) : form.MSG;
  return qualtricsForm(secret, typeof form.Topic === 'string' ? form.Topic : qualtricsTopic, msg ?? null);
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** The bytes a kind's signature covers: the raw body, or for Qualtrics the `MSG` field. */
function signedContent(kind: SourceKind, raw: Buffer): string {
  return kind === 'qualtrics' ? new URLSearchParams(raw.toString('utf8')).get('MSG') ?? '' : raw.toString('latin1');
}

/** `forged` carrying the signature that came with `signed` (headers, or Qualtrics' HMAC field). */
function withSignatureOf(kind: SourceKind, signed: { raw: Buffer; headers: Headers }, forged: { raw: Buffer }): { raw: Buffer; headers: Headers } {
  if (kind !== 'qualtrics') return { raw: forged.raw, headers: signed.headers };
  const form = new URLSearchParams(forged.raw.toString('utf8'));
  form.set('HMAC', new URLSearchParams(signed.raw.toString('utf8')).get('HMAC') ?? '');
  return { raw: Buffer.from(form.toString(), 'utf8'), headers: {} };
}

function expectAnAnswer(r: MapResult | undefined): void {
  expect(['feedback', 'ignored', 'unmappable', 'fetch']).toContain(r?.outcome);
  if (r?.outcome === 'feedback') expect(validateFeedback(r.feedback).ok).toBe(true);
  if (r?.outcome === 'unmappable') expect(r.errors.length).toBeGreaterThan(0);
}

const secretArb = fc.stringMatching(/^[A-Za-z0-9_-]{8,40}$/);

describe.each(Object.keys(CONNECTORS) as SourceKind[])('%s: properties', (kind) => {
  const connector = CONNECTORS[kind];
  const c = CASES[kind];
  const configured = c.asConfigured ?? ((secret: string) => secret);

  it('the documented payload, signed with the secret, is authentic and maps (sanity for the properties below)', () => {
    const { raw, headers } = c.sign('the-secret-0', c.payload);
    expect(connector.verify({ raw, headers, secret: configured('the-secret-0'), now })).toBe(true);
    const first = connector.map(connector.parse(raw), c.source, ctx);
    const r = first.outcome === 'fetch' ? connector.mapFetched?.(c.payload, c.fetched, c.source, ctx) : first;
    expect(r?.outcome).toBe('feedback');
  });

  it('map never throws on any payload and always answers feedback the API accepts, ignored, unmappable or fetch', () => {
    fc.assert(fc.property(shaped(c.payload), fc.constantFrom<Source['metric']>('nps', 'csat', 'ces'), (payload, metric) => {
      expectAnAnswer(connector.map(payload, { ...c.source, metric }, ctx));
    }), RUNS);
  });

  if (connector.mapFetched && c.fetched !== undefined) {
    it('mapFetched never throws on any API answer', () => {
      fc.assert(fc.property(shaped(c.payload), shaped(c.fetched), (payload, fetched) => {
        expectAnAnswer(connector.mapFetched?.(payload, fetched, c.source, ctx));
      }), RUNS);
    });
  }

  it('parse and verify never throw on any bytes and headers, and never accept them unsigned', () => {
    const headerValue = fc.oneof(fc.string(), fc.string().map((s) => `Bearer ${s}`), fc.string().map((s) => `sha256=${s}`), fc.string().map((s) => `v1,${s}`));
    const headers = fc.dictionary(fc.constantFrom(...c.headerNames, 'x-other'), headerValue);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), headers, secretArb, (bytes, h, secret) => {
      const raw = Buffer.from(bytes);
      connector.parse(raw);
      expect(connector.verify({ raw, headers: h, secret: configured(secret), now })).toBe(false);
    }), RUNS);
  });

  it('never accepts a delivery signed with another secret', () => {
    fc.assert(fc.property(shaped(c.payload), secretArb, secretArb, (payload, signedWith, secret) => {
      expect(connector.verify({ ...c.sign(signedWith, payload), secret: configured(secret), now })).toBe(signedWith === secret);
    }), RUNS);
  });

  if (c.bodySigned) {
    it('never accepts the signature of one body on another', () => {
      fc.assert(fc.property(shaped(c.payload), shaped(c.payload), secretArb, (payload, other, secret) => {
        const signed = c.sign(secret, payload);
        const forged = withSignatureOf(kind, signed, c.sign(secret, other));
        const same = signedContent(kind, forged.raw) === signedContent(kind, signed.raw);
        expect(connector.verify({ ...forged, secret: configured(secret), now })).toBe(same);
      }), RUNS);
    });
  }
});
