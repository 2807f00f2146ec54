/**
 * The closed loop, end to end: ingest → scoring → tickets → notification over real Kafka and Postgres, the four
 * services as real processes (as `npm start` runs them), the real @slack/web-api and twilio SDKs against stub servers.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { ALL_TOPICS, Topic, dlqTopicOf, feedbackIdFor } from '@closeloop/contracts';
import { ERASED } from '@closeloop/platform';
import {
  SlackStub, SmtpStub, TwilioStub, messagesOnTopic, openedEvents, readTopic, signTwilioCallback, startSlackStub, startSmtpStub, startTwilioStub,
  testKafka, testKeyStore, uniqueName, waitFor,
} from '@closeloop/testing';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, ensureChromium } from '../../services/console/test/ensure-chromium';
import { TWILIO_INBOUND_SMS } from '../../services/notification/src/outreach/fixtures/twilio-inbound-sms';
import { type LoopStack, randomToken, startLoopStack, twilioCredentials, vendorStubEnv } from './stack';

const SIGNING_SECRET = randomToken('ss_');
const TWILIO = twilioCredentials();
const INGEST_KEY = randomToken('ik_');
const AYSE_TOKEN = randomToken('at_');
const MEHMET_TOKEN = randomToken('at_');
const ON_CALL = ['+905551112233', '+905551112244'];

const routing = `
defaults:
  team: cx
  alertAt: { nps: 6, csat: 2, ces: 3 }
teams:
  - id: cx
    slackChannel: C0CX
    onCall: ["${ON_CALL[0]}", "${ON_CALL[1]}"]
    sla: { firstResponse: PT1H, resolve: PT48H }
    recheckAfter: PT2S
    email: ["cx-leads@example.com"]
touchpoints:
  - id: checkout
    team: cx
  - id: dine-in
    team: cx
  - id: delivery
    team: cx
keywords:
  critical: ["avukat", "lawyer", "律師"]
  alert: ["refund", "iade", "退款"]
agents:
  - { id: ayse, name: "Ayşe Yılmaz", team: cx, slackUserId: U0AYSE }
  - { id: mehmet, name: "Mehmet Kaya", team: cx, slackUserId: U0MEHMET, role: lead }   # reads the reports (SPEC §12)
rootCauses: [staff-behaviour, wait-time, product-quality, billing, delivery, other]
templates:
  apology:
    en: { sms: "Hi {{customer.name}}, this is {{agent.name}}. We are sorry. (Ref {{ticket.id}})" }
    tr: { sms: "Merhaba {{customer.name}}, ben {{agent.name}}. Yaşadığınız olumsuz deneyim için çok üzgünüz. (Ref: {{ticket.id}})" }
  recheck:
    en: { sms: "Hi {{customer.name}}, it's {{agent.name}}. How are we doing now? {{recheckUrl}}" }
    tr: { sms: "Merhaba {{customer.name}}, ben {{agent.name}}. Bizi şimdi önerir misiniz? {{recheckUrl}}" }
`;

let slack: SlackStub;
let twilio: TwilioStub;
/** the team's mail server: a real SMTP server in this process */
let smtp: SmtpStub;
let stackHandle: LoopStack;
const run = uniqueName('run');
/** Every line the services wrote (SPEC §13: logs never carry personal data; the privacy test reads them all). */
const serviceLogs: string[] = [];

function feedback(customerId: string, patch: Record<string, unknown> = {}) {
  return {
    source: 'e2e', externalId: `${run}-${randomBytes(4).toString('hex')}`, touchpoint: 'checkout', channel: 'web', metric: 'nps', score: 3,
    comment: 'The waiters were rude and the food took 40 minutes', customer: { id: `${run}-${customerId}`, name: 'Deniz' },
    respondedAt: new Date().toISOString(), ...patch,
  };
}

async function submit(body: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(`${stackHandle.url('ingest')}/v1/feedback`, {
    method: 'POST', headers: { Authorization: `Bearer ${INGEST_KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: r.status, json: await r.json() };
}

async function api(method: string, p: string, body?: unknown, token = AYSE_TOKEN): Promise<{ status: number; json: any }> {
  const r = await fetch(`${stackHandle.url('tickets')}${p}`, {
    method, headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

const ticketsOf = async (customerId: string) => (await api('GET', `/v1/tickets?customer=${encodeURIComponent(`${run}-${customerId}`)}`)).json.items as any[];
const ticket = async (id: string) => (await api('GET', `/v1/tickets/${id}`)).json;

/** Top-level alerts in the Slack stub (not thread replies) whose buttons carry this ticket id. */
function topLevelPostsFor(ticketId: string) {
  return slack.calls('chat.postMessage').filter((r) => !r.form.thread_ts && JSON.stringify(r.form.blocks ?? []).includes(ticketId));
}
const okTopLevelFor = (ticketId: string) => slack.messages('C0CX').filter((m) => !m.thread_ts && JSON.stringify(m.blocks ?? []).includes(ticketId));

/** Every planned post, update, reply and SMS has gone out, and nothing else is on its way. */
const quiet = () => stackHandle.quiet({ slack: () => slack.requests.length, twilio: () => twilio.requests.length });

function buttons(blocks: any[]): { action_id: string; value?: string }[] {
  return blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements);
}

function signedInteraction(payload: unknown, opts: { secret?: string; ageSeconds?: number } = {}) {
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const ts = String(Math.floor(Date.now() / 1000) - (opts.ageSeconds ?? 0));
  const sig = `v0=${createHmac('sha256', opts.secret ?? SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return fetch(`${stackHandle.url('notification')}/slack/interactions`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Slack-Request-Timestamp': ts, 'X-Slack-Signature': sig }, body,
  });
}

function claimPayload(ticketId: string, slackUserId: string, messageTs: string) {
  return {
    type: 'block_actions', user: { id: slackUserId, username: slackUserId.toLowerCase() }, channel: { id: 'C0CX' },
    message: { ts: messageTs }, container: { type: 'message', message_ts: messageTs, channel_id: 'C0CX' },
    actions: [{ action_id: 'claim', block_id: 'actions', value: ticketId, action_ts: `${Date.now() / 1000}` }],
    response_url: slack.respondUrl(`claim-${ticketId}-${slackUserId}`), trigger_id: `trig-${randomBytes(4).toString('hex')}`,
  };
}

async function openTicketFor(customer: string, patch: Record<string, unknown> = {}) {
  const r = await submit(feedback(customer, patch));
  expect(r.status).toBe(202);
  const [t] = await waitFor(async () => { const items = await ticketsOf(customer); return items.length ? items : undefined; }, { what: `ticket for ${customer}`, timeoutMs: 30_000 }) as any[];
  await waitFor(() => okTopLevelFor(t.id).length === 1, { what: `Slack alert for ${t.id}`, timeoutMs: 30_000 });
  return t;
}

beforeAll(async () => {
  slack = await startSlackStub({ token: 'xoxb-e2e' });
  twilio = await startTwilioStub(TWILIO);
  smtp = await startSmtpStub();
  stackHandle = await startLoopStack({
    run, routing,
    // info: what a production deployment logs (the privacy test checks none of it names the customer)
    logLevel: 'info', onLog: (l) => serviceLogs.push(l),
    env: {
      INGEST_API_KEYS: INGEST_KEY,
      API_TOKENS: `ayse:${AYSE_TOKEN},mehmet:${MEHMET_TOKEN}`,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      ...vendorStubEnv({ slackUrl: slack.url, twilioUrl: twilio.url, twilio: TWILIO, smtpUrl: smtp.url }),
      RECHECK_CHECK_INTERVAL_MS: '300',
      CLOSELOOP_KEY_CACHE_MS: '0', // an erased key reads as erased at once (the SPEC §13 test), not after the cache's minute
    },
  });
}, 180_000);

afterAll(async () => {
  await stackHandle?.close();
  await slack?.close();
  await twilio?.close();
  await smtp?.close();
});

describe('the closed loop', () => {
  it('a detractor opens one ticket and one Slack alert with Claim and Resolve', async () => {
    const t = await openTicketFor('detractor');
    expect(t).toMatchObject({ status: 'open', touchpoint: 'checkout', team: 'cx', metric: 'nps', score: 3, assignee: null });
    const [post] = topLevelPostsFor(t.id);
    expect(post.form.channel).toBe('C0CX');
    expect(buttons(post.form.blocks)).toEqual(expect.arrayContaining([
      expect.objectContaining({ action_id: 'claim', value: t.id }),
      expect.objectContaining({ action_id: 'resolve', value: t.id }),
    ]));
    expect(JSON.stringify(post.form.blocks)).toContain('The waiters were rude');
  });

  it('a promoter opens nothing', async () => {
    expect((await submit(feedback('promoter', { score: 10, comment: 'Wonderful!' }))).status).toBe(202);
    // same customer (same partition, processed in order) at another touchpoint: once its ticket exists, the promoter was handled
    await openTicketFor('promoter', { touchpoint: 'delivery' });
    const items = await ticketsOf('promoter');
    expect(items.map((i) => i.touchpoint)).toEqual(['delivery']);
  });

  it('the same response submitted 5× at once makes one ticket and one alert', async () => {
    const body = feedback('fivefold');
    const results = await Promise.all(Array.from({ length: 5 }, () => submit(body)));
    expect(results.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    expect(new Set(results.map((r) => r.json.feedbackId)).size).toBe(1);
    await openTicketFor('fivefold', { touchpoint: 'dine-in' }); // barrier on the same partition
    const items = await ticketsOf('fivefold');
    expect(items.filter((i) => i.touchpoint === 'checkout')).toHaveLength(1);
    const t = items.find((i) => i.touchpoint === 'checkout');
    // alerts are paced at about one per second per channel: wait for this one, then for anything else in flight
    await waitFor(() => okTopLevelFor(t.id).length >= 1, { what: 'the alert of the fivefold ticket', timeoutMs: 30_000 });
    await quiet();
    expect(topLevelPostsFor(t.id)).toHaveLength(1);
    expect(t.feedbackCount).toBe(1);
  });

  it('a second negative is attached: the original message is updated, a thread reply added, and on-call gets an SMS', async () => {
    const t = await openTicketFor('repeat');
    const [alert] = okTopLevelFor(t.id);
    expect((await submit(feedback('repeat', { metric: 'csat', score: 1, comment: 'Still no answer from you' }))).status).toBe(202);
    await waitFor(async () => (await ticketsOf('repeat'))[0]?.feedbackCount === 2, { what: 'feedback attached' });
    const [after] = await ticketsOf('repeat');
    expect(after.id).toBe(t.id);
    expect(after.severity).toBe('critical'); // a second negative from the same customer within 30 days
    await waitFor(() => slack.calls('chat.update').some((u) => u.form.ts === alert.ts && JSON.stringify(u.form.blocks).includes('Still no answer')), { what: 'chat.update of the original alert' });
    await waitFor(() => slack.calls('chat.postMessage').some((r) => r.form.thread_ts === alert.ts), { what: 'thread reply' });
    expect(topLevelPostsFor(t.id)).toHaveLength(1);
    await waitFor(() => ON_CALL.every((n) => twilio.requests.some((r) => r.form.To === n && /critical/i.test(r.form.Body) && r.form.Body.includes(t.id))), { what: 'SMS to every on-call number' });
  });

  it('a critical keyword in Turkish sends an SMS', async () => {
    const before = twilio.requests.length;
    const t = await openTicketFor('turkish', { metric: 'csat', score: 3, comment: 'Bu konuyu avukat ile görüşeceğim' });
    expect(t.severity).toBe('critical');
    await waitFor(() => ON_CALL.every((n) => twilio.requests.slice(before).some((r) => r.form.To === n)), { what: 'critical SMS' });
  });

  it('Claim in Slack (signed) claims the ticket and updates the alert; a bad or stale signature is 401 and changes nothing', async () => {
    const t = await openTicketFor('claim-slack');
    const [alert] = okTopLevelFor(t.id);

    const bad = await signedInteraction(claimPayload(t.id, 'U0AYSE', alert.ts), { secret: 'not-the-secret' });
    expect(bad.status).toBe(401);
    const stale = await signedInteraction(claimPayload(t.id, 'U0AYSE', alert.ts), { ageSeconds: 6 * 60 });
    expect(stale.status).toBe(401);

    const ok = await signedInteraction(claimPayload(t.id, 'U0AYSE', alert.ts));
    expect(ok.status).toBe(200);
    await waitFor(async () => (await ticket(t.id)).ticket.status === 'claimed', { what: 'claimed' });
    const claimed = (await ticket(t.id)).ticket;
    expect(claimed.assignee).toMatchObject({ id: 'ayse' });
    // (the name alone is also in the Assign menu's options: the status line is what says claimed)
    await waitFor(() => slack.messages('C0CX').find((m) => m.ts === alert.ts && JSON.stringify(m.blocks).includes('Claimed by Ayşe Yılmaz')), { what: 'alert shows the claim' });
    // the rejected requests left no trace: exactly one claim happened
    expect((await ticket(t.id)).timeline.filter((e: any) => e.type === 'ticket.claimed')).toHaveLength(1);
  });

  it('SPEC §12: a lead assigns through the API → ticket.assigned → the alert shows the assignee (chat.update); an Assign menu choice (signed) assigns; an agent’s choice is refused ephemerally', async () => {
    const t = await openTicketFor('assign-api');
    const [alert] = okTopLevelFor(t.id);
    const assigned = await api('POST', `/v1/tickets/${t.id}/assign`, { agentId: 'ayse' }, MEHMET_TOKEN);
    expect(assigned.status).toBe(200);
    expect(assigned.json.ticket).toMatchObject({ status: 'open', assignee: { id: 'ayse' } });
    await waitFor(() => slack.calls('chat.update').some((u) => u.form.ts === alert.ts && JSON.stringify(u.form.blocks).includes('assigned to *Ayşe Yılmaz*')), { what: 'chat.update shows the assignee' });
    await waitFor(() => slack.calls('chat.postMessage').some((r) => r.form.thread_ts === alert.ts && String(r.form.text).startsWith('👤 Assigned to *Ayşe Yılmaz*')), { what: 'thread reply' });

    // the Assign menu (a static_select): Slack sends the chosen option, whose value is "<ticketId>:<agentId>"
    const choice = (slackUserId: string, agentId: string) => ({
      type: 'block_actions', user: { id: slackUserId, username: slackUserId.toLowerCase() }, channel: { id: 'C0CX' },
      message: { ts: alert.ts }, container: { type: 'message', message_ts: alert.ts, channel_id: 'C0CX' },
      actions: [{
        type: 'static_select', action_id: 'assign', block_id: 'ticket_actions', action_ts: `${Date.now() / 1000}`,
        selected_option: { text: { type: 'plain_text', text: agentId }, value: `${t.id}:${agentId}` },
      }],
      response_url: slack.respondUrl(`assign-${t.id}-${slackUserId}`), trigger_id: `trig-${randomBytes(4).toString('hex')}`,
    });
    expect((await signedInteraction(choice('U0MEHMET', 'mehmet'))).status).toBe(200);
    await waitFor(async () => (await ticket(t.id)).ticket.assignee?.id === 'mehmet', { what: 'assigned from Slack' });
    expect((await ticket(t.id)).ticket.status).toBe('open');

    expect((await signedInteraction(choice('U0AYSE', 'ayse'))).status).toBe(200);
    await waitFor(() => slack.calls('response_url').some((r) => r.responseUrlId === `assign-${t.id}-U0AYSE` && String(r.form.text).startsWith("You can't assign this ticket")), { what: 'ephemeral refusal' });
    expect((await ticket(t.id)).ticket.assignee).toMatchObject({ id: 'mehmet' });
  });

  it('resolve through the API updates the alert; resolving twice is 409 with the reason', async () => {
    const t = await openTicketFor('resolve-api');
    const [alert] = okTopLevelFor(t.id);
    expect((await api('POST', `/v1/tickets/${t.id}/claim`)).status).toBe(200);
    const bad = await api('POST', `/v1/tickets/${t.id}/resolve`, { rootCause: 'gremlins', note: 'x', customerContacted: true });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json.errors)).toContain('rootCause');
    const res = await api('POST', `/v1/tickets/${t.id}/resolve`, { rootCause: 'staff-behaviour', note: 'Called and apologised', customerContacted: true });
    expect(res.status).toBe(200);
    // the team's mailbox: the alert, then the claim and the resolution as replies in the ticket's one thread
    const root = `<ticket.${t.id}@closeloop.e2e>`;
    const thread = await waitFor(() => {
      const mails = smtp.messages.filter((m) => m.messageId === root || m.inReplyTo === root);
      return mails.length >= 3 ? mails : undefined;
    }, { what: 'the alert email and two replies', timeoutMs: 30_000 }) as SmtpStub['messages'];
    expect(thread.map((m) => [m.messageId === root ? 'first' : 'reply', m.rcptTo])).toEqual([
      ['first', ['cx-leads@example.com']], ['reply', ['cx-leads@example.com']], ['reply', ['cx-leads@example.com']],
    ]);
    expect(thread[2].text).toContain('Resolved by Ayşe Yılmaz · root cause: staff-behaviour');
    const again = await api('POST', `/v1/tickets/${t.id}/resolve`, { rootCause: 'staff-behaviour', note: 'again', customerContacted: true });
    expect(again.status).toBe(409);
    expect(again.json.detail).toMatch(/resolved/i);
    await waitFor(() => slack.calls('chat.update').some((u) => u.form.ts === alert.ts && /resolved/i.test(JSON.stringify(u.form.blocks))), { what: 'alert shows resolved' });
    expect(topLevelPostsFor(t.id)).toHaveLength(1);
    await waitFor(() => slack.calls('chat.postMessage').some((r) => r.form.thread_ts === alert.ts && /resolved/i.test(JSON.stringify(r.form))), { what: 'thread reply for the resolution' });
  });

  it('Slack 429 with Retry-After: the alert is sent after the wait, still one post', async () => {
    await quiet(); // no earlier reply still waiting for its slot: the scripted 429 must meet this test's alert
    slack.script('chat.postMessage', { status: 429, retryAfter: 1 });
    const t = await openTicketFor('rate-limited');
    const attempts = topLevelPostsFor(t.id);
    expect(attempts).toHaveLength(2); // the refused one and the one that went through
    expect(attempts[1].time - attempts[0].time).toBeGreaterThanOrEqual(950);
    expect(okTopLevelFor(t.id)).toHaveLength(1);
  });

  it('Twilio 21610 is recorded as failed and not retried; status callbacks are verified', async () => {
    const before = twilio.requests.length;
    twilio.script({ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    const t = await openTicketFor('stopped-sms', { comment: 'I will talk to my lawyer' });
    await waitFor(() => twilio.requests.length >= before + 2, { what: 'two SMS attempts (one per on-call number)' });
    await waitFor(async () => (await ticket(t.id)).timeline.some((e: any) => e.kind === 'delivery' && JSON.stringify(e).includes('21610')), { what: 'failed delivery on the timeline' });
    await quiet(); // nothing left to do: a (wrong) retry would have happened by now
    const sent = twilio.requests.slice(before);
    expect(sent).toHaveLength(2);
    expect(new Set(sent.map((r) => r.form.To))).toEqual(new Set(ON_CALL));

    // a delivered callback, signed like Twilio signs it, is recorded; a forged one is refused
    const delivered = twilio.messages.find((m) => m.body.includes(t.id)); // the SMS that was accepted (the other got 21610)
    if (!delivered) throw new Error('no accepted SMS for this ticket');
    const statusUrl = `${stackHandle.url('notification')}/twilio/status`;
    const params = { MessageSid: delivered.sid, MessageStatus: 'delivered', AccountSid: TWILIO.accountSid };
    const post = (sig: string) => fetch(statusUrl, {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': sig }, body: new URLSearchParams(params).toString(),
    });
    expect((await post('forged')).status).toBe(403);
    expect((await post(signTwilioCallback(TWILIO.authToken, statusUrl, params))).status).toBeLessThan(300);
    await waitFor(async () => (await ticket(t.id)).timeline.some((e: any) => e.kind === 'delivery' && JSON.stringify(e).includes('delivered')), { what: 'delivered status on the timeline' });
  });

  it('an agent texts the customer (SPEC §11): the Turkish apology reaches Twilio once, its statuses reach the timeline; the customer replies (signed inbound SMS) and then STOPs → 409 opted out', async () => {
    const phone = '+905551230077';
    const t = await openTicketFor('texted', { customer: { id: `${run}-texted`, name: 'Deniz', phone, locale: 'tr' } });
    const text = `Merhaba Deniz, ben Ayşe Yılmaz. Yaşadığınız olumsuz deneyim için çok üzgünüz. (Ref: ${t.id})`;
    const send = (body: unknown, key: string) => fetch(`${stackHandle.url('tickets')}/v1/tickets/${t.id}/messages`, {
      method: 'POST', headers: { Authorization: `Bearer ${AYSE_TOKEN}`, 'Content-Type': 'application/json', 'Idempotency-Key': key }, body: JSON.stringify(body),
    });
    const first = await send({ channel: 'sms', template: 'apology' }, `${run}-apology`);
    const retried = await send({ channel: 'sms', template: 'apology' }, `${run}-apology`); // the client retries: same intent
    expect([first.status, retried.status]).toEqual([202, 202]);
    const [a, b] = [(await first.json()) as any, (await retried.json()) as any];
    expect(b).toMatchObject({ messageId: a.messageId, duplicate: true, message: { body: text, locale: 'tr' } });

    await waitFor(() => twilio.messages.some((m) => m.to === phone), { what: 'the SMS to the customer', timeoutMs: 30_000 });
    await quiet();
    expect(twilio.requests.filter((r) => r.method === 'POST' && r.form.To === phone).map((r) => r.form.Body)).toEqual([text]);
    const [sms] = twilio.messages.filter((m) => m.to === phone);
    expect((await twilio.deliverStatus(sms.sid, 'delivered')).status).toBe(200);
    const timeline = await waitFor(async () => {
      const entries = (await ticket(t.id)).timeline as any[];
      return entries.some((e) => e.summary === 'SMS message to the customer (+90555***0077): delivered') ? entries : undefined;
    }, { what: 'the delivered message on the timeline' }) as any[];
    expect(timeline.filter((e) => e.type === 'ticket.customer_message_requested').map((e) => e.summary)).toEqual([`Ayşe Yılmaz texted the customer: ${text}`]);
    const alert = okTopLevelFor(t.id)[0];
    expect(slack.calls('chat.postMessage').filter((r) => r.form.thread_ts === alert.ts).map((r) => r.form.text)).toContain(
      `💬 *Ayşe Yılmaz* texted the customer:\n>${text}`,
    );

    // the customer answers by SMS: Twilio posts it to /twilio/inbound, signed (fixture: services/notification/src/outreach/fixtures)
    const inboundUrl = `${stackHandle.url('notification')}/twilio/inbound`;
    const inbound = (body: string, sig?: string) => {
      const params = { ...TWILIO_INBOUND_SMS, AccountSid: TWILIO.accountSid, From: phone, Body: body, MessageSid: `SM${randomBytes(16).toString('hex')}` };
      return fetch(inboundUrl, {
        method: 'POST', body: new URLSearchParams(params).toString(),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': sig ?? signTwilioCallback(TWILIO.authToken, inboundUrl, params) },
      });
    };
    expect((await inbound('Teşekkürler', 'forged')).status).toBe(403);
    expect((await inbound('Teşekkürler')).status).toBe(200);
    await waitFor(async () => ((await ticket(t.id)).timeline as any[]).some((e) => e.summary === 'The customer replied by SMS: Teşekkürler'), { what: 'the reply on the timeline', timeoutMs: 30_000 });
    await waitFor(() => slack.calls('chat.postMessage').some((r) => r.form.thread_ts === alert.ts && String(r.form.text).includes('Teşekkürler')), { what: 'the reply in the alert thread' });

    expect((await inbound('STOP')).status).toBe(200);
    await waitFor(async () => ((await ticket(t.id)).timeline as any[]).some((e) => e.type === 'customer.opted_out'), { what: 'the opt-out on the timeline', timeoutMs: 30_000 });
    const refused = await send({ channel: 'sms', body: 'Did the refund arrive?' }, `${run}-followup`);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ detail: 'the customer has opted out of SMS' });
    await quiet();
    expect(twilio.requests.filter((r) => r.method === 'POST' && r.form.To === phone)).toHaveLength(1);
  });

  it('a resolve with recheck (SPEC §11): after recheckAfter the customer is texted a link; the page\'s answer is feedback from closeloop-recheck and the report counts them recovered', async () => {
    const phone = '+905551230088';
    const t = await openTicketFor('recheck', { customer: { id: `${run}-recheck`, name: 'Deniz', phone, locale: 'tr' } });
    const window = `from=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`;
    const before = (await api('GET', `/v1/reports/summary?${window}`, undefined, MEHMET_TOKEN)).json.recovery;
    const resolved = await api('POST', `/v1/tickets/${t.id}/resolve`, { rootCause: 'staff-behaviour', note: 'Apologised', customerContacted: true, recheck: true });
    expect(resolved.status).toBe(200);
    expect(((await ticket(t.id)).timeline as any[]).map((e) => e.summary)).toContainEqual(expect.stringMatching(/^Recheck scheduled for \d{4}-\d\d-\d\d \d\d:\d\d UTC$/));

    const sms = (await waitFor(() => twilio.messages.find((m) => m.to === phone), { what: 'the recheck SMS', timeoutMs: 30_000 })) as { body: string };
    const prefix = `Merhaba Deniz, ben Ayşe Yılmaz. Bizi şimdi önerir misiniz? ${stackHandle.url('notification')}/r/`;
    expect(sms.body.startsWith(prefix)).toBe(true);
    const link = sms.body.slice(sms.body.indexOf(stackHandle.url('notification')));
    expect(link).toMatch(/\/r\/[A-Za-z0-9_-]{43}$/);
    const timeline = (await ticket(t.id)).timeline as any[];
    const sent = timeline.find((e) => e.type === 'ticket.customer_message_requested');
    expect(sent.summary).toBe('Recheck sent: the customer is asked by SMS how likely they are to recommend us now');
    expect(JSON.stringify(timeline)).not.toContain(link.slice(-43)); // the capability is the customer's alone

    // the customer opens the link in a browser with JavaScript off, picks 9 and sends it
    const browser = await chromium.launch({ executablePath: ensureChromium(), args: CHROMIUM_ARGS });
    try {
      const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
      expect((await page.goto(link))?.status()).toBe(200);
      expect(await page.locator('html').getAttribute('lang')).toBe('tr');
      await page.locator('input[name=score][value="9"]').check();
      await page.locator('button[type=submit]').click();
      await page.locator('text=Teşekkürler! Yanıtınız kaydedildi.').waitFor();
    } finally {
      await browser.close();
    }
    const answer = (score: string) => fetch(link, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `score=${score}` });
    expect((await answer('3')).status).toBe(409); // used up: one answer per link

    await waitFor(async () => ((await ticket(t.id)).timeline as any[]).some((e) => e.summary === 'The customer answered the recheck: NPS 9/10'), {
      what: 'the recheck answer on the timeline', timeoutMs: 30_000,
    });
    const after = await waitFor(async () => {
      const r = (await api('GET', `/v1/reports/summary?${window}`, undefined, MEHMET_TOKEN)).json.recovery;
      return r.rescored === before.rescored + 1 ? r : undefined;
    }, { what: 'the report counting the rescored customer' });
    expect(after.recovered).toBe(before.recovered + 1);
    await quiet();
    expect(twilio.requests.filter((r) => r.method === 'POST' && r.form.To === phone)).toHaveLength(1);
    expect(await ticketsOf('recheck')).toHaveLength(1); // a promoter's answer opens nothing
  });

  it('no recheck after a reopen, nor to a customer who opted out: the timeline says why', async () => {
    const reopenedPhone = '+905551230099';
    const reopened = await openTicketFor('recheck-reopened', { customer: { id: `${run}-recheck-reopened`, name: 'Deniz', phone: reopenedPhone } });
    expect((await api('POST', `/v1/tickets/${reopened.id}/resolve`, { rootCause: 'billing', recheck: true })).status).toBe(200);
    expect((await api('POST', `/v1/tickets/${reopened.id}/reopen`, { reason: 'The refund bounced' })).status).toBe(200);

    const optedPhone = '+905551230100';
    const opted = await openTicketFor('recheck-opted', { customer: { id: `${run}-recheck-opted`, name: 'Deniz', phone: optedPhone } });
    twilio.script({ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    expect((await api('POST', `/v1/tickets/${opted.id}/messages`, { channel: 'sms', body: 'Did the refund arrive?' })).status).toBe(202);
    await waitFor(async () => ((await ticket(opted.id)).timeline as any[]).some((e) => e.type === 'customer.opted_out'), { what: 'the opt-out', timeoutMs: 30_000 });
    expect((await api('POST', `/v1/tickets/${opted.id}/resolve`, { rootCause: 'billing', recheck: true })).status).toBe(200);

    for (const [id, why] of [[reopened.id, 'No recheck was sent: the ticket was reopened'], [opted.id, 'No recheck was sent: the customer has opted out of SMS']]) {
      await waitFor(async () => ((await ticket(id)).timeline as any[]).some((e) => e.type === 'recheck.skipped' && e.summary === why), { what: why, timeoutMs: 30_000 });
    }
    await quiet();
    expect(twilio.requests.filter((r) => r.method === 'POST' && r.form.To === reopenedPhone)).toHaveLength(0);
    expect(twilio.requests.filter((r) => r.method === 'POST' && r.form.To === optedPhone)).toHaveLength(1); // the 21610 only
  });

  it('an agent sends the recheck template by hand: a link of its own, kept off the ticket, that the page answers', async () => {
    const phone = '+905551230111';
    const t = await openTicketFor('recheck-manual', { customer: { id: `${run}-recheck-manual`, name: 'Deniz', phone } });
    const sent = await api('POST', `/v1/tickets/${t.id}/messages`, { channel: 'sms', template: 'recheck' });
    expect(sent.status).toBe(202);
    const base = `${stackHandle.url('notification')}/r/`;
    expect(sent.json.message.body).toBe(`Hi Deniz, it's Ayşe Yılmaz. How are we doing now? ${base}…`);
    const sms = (await waitFor(() => twilio.messages.find((m) => m.to === phone), { what: 'the recheck SMS', timeoutMs: 30_000 })) as { body: string };
    const link = sms.body.slice(sms.body.indexOf(base));
    expect(link).toMatch(/\/r\/[A-Za-z0-9_-]{43}$/);
    expect((await fetch(link)).status).toBe(200);
  });

  it('SPEC §13 crypto-shredding: no topic holds the customer in clear, the ticket and alert read right; the key erased, old events read as erased and nothing is dead-lettered', async () => {
    const customerId = `${run}-privacy`;
    const secrets = { name: 'Zeynep Aksoy', email: `zeynep.${run}@example.com`, phone: '+905557770011', comment: 'Kurye çok kabaydı, iade istiyorum 我要退款' };
    const t = await openTicketFor('privacy', { comment: secrets.comment, customer: { id: customerId, name: secrets.name, email: secrets.email, phone: secrets.phone } });
    // every consumer read the text: tickets stored it, scoring matched the keyword inside it, notification posted it
    expect(t).toMatchObject({ comment: secrets.comment, customer: { id: customerId, name: secrets.name } });
    expect((await ticket(t.id)).feedback[0].reasons.map((r: { rule: string }) => r.rule)).toContain('alert-keyword');
    expect(JSON.stringify(topLevelPostsFor(t.id)[0].form.blocks)).toContain(secrets.comment);
    await quiet();

    const kafka = testKafka();
    const prefix = stackHandle.prefix;
    const onTopic = async (topic: Topic) => readTopic(kafka, `${prefix}${topic}`, { minCount: await messagesOnTopic(kafka, `${prefix}${topic}`) });
    const dlqCount = async () => (await Promise.all(ALL_TOPICS.map((topic) => messagesOnTopic(kafka, `${prefix}${dlqTopicOf(topic)}`)))).reduce((a, b) => a + b, 0);
    const theirs = async () => ({
      received: (await onTopic(Topic.FeedbackReceived)).filter((m) => m.key === customerId),
      scored: (await onTopic(Topic.FeedbackScored)).filter((m) => m.key === customerId),
      ticket: (await onTopic(Topic.TicketEvents)).filter((m) => m.key === t.id),
    });
    const before = await theirs();
    expect([before.received.length, before.scored.length, before.ticket.length > 0]).toEqual([1, 1, true]);
    const raw = [...before.received, ...before.scored, ...before.ticket].map((m) => m.value ?? '').join('\n');
    for (const text of [...Object.values(secrets), 'Zeynep', 'zeynep.', '5557770011', '我要退款']) expect(raw).not.toContain(text);
    const [opened] = await openedEvents(Topic.FeedbackReceived, [before.received[0].value], { databaseUrl: stackHandle.db.url });
    expect(opened.data).toMatchObject({ comment: secrets.comment, customer: { id: customerId, name: secrets.name, email: secrets.email, phone: secrets.phone } });

    // erasure's first step (the API is issue 13's next part): the customer's key is deleted
    const store = await testKeyStore({ databaseUrl: stackHandle.db.url });
    const dlqBefore = await dlqCount();
    try {
      expect(await store.keys.erase(customerId)).toBe(true);
    } finally {
      await store.close();
    }
    const [erased] = await openedEvents(Topic.FeedbackReceived, [before.received[0].value], { databaseUrl: stackHandle.db.url });
    expect(erased.data).toMatchObject({ comment: ERASED, customer: { id: customerId, name: ERASED } });
    expect(erased.data.customer).not.toHaveProperty('email');

    // the services read that old event again (a copy of it as another feedback, the encrypted fields as they were):
    // they open a ticket that reads erased, alert with nothing of the customer, and dead-letter nothing
    const old = JSON.parse(before.received[0].value ?? 'null');
    const feedbackId = feedbackIdFor('e2e', `${run}-privacy-replayed`);
    const replayed = { ...old, eventId: feedbackId, data: { ...old.data, feedbackId, externalId: `${run}-privacy-replayed`, touchpoint: 'delivery' } };
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: `${prefix}${Topic.FeedbackReceived}`, messages: [{ key: customerId, value: JSON.stringify(replayed) }] }).finally(() => producer.disconnect());
    const [again] = await waitFor(async () => {
      const items = (await ticketsOf('privacy')).filter((x) => x.touchpoint === 'delivery');
      return items.length ? items : undefined;
    }, { what: 'the ticket of the replayed event', timeoutMs: 30_000 }) as any[];
    await quiet();
    expect(again).toMatchObject({ comment: ERASED, customer: { id: customerId, name: ERASED } });
    const alert = JSON.stringify(topLevelPostsFor(again.id).map((p) => p.form.blocks));
    expect(alert).toContain(ERASED);
    for (const text of Object.values(secrets)) expect(alert).not.toContain(text);
    expect(await dlqCount()).toBe(dlqBefore);

    // every line the four services logged through all of the above, at info: none names the customer
    expect(serviceLogs.length).toBeGreaterThan(100);
    const logged = serviceLogs.join('\n');
    for (const text of [...Object.values(secrets), 'Zeynep', 'Aksoy', 'zeynep.', '5557770011', '我要退款', 'iade istiyorum']) expect(logged).not.toContain(text);
  });
});
