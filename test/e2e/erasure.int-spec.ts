/**
 * SPEC §13 erasure, end to end: a customer with a name, email, phone and comments in Turkish and Chinese gets tickets,
 * Slack alerts and thread replies, on-call SMS, a team email, a customer SMS (and answers it), and a kept source
 * payload (QuestionPro's webhook); an admin erases them (POST /v1/customers/:id/erase) and every store of
 * GET /v1/erasures/:id reaches `done`. Then nothing Closeloop wrote holds them readable: no row of any schema, no
 * event on any topic or dead-letter topic (read from the beginning, opened with the run's keys), no Slack message as it
 * stands after the redaction, no Twilio message record (each DELETEd), no line of the services' logs; and the report's
 * counts are what they were. The four services run as real processes, Slack/Twilio/SMTP are the stubs.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ALL_TOPICS, ERASURE_STORES, dlqTopicOf, personalFieldsOf } from '@closeloop/contracts';
import {
  SlackStub, SmtpStub, TwilioStub, openedEvents, readTopic, messagesOnTopic, signTwilioCallback, startSlackStub, startSmtpStub, startTwilioStub,
  testKafka, uniqueName, waitFor,
} from '@closeloop/testing';
import { questionproResponse } from '../../services/ingest/src/sources/fixtures/questionpro';
import { TWILIO_INBOUND_SMS } from '../../services/notification/src/outreach/fixtures/twilio-inbound-sms';
import { type LoopStack, randomToken, startLoopStack, twilioCredentials, vendorStubEnv } from './stack';

const TWILIO = twilioCredentials();
const INGEST_KEY = randomToken('ik_');
const QP_SECRET = randomToken('qp_');
const AGENT_TOKEN = randomToken('at_');
const ADMIN_TOKEN = randomToken('ad_');
const ON_CALL = '+905551112299';

const routing = `
defaults:
  team: cx
  alertAt: { nps: 6, csat: 2, ces: 3 }
teams:
  - id: cx
    slackChannel: C0CX
    onCall: ["${ON_CALL}"]
    sla: { firstResponse: PT1H, resolve: PT48H }
    email: ["cx-leads@example.com"]
    locale: tr
touchpoints:
  - { id: checkout, team: cx }
  - { id: dine-in, team: cx }
keywords:
  critical: ["avukat"]
  alert: ["退款"]
agents:
  - { id: ayse, name: "Ayşe Yılmaz", team: cx, slackUserId: U0AYSE }
  - { id: ada, name: "Ada Lovelace", team: cx, role: admin }
rootCauses: [staff-behaviour, other]
sources:
  - { id: qp, kind: questionpro, secretEnv: QP_SECRET, touchpoint: dine-in, fields: { score: Q2, comment: Q3 } }
templates:
  apology:
    en: { sms: "Hi {{customer.name}}, this is {{agent.name}}. We are sorry. (Ref {{ticket.id}})" }
    tr: { sms: "Merhaba {{customer.name}}, ben {{agent.name}}. Çok üzgünüz. (Ref: {{ticket.id}})" }
`;

let slack: SlackStub;
let twilio: TwilioStub;
let smtp: SmtpStub;
let stackHandle: LoopStack;
const run = uniqueName('erase');
const serviceLogs: string[] = [];
const prefix = () => stackHandle.prefix;

/** One customer of this file: every string of theirs that must be gone after the erasure. */
function person(tag: string, first: string, last: string, phone: string, dish: string, dishZh: string) {
  const id = `${run}-${tag}`;
  return {
    id, phone, first, last, dish, dishZh,
    name: `${first} ${last}`,
    email: `${tag}.${run}@example.com`,
    turkish: `${dish} soğuktu, garson çok kabaydı, avukatımla görüşeceğim`,
    chinese: `${dishZh}是冷的，服务员很粗鲁，我要退款`,
    sourceComment: `${dish} tatlısı bayattı, 甜点不新鲜`,
    reply: `${dish} için hâlâ bekliyorum`,
  };
}
type Person = ReturnType<typeof person>;
/**
 * Their strings, and the pieces a copy could hold on its own (a first name in a greeting, a comment cut short: each of
 * their comments starts with a word of their own). A masked phone (+90555***0022) keeps its last digits on purpose.
 */
const stringsOf = (p: Person) => [p.name, p.first, p.last, p.email, p.phone, p.phone.slice(1), p.turkish, p.chinese, p.sourceComment, p.reply, p.dish, p.dishZh];

async function submit(p: Person, patch: Record<string, unknown>) {
  const r = await fetch(`${stackHandle.url('ingest')}/v1/feedback`, {
    method: 'POST', headers: { Authorization: `Bearer ${INGEST_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      source: 'e2e', externalId: `${run}-${randomBytes(4).toString('hex')}`, touchpoint: 'checkout', channel: 'web', metric: 'nps', score: 2,
      customer: { id: p.id, name: p.name, email: p.email, phone: p.phone, locale: 'tr' }, respondedAt: new Date().toISOString(), ...patch,
    }),
  });
  expect(r.status).toBe(202);
}

async function api(method: string, path: string, body?: unknown, token = AGENT_TOKEN, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const r = await fetch(`${stackHandle.url('tickets')}${path}`, {
    method, headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers }, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

const ticketsOf = async (p: Person) => (await api('GET', `/v1/tickets?customer=${encodeURIComponent(p.id)}`)).json.items as any[];

const quiet = () => stackHandle.quiet({ slack: () => slack.requests.length, twilio: () => twilio.requests.length, smtp: () => smtp.messages.length });

/**
 * QuestionPro posts the customer's answer (its documented webhook body; the fixture cites the page) without the score
 * question the source maps: authentic but not feedback, so ingest keeps the payload for replay (422) under their id.
 */
async function answerInQuestionPro(p: Person) {
  const payload = {
    ...questionproResponse, responseID: Math.floor(Math.random() * 1e9), externalReference: p.id,
    responseSet: questionproResponse.responseSet.filter((q) => q.questionCode !== 'Q2').map((q) => (q.questionCode === 'Q3'
      ? { ...q, answerValues: q.answerValues.map((a) => ({ ...a, value: { ...a.value, text: p.sourceComment } })) } : q)),
  };
  const r = await fetch(`${stackHandle.url('ingest')}/v1/sources/qp`, {
    method: 'POST', headers: { Authorization: `Bearer ${QP_SECRET}`, 'Content-Type': 'application/json' }, body: JSON.stringify(payload),
  });
  expect(r.status).toBe(422);
}

/** The customer texts back (Twilio's signed inbound webhook; fixture in services/notification/src/outreach/fixtures). */
async function replyBySms(p: Person) {
  const url = `${stackHandle.url('notification')}/twilio/inbound`;
  const record = twilio.receive({ from: p.phone, to: '+15005550006', body: p.reply }); // Twilio keeps a record of an inbound SMS too
  const params = { ...TWILIO_INBOUND_SMS, AccountSid: TWILIO.accountSid, From: p.phone, To: '+15005550006', Body: p.reply, MessageSid: record.sid, SmsSid: record.sid, SmsMessageSid: record.sid };
  const r = await fetch(url, {
    method: 'POST', body: new URLSearchParams(params).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signTwilioCallback(TWILIO.authToken, url, params) },
  });
  expect(r.status).toBe(200);
}

/**
 * Everything a detractor leaves behind: a Turkish comment with a critical word (ticket, alert, on-call SMS, team email),
 * a Chinese one with an alert word (attached: the alert updated, a thread reply), a QuestionPro answer ingest keeps,
 * an agent's apology SMS to them and their SMS answer.
 */
async function leaveTraces(p: Person): Promise<string> {
  await submit(p, { comment: p.turkish });
  const [t] = await waitFor(async () => { const items = await ticketsOf(p); return items.length ? items : undefined; }, { what: `the ticket of ${p.id}`, timeoutMs: 30_000 }) as any[];
  await submit(p, { comment: p.chinese, metric: 'csat', score: 1 });
  await answerInQuestionPro(p);
  await waitFor(async () => (await api('GET', `/v1/tickets/${t.id}`)).json.feedback?.length >= 2, { what: `both feedbacks on ${t.id}`, timeoutMs: 30_000 });
  const sent = await api('POST', `/v1/tickets/${t.id}/messages`, { channel: 'sms', template: 'apology' }, AGENT_TOKEN, { 'Idempotency-Key': `${run}-${p.id}` });
  expect(sent.status).toBe(202);
  await waitFor(() => twilio.messages.some((m) => m.to === p.phone), { what: `the apology to ${p.id}`, timeoutMs: 30_000 });
  await replyBySms(p);
  await waitFor(async () => ((await api('GET', `/v1/tickets/${t.id}`)).json.timeline as any[]).some((e) => JSON.stringify(e).includes(p.reply)), { what: 'the reply on the timeline', timeoutMs: 30_000 });
  await quiet();
  // the traces are really there before the erasure (else the checks after it would prove nothing)
  const slackText = JSON.stringify(latestSlack());
  for (const s of [p.name, p.chinese]) expect(slackText).toContain(s);
  expect(twilio.messages.filter((m) => m.to === ON_CALL && m.body.includes(p.name)).length).toBeGreaterThan(0);
  expect(smtp.messages.some((m) => m.text.includes(t.id))).toBe(true);
  return t.id;
}

async function erase(p: Person): Promise<string> {
  const r = await api('POST', `/v1/customers/${encodeURIComponent(p.id)}/erase`, undefined, ADMIN_TOKEN);
  expect(r.status).toBe(202);
  expect(r.json.erasureId).toEqual(expect.any(String));
  return r.json.erasureId;
}

async function erasureDone(erasureId: string, timeoutMs = 90_000) {
  return waitFor(async () => {
    const r = await api('GET', `/v1/erasures/${erasureId}`, undefined, ADMIN_TOKEN);
    expect(r.status).toBe(200);
    if (r.json.status === 'failed') throw new Error(`erasure failed: ${JSON.stringify(r.json.stores)}`);
    return r.json.status === 'done' ? r.json : undefined;
  }, { what: `erasure ${erasureId} done`, timeoutMs, intervalMs: 250 });
}

/** Every row of every table of every schema, as text (what a dump of the database holds). */
async function everyRow(): Promise<string> {
  const c = new Client({ connectionString: stackHandle.db.url });
  await c.connect();
  try {
    const { rows: tables } = await c.query(
      `SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    expect(tables.map((t) => t.table_schema)).toEqual(expect.arrayContaining(['ingest', 'scoring', 'tickets', 'notification', 'privacy']));
    const out: string[] = [];
    for (const t of tables) {
      // bytea (a kept payload's body) read as the UTF-8 it holds, not as hex: else a copy in it could never be found
      const { rows } = await c.query(`SELECT * FROM "${t.table_schema}"."${t.table_name}"`);
      const asText = (v: unknown) => (Buffer.isBuffer(v) ? v.toString('utf8') : v);
      out.push(...rows.map((r) => `${t.table_schema}.${t.table_name}: ${JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, asText(v)])))}`));
    }
    return out.join('\n');
  } finally {
    await c.end();
  }
}

/** Every event on every topic and dead-letter topic, from the beginning: as stored, and as a consumer opens it now. */
async function everyEvent(): Promise<string> {
  const kafka = testKafka();
  const out: string[] = [];
  for (const topic of ALL_TOPICS) {
    for (const name of [topic, dlqTopicOf(topic)]) {
      const count = await messagesOnTopic(kafka, `${prefix()}${name}`);
      if (!count) continue;
      const messages = await readTopic(kafka, `${prefix()}${name}`, { minCount: count });
      out.push(...messages.map((m) => `${m.key} ${m.value}`));
      if (name === topic && personalFieldsOf(topic)) {
        out.push(...(await openedEvents(topic, messages.map((m) => m.value), { databaseUrl: stackHandle.db.url })).map((e) => JSON.stringify(e)));
      }
    }
  }
  return out.join('\n');
}

function expectNone(where: string, text: string, p: Person) {
  const found = stringsOf(p).filter((s) => text.includes(s));
  expect({ where, found }).toEqual({ where, found: [] });
}

/** The report over one fixed window around this run (the same question before and after the erasure). */
const REPORT_WINDOW = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() };
async function summary() {
  const { from, to } = REPORT_WINDOW;
  const r = await api('GET', `/v1/reports/summary?team=cx&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, undefined, ADMIN_TOKEN);
  expect(r.status).toBe(200);
  return r.json;
}

/** The alert of a ticket and its thread replies (the feedback attached, the SMS sent, the customer's answer). */
function threadOf(ticketId: string) {
  const alert = slack.messages().find((m) => !m.thread_ts && JSON.stringify(m.metadata ?? {}).includes(ticketId));
  return slack.messages().filter((m) => alert && (m.ts === alert.ts || m.thread_ts === alert.ts));
}

/** Every Slack message as it stands now (its latest version: what a member of the channel reads), threads included. */
const latestSlack = () => slack.messages().map(({ versions: _history, ...latest }) => latest);

/** The Twilio message records about the customer: SMS to them, and on-call SMS that quote them. */
const twilioRecordsOf = (p: Person) => twilio.messages.filter((m) => m.to === p.phone || m.from === p.phone || stringsOf(p).some((s) => m.body.includes(s))).map((m) => m.sid);
const deletedSids = () => new Set(twilio.requests.filter((r) => r.method === 'DELETE').map((r) => /\/Messages\/([^/.]+)\.json$/.exec(r.path)?.[1]));

beforeAll(async () => {
  slack = await startSlackStub({ token: 'xoxb-e2e' });
  twilio = await startTwilioStub(TWILIO);
  smtp = await startSmtpStub();
  stackHandle = await startLoopStack({
    run, routing, logLevel: 'info', onLog: (l) => serviceLogs.push(l),
    env: {
      INGEST_API_KEYS: INGEST_KEY,
      QP_SECRET,
      API_TOKENS: `ayse:${AGENT_TOKEN},ada:${ADMIN_TOKEN}`,
      ...vendorStubEnv({ slackUrl: slack.url, twilioUrl: twilio.url, twilio: TWILIO, smtpUrl: smtp.url }),
      CLOSELOOP_KEY_CACHE_MS: '1000',
      // a Slack call times out after 3 s (default 10 s), so a killed notification's redaction lease (3 × this) ends
      // after 9 s, not 30 s; the SIGKILL case checks that its hanging chat.update is still in flight when it dies
      PROVIDER_TIMEOUT_MS: '3000',
    },
  });
}, 180_000);

afterAll(async () => {
  await stackHandle?.close();
  await slack?.close();
  await twilio?.close();
  await smtp?.close();
});

describe('SPEC §13: erasing a customer everywhere', () => {
  it('only an admin may erase; a bad id is a 400 naming the field', async () => {
    expect((await api('POST', `/v1/customers/${run}-nobody/erase`)).status).toBe(403);
    expect((await fetch(`${stackHandle.url('tickets')}/v1/customers/${run}-nobody/erase`, { method: 'POST' })).status).toBe(401);
    const tooLong = await api('POST', `/v1/customers/${'x'.repeat(300)}/erase`, undefined, ADMIN_TOKEN);
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(tooLong.json)).toContain('id');
    expect((await api('GET', `/v1/erasures/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, undefined, ADMIN_TOKEN)).status).toBe(404);
  });

  it('every store reaches done, and nothing Closeloop wrote holds the customer readable; the report still adds up', async () => {
    const elif = person('a', 'Elif', 'Şahin', '+905557770022', 'Mantı', '饺子');
    const other = person('b', 'Burak', 'Çelikkaya', '+905557770033', 'Lahmacun', '拉面');
    const ticketId = await leaveTraces(elif);
    const otherTicket = await leaveTraces(other);
    const before = await summary();
    const records = twilioRecordsOf(elif);
    expect(records.length).toBeGreaterThanOrEqual(3); // the on-call SMS, the apology, her answer
    // each check below can fail: before the erasure, the database and the topics (opened) hold her words
    const rowsBefore = await everyRow();
    for (const text of [elif.name, elif.email, elif.turkish, elif.chinese, elif.sourceComment, elif.reply]) expect(rowsBefore).toContain(text);
    const eventsBefore = await everyEvent();
    for (const text of [elif.name, elif.email, elif.phone, elif.turkish, elif.chinese]) expect(eventsBefore).toContain(text);

    const erasureId = await erase(elif);
    expect((await api('POST', `/v1/customers/${encodeURIComponent(elif.id)}/erase`, undefined, ADMIN_TOKEN)).json.erasureId).toBe(erasureId); // asked twice: one erasure
    const done = await erasureDone(erasureId);
    expect(Object.fromEntries(Object.entries(done.stores).map(([s, v]: [string, any]) => [s, v.status]))).toEqual(Object.fromEntries(ERASURE_STORES.map((s) => [s, 'done'])));
    await quiet();

    expectNone('Postgres', await everyRow(), elif);
    expectNone('Kafka', await everyEvent(), elif);
    expect(threadOf(ticketId).map((m) => m.edits > 0)).toEqual([true, true, true, true]); // the alert and its three replies, each redacted
    expectNone('Slack', JSON.stringify(latestSlack()), elif);
    const deleted = deletedSids();
    expect(records.filter((sid) => !deleted.has(sid))).toEqual([]);
    expect(twilioRecordsOf(elif)).toEqual([]); // and Twilio holds none of them any more
    expectNone('the services\' logs', serviceLogs.join('\n'), elif);

    // the ticket is still there, counted, and reads erased; the other customer is untouched
    const after = await api('GET', `/v1/tickets/${ticketId}`);
    expect(after.status).toBe(200);
    expect(after.json.ticket).toMatchObject({ customerErased: true, customer: { id: elif.id } });
    expectNone('the tickets API', JSON.stringify(after.json), elif);
    expect(await summary()).toEqual(before);
    const kept = await api('GET', `/v1/tickets/${otherTicket}`);
    expect(kept.json.ticket).toMatchObject({ customerErased: false, customer: { name: other.name } });
    for (const text of [other.turkish, other.chinese, other.reply]) expect(JSON.stringify(kept.json)).toContain(text);
    expect(JSON.stringify(latestSlack())).toContain(other.chinese);
    expect(twilioRecordsOf(other).filter((sid) => deleted.has(sid))).toEqual([]);
  });

  it('with notification SIGKILLed in the middle of the Slack redactions, the erasure reaches done after its restart', async () => {
    const can = person('c', 'Cansu', 'Öztürkmen', '+905557770044', 'Börek', '包子');
    const ticketId = await leaveTraces(can);
    const records = twilioRecordsOf(can);
    const updatesBefore = slack.calls('chat.update').length;
    slack.script('chat.update', { hang: true }); // the first redaction never gets an answer: notification is mid-erasure when it dies
    const erasureId = await erase(can);
    await waitFor(() => slack.calls('chat.update').length > updatesBefore, { what: 'the first redaction under way', timeoutMs: 60_000 });
    const mid = (await api('GET', `/v1/erasures/${erasureId}`, undefined, ADMIN_TOKEN)).json;
    expect(mid.status).toBe('pending');
    expect(mid.stores.slack.status).toBe('pending');
    // still waiting for Slack's answer (its PROVIDER_TIMEOUT_MS has not given up on it): killed mid-call
    expect(slack.unanswered('chat.update')).toBe(1);
    await stackHandle.handles.notification.kill();
    await stackHandle.restart('notification');

    await erasureDone(erasureId);
    await quiet();
    expect(threadOf(ticketId).map((m) => m.edits > 0)).toEqual([true, true, true, true]);
    expectNone('Slack', JSON.stringify(latestSlack()), can);
    const deleted = deletedSids();
    expect(records.filter((sid) => !deleted.has(sid))).toEqual([]);
    expect(twilioRecordsOf(can)).toEqual([]);
    expectNone('Postgres', await everyRow(), can);
    expectNone('the services\' logs', serviceLogs.join('\n'), can);
  });
});
