/**
 * SPEC §10 through the whole loop: for each survey tool, its documented webhook (services/ingest/src/sources/fixtures,
 * signed the vendor's way) with a detractor score and a comment opens the follow-up ticket the tickets API shows, with
 * the customer, touchpoint, score and comment the payload carries; a resend is `duplicate: true` and leaves one ticket
 * and one alert. ingest, scoring, tickets and notification run as real processes (as `npm start` runs them), Slack is
 * the stub, and Qualtrics' and SurveyMonkey's APIs are the survey-API stubs. What ingest alone answers (401, 404,
 * 415, the Formbricks window, the fetch retries) is services/ingest/test/sources.int-spec.ts's.
 */
import { createHash } from 'node:crypto';
import {
  SlackStub, SurveyApiStub, startQualtricsStub, startSlackStub, startSurveyMonkeyStub, uniqueName, waitFor,
} from '@closeloop/testing';
import { delightedCreated } from '../../services/ingest/src/sources/fixtures/delighted';
import { formbricksFinished, formbricksSecret } from '../../services/ingest/src/sources/fixtures/formbricks';
import { qualtricsMsg, qualtricsResponse, qualtricsTopic } from '../../services/ingest/src/sources/fixtures/qualtrics';
import { questionproResponse } from '../../services/ingest/src/sources/fixtures/questionpro';
import {
  body, delightedSignature, qualtricsForm, standardWebhookHeaders, surveyMonkeySignature, typeformSignature,
} from '../../services/ingest/src/sources/fixtures/sign';
import { surveyMonkeyDetails, surveyMonkeyEvent } from '../../services/ingest/src/sources/fixtures/surveymonkey';
import { typeformEvent } from '../../services/ingest/src/sources/fixtures/typeform';
import { type LoopStack, randomToken, startLoopStack } from './stack';

const run = uniqueName('src');
/** Every customer id of this file is unique to the run: the tickets API is asked about these only. */
const customerOf = (kind: string) => `${run}-${kind}`;
const INGEST_KEY = randomToken('ik_');
const AGENT_TOKEN = randomToken('at_');
const SECRET = {
  QP_SECRET: randomToken('qp_'), TF_SECRET: randomToken('tf_'), DL_SECRET: randomToken('dl_'), FB_SECRET: formbricksSecret,
  QL_SECRET: randomToken('ql_'), SM_SECRET: randomToken('sm_'), GEN_SECRET: randomToken('gen_'),
};
const QL_TOKEN = randomToken('qlt_');
const SM_TOKEN = randomToken('smt_');
const SM_API_KEY = 'sm-app-api-key';

const routing = (qualtricsUrl: string, surveyMonkeyUrl: string) => `
defaults:
  team: cx
  alertAt: { nps: 6, csat: 2, ces: 3 }
teams:
  - id: cx
    slackChannel: C0CX
    onCall: ["+905551112233"]
    sla: { firstResponse: PT1H, resolve: PT48H }
touchpoints:
  - { id: checkout, team: cx }
keywords:
  critical: ["lawyer"]
  alert: ["refund"]
agents:
  - { id: ayse, name: "Ayşe Yılmaz", team: cx, slackUserId: U0AYSE }
rootCauses: [staff-behaviour, wait-time, other]
sources:
  - { id: qp, kind: questionpro, secretEnv: QP_SECRET, touchpoint: checkout, fields: { score: Q2, comment: Q3 } }
  - { id: tf, kind: typeform, secretEnv: TF_SECRET, touchpoint: checkout, fields: { score: nps_q, comment: why_q, touchpoint: form_response.hidden.touchpoint } }
  - { id: dl, kind: delighted, secretEnv: DL_SECRET, touchpoint: delivery }
  - { id: fb, kind: formbricks, secretEnv: FB_SECRET, touchpoint: app, fields: { score: nps, comment: why } }
  - { id: ql, kind: qualtrics, secretEnv: QL_SECRET, touchpoint: restaurant, fields: { score: QID1, comment: QID2 }, api: { url: "${qualtricsUrl}", tokenEnv: QL_TOKEN } }
  - { id: sm, kind: surveymonkey, secretEnv: SM_SECRET, touchpoint: support, fields: { score: "222222", comment: "222223" }, api: { url: "${surveyMonkeyUrl}", tokenEnv: SM_TOKEN } }
  - { id: gen, kind: generic, secretEnv: GEN_SECRET, touchpoint: kiosk, metric: csat, fields: { externalId: ticket.id, score: ticket.rating, comment: ticket.text, customerId: ticket.requester } }
`;

interface Delivery {
  raw: Buffer;
  headers: Record<string, string>;
}
interface Kind {
  kind: string;
  /** The source id of the routing file above. */
  id: string;
  /** The vendor's delivery, signed now (Formbricks' timestamp is part of its signature). */
  signed(): Delivery;
  /** What the ticket must show. */
  want: { customer: string; touchpoint: string; metric: string; score: number; comment: string };
}

const json = (payload: unknown, headers: (raw: Buffer) => Record<string, string>): Delivery => {
  const raw = body(payload);
  return { raw, headers: { 'Content-Type': 'application/json', ...headers(raw) } };
};

/** This run's responses: each fixture with the run's customer id (and Delighted's with a detractor score and a comment). */
const qualtricsAnswers = { ...qualtricsResponse, result: { ...qualtricsResponse.result, values: { ...qualtricsResponse.result.values, recipientEmail: `${customerOf('ql')}@example.com` } } };
const surveyMonkeyAnswers = { ...surveyMonkeyDetails, custom_variables: { customer_id: customerOf('sm') } };
// Standard Webhooks ids are unique per message; a resend carries the same id (and is signed again)
const formbricksMessageId = `msg_${createHash('sha256').update(run).digest('hex').slice(0, 24)}`;

const KINDS: Kind[] = [
  {
    kind: 'questionpro', id: 'qp',
    signed: () => json({ ...questionproResponse, externalReference: customerOf('qp') }, () => ({ Authorization: `Bearer ${SECRET.QP_SECRET}` })),
    want: { customer: customerOf('qp'), touchpoint: 'checkout', metric: 'nps', score: 3, comment: 'Garsonlar çok kaba' },
  },
  {
    kind: 'typeform', id: 'tf',
    signed: () => json(
      { ...typeformEvent, form_response: { ...typeformEvent.form_response, hidden: { customer_id: customerOf('tf'), touchpoint: 'delivery' } } },
      (raw) => ({ 'Typeform-Signature': typeformSignature(SECRET.TF_SECRET, raw) }),
    ),
    want: { customer: customerOf('tf'), touchpoint: 'delivery', metric: 'nps', score: 3, comment: 'The courier was 40 minutes late' },
  },
  {
    kind: 'delighted', id: 'dl',
    signed: () => json(
      { ...delightedCreated, event_data: { ...delightedCreated.event_data, score: 2, comment: 'Two hours late and cold', person: { ...delightedCreated.event_data.person, id: customerOf('dl') } } },
      (raw) => ({ 'X-Delighted-Webhook-Signature': delightedSignature(SECRET.DL_SECRET, raw) }),
    ),
    want: { customer: customerOf('dl'), touchpoint: 'delivery', metric: 'nps', score: 2, comment: 'Two hours late and cold' },
  },
  {
    kind: 'formbricks', id: 'fb',
    signed: () => json(
      { ...formbricksFinished, data: { ...formbricksFinished.data, contact: { id: customerOf('fb'), userId: 'user-7' } } },
      (raw) => standardWebhookHeaders(SECRET.FB_SECRET, raw, formbricksMessageId, new Date()),
    ),
    want: { customer: customerOf('fb'), touchpoint: 'app', metric: 'nps', score: 2, comment: 'Nobody answered the phone' },
  },
  {
    kind: 'qualtrics', id: 'ql',
    signed: () => ({ raw: qualtricsForm(SECRET.QL_SECRET, qualtricsTopic, qualtricsMsg), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
    want: { customer: `${customerOf('ql')}@example.com`, touchpoint: 'restaurant', metric: 'nps', score: 4, comment: 'The food took 40 minutes' },
  },
  {
    kind: 'surveymonkey', id: 'sm',
    signed: () => json(surveyMonkeyEvent, (raw) => ({ 'Sm-Apikey': SM_API_KEY, 'Sm-Signature': surveyMonkeySignature(SM_API_KEY, SECRET.SM_SECRET, raw) })),
    want: { customer: customerOf('sm'), touchpoint: 'support', metric: 'nps', score: 2, comment: 'Rude staff' },
  },
  {
    kind: 'generic', id: 'gen',
    signed: () => json({ ticket: { id: `${run}-t1`, rating: 1, text: 'Nobody called back', requester: customerOf('gen') } }, () => ({ Authorization: `Bearer ${SECRET.GEN_SECRET}` })),
    want: { customer: customerOf('gen'), touchpoint: 'kiosk', metric: 'csat', score: 1, comment: 'Nobody called back' },
  },
];

let slack: SlackStub;
let qualtricsApi: SurveyApiStub;
let surveyMonkeyApi: SurveyApiStub;
let stackHandle: LoopStack;

async function deliver(id: string, d: Delivery): Promise<{ status: number; json: any }> {
  const r = await fetch(`${stackHandle.url('ingest')}/v1/sources/${id}`, { method: 'POST', headers: d.headers, body: d.raw });
  return { status: r.status, json: await r.json() };
}

async function ticketsOf(customer: string): Promise<any[]> {
  const r = await fetch(`${stackHandle.url('tickets')}/v1/tickets?customer=${encodeURIComponent(customer)}`, { headers: { Authorization: `Bearer ${AGENT_TOKEN}` } });
  expect(r.status).toBe(200);
  return ((await r.json()) as { items: any[] }).items;
}

async function ticket(id: string): Promise<any> {
  const r = await fetch(`${stackHandle.url('tickets')}/v1/tickets/${id}`, { headers: { Authorization: `Bearer ${AGENT_TOKEN}` } });
  return r.json();
}

const topLevelPostsFor = (ticketId: string) => slack.calls('chat.postMessage').filter((r) => !r.form.thread_ts && JSON.stringify(r.form.blocks ?? []).includes(ticketId));

const quiet = () => stackHandle.quiet({ slack: () => slack.requests.length });

beforeAll(async () => {
  [slack, qualtricsApi, surveyMonkeyApi] = await Promise.all([
    startSlackStub({ token: 'xoxb-e2e' }), startQualtricsStub({ token: QL_TOKEN }), startSurveyMonkeyStub({ token: SM_TOKEN }),
  ]);
  qualtricsApi.respond(qualtricsMsg.SurveyID, qualtricsMsg.ResponseID, qualtricsAnswers);
  surveyMonkeyApi.respond(surveyMonkeyEvent.resources.survey_id, surveyMonkeyEvent.object_id, surveyMonkeyAnswers);
  // DATABASE_URL goes to every service, ingest included (it keeps delivery records once it has a schema)
  stackHandle = await startLoopStack({
    run, routing: routing(qualtricsApi.url, surveyMonkeyApi.url),
    env: { INGEST_API_KEYS: INGEST_KEY, API_TOKENS: `ayse:${AGENT_TOKEN}`, SLACK_API_URL: slack.url, ...SECRET, QL_TOKEN, SM_TOKEN },
  });
}, 180_000);

afterAll(async () => {
  await stackHandle?.close();
  await Promise.all([slack?.close(), qualtricsApi?.close(), surveyMonkeyApi?.close()]);
});

describe('a survey tool\'s signed webhook, through the whole loop', () => {
  const opened = new Map<string, { ticketId: string; feedbackId: string }>();

  it.each(KINDS.map((k) => [k.kind, k] as const))('%s: a detractor\'s response opens the ticket with its customer, touchpoint, score and comment', async (_, k) => {
    const res = await deliver(k.id, k.signed());
    expect(res).toEqual({ status: 202, json: expect.objectContaining({ feedbackId: expect.any(String), duplicate: false }) });
    const [t, ...more] = await waitFor(async () => {
      const items = await ticketsOf(k.want.customer);
      return items.length ? items : undefined;
    }, { what: `the ticket of ${k.want.customer}`, timeoutMs: 30_000 }) as any[];
    expect(more).toEqual([]);
    expect(t).toMatchObject({
      status: 'open', customer: expect.objectContaining({ id: k.want.customer }), touchpoint: k.want.touchpoint,
      metric: k.want.metric, score: k.want.score, comment: k.want.comment, feedbackCount: 1,
    });
    const { feedback } = await ticket(t.id);
    expect(feedback).toEqual([expect.objectContaining({ feedbackId: res.json.feedbackId, source: k.id, score: k.want.score, comment: k.want.comment })]);
    opened.set(k.kind, { ticketId: t.id, feedbackId: res.json.feedbackId });
  });

  it.each(KINDS.map((k) => [k.kind, k] as const))('%s: the same delivery again is duplicate: true', async (_, k) => {
    const res = await deliver(k.id, k.signed());
    expect(res).toEqual({ status: 202, json: expect.objectContaining({ feedbackId: opened.get(k.kind)?.feedbackId, duplicate: true }) });
  });

  it('after the resends, every response still has one ticket with one feedback and one top-level Slack alert', async () => {
    expect([...opened.keys()].sort()).toEqual(KINDS.map((k) => k.kind).sort());
    // every alert is out (one per second on the channel) and nothing else is on its way; then the counts are final
    await waitFor(() => [...opened.values()].every((o) => topLevelPostsFor(o.ticketId).length >= 1), { what: 'an alert per ticket', timeoutMs: 60_000 });
    await quiet();
    for (const k of KINDS) {
      const items = await ticketsOf(k.want.customer);
      expect(items.map((i) => ({ kind: k.kind, id: i.id, feedbackCount: i.feedbackCount })))
        .toEqual([{ kind: k.kind, id: opened.get(k.kind)?.ticketId, feedbackCount: 1 }]);
      expect({ kind: k.kind, alerts: topLevelPostsFor(items[0].id).length }).toEqual({ kind: k.kind, alerts: 1 });
    }
    // the fetching kinds asked their API once per delivery, with their token
    expect(qualtricsApi.requests.map((r) => [r.responseId, r.status, r.headers['x-api-token']])).toEqual([
      [qualtricsMsg.ResponseID, 200, QL_TOKEN], [qualtricsMsg.ResponseID, 200, QL_TOKEN],
    ]);
    expect(surveyMonkeyApi.requests.map((r) => [r.responseId, r.status, r.headers.authorization])).toEqual([
      [surveyMonkeyEvent.object_id, 200, `Bearer ${SM_TOKEN}`], [surveyMonkeyEvent.object_id, 200, `Bearer ${SM_TOKEN}`],
    ]);
  });
});
