/**
 * SPEC §10 revisions through the whole loop: ingest → scoring → tickets → notification as real processes (as
 * `npm start` runs them), Slack the stub. A passive score opens nothing; its revision saying "refund" opens one
 * ticket and one top-level alert; a further revision updates that alert in place (chat.update with the new comment),
 * never a second ticket or a second top-level post. Once through Delighted's webhooks (survey_response.created, then
 * survey_response.updated, as services/ingest/src/sources/fixtures/delighted.ts documents them), once through
 * POST /v1/feedback with the same (source, externalId).
 */
import { SlackStub, startSlackStub, uniqueName, waitFor } from '@closeloop/testing';
import { delightedCreated, delightedUpdated } from '../../services/ingest/src/sources/fixtures/delighted';
import { body, delightedSignature } from '../../services/ingest/src/sources/fixtures/sign';
import { type LoopStack, randomToken, startLoopStack } from './stack';

const run = uniqueName('rev');
const INGEST_KEY = randomToken('ik_');
const AGENT_TOKEN = randomToken('at_');
const DL_SECRET = randomToken('dl_');

const routing = `
defaults:
  team: cx
  alertAt: { nps: 6, csat: 2, ces: 3 }
teams:
  - id: cx
    slackChannel: C0CX
    onCall: []
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
  - { id: dl, kind: delighted, secretEnv: DL_SECRET, touchpoint: checkout }
`;

let slack: SlackStub;
let stackHandle: LoopStack;

async function postJson(path: string, payload: unknown, headers: Record<string, string>): Promise<{ status: number; json: any }> {
  const r = await fetch(`${stackHandle.url('ingest')}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: payload as string });
  return { status: r.status, json: await r.json() };
}
const deliverDelighted = (payload: unknown) => {
  const raw = body(payload);
  return postJson('/v1/sources/dl', raw.toString('utf8'), { 'X-Delighted-Webhook-Signature': delightedSignature(DL_SECRET, raw) });
};
const submit = (feedback: unknown) => postJson('/v1/feedback', JSON.stringify(feedback), { Authorization: `Bearer ${INGEST_KEY}` });

async function api(p: string): Promise<any> {
  const r = await fetch(`${stackHandle.url('tickets')}${p}`, { headers: { Authorization: `Bearer ${AGENT_TOKEN}` } });
  return r.json();
}
const ticketsOf = async (customerId: string) => (await api(`/v1/tickets?customer=${encodeURIComponent(customerId)}`)).items as any[];
const topLevelFor = (ticketId: string) => slack.messages('C0CX').filter((m) => !m.thread_ts && JSON.stringify(m.blocks ?? []).includes(ticketId));
const topLevelPostsFor = (ticketId: string) => slack.calls('chat.postMessage').filter((r) => !r.form.thread_ts && JSON.stringify(r.form.blocks ?? []).includes(ticketId));
const quiet = () => stackHandle.quiet({ slack: () => slack.requests.length });

/** The one ticket of the customer and its one top-level alert, once both exist. */
async function ticketAndAlert(customerId: string) {
  const [t] = await waitFor(async () => { const items = await ticketsOf(customerId); return items.length ? items : undefined; }, { what: `ticket of ${customerId}`, timeoutMs: 30_000 }) as any[];
  const alert = await waitFor(() => topLevelFor(t.id)[0], { what: `alert of ${t.id}`, timeoutMs: 30_000 });
  return { ticket: t, ts: alert.ts };
}

beforeAll(async () => {
  slack = await startSlackStub({ token: 'xoxb-e2e' });
  stackHandle = await startLoopStack({
    run, routing,
    env: { INGEST_API_KEYS: INGEST_KEY, API_TOKENS: `ayse:${AGENT_TOKEN}`, DL_SECRET, SLACK_API_URL: slack.url },
  });
}, 180_000);

afterAll(async () => {
  await stackHandle?.close();
  await slack?.close();
});

describe('revisions end to end (SPEC §10)', () => {
  it('Delighted: score 7 opens nothing; the update saying "refund" opens one ticket and one alert; the next update edits that alert', async () => {
    const customerId = `${run}-dl-person`;
    const response = { ...delightedCreated.event_data, id: `${run}-5435`, person: { ...delightedCreated.event_data.person, id: customerId } };
    const created = { ...delightedCreated, event_data: response };
    const updated = { ...delightedUpdated, event_data: { ...delightedUpdated.event_data, id: response.id, person: response.person } };

    const first = await deliverDelighted(created);
    expect(first).toMatchObject({ status: 202, json: { duplicate: false, revision: 1 } });
    await quiet();
    expect(await ticketsOf(customerId)).toEqual([]);

    const second = await deliverDelighted(updated);
    expect(second).toMatchObject({ status: 202, json: { feedbackId: first.json.feedbackId, duplicate: false, revision: 2 } });
    const { ticket, ts } = await ticketAndAlert(customerId);
    expect(ticket).toMatchObject({ score: 7, comment: 'I want a refund', feedbackCount: 1 });

    // Delighted retries its webhook: the same update again is a duplicate and changes nothing
    expect((await deliverDelighted(updated)).json).toMatchObject({ duplicate: true, revision: 2 });

    const newComment = 'I want a refund, and nobody has answered my email';
    const third = await deliverDelighted({ ...updated, event_data: { ...updated.event_data, comment: newComment, updated_at: updated.event_data.updated_at + 600 } });
    expect(third).toMatchObject({ status: 202, json: { feedbackId: first.json.feedbackId, duplicate: false, revision: 3 } });
    const update = await waitFor(() => slack.calls('chat.update').find((r) => r.form.ts === ts && JSON.stringify(r.form.blocks).includes('nobody has answered')), { what: 'chat.update with the new comment', timeoutMs: 30_000 });
    expect(update?.form.channel).toBe('C0CX');
    await quiet();

    expect(await ticketsOf(customerId)).toEqual([expect.objectContaining({ id: ticket.id, comment: newComment, feedbackCount: 1 })]);
    expect(topLevelPostsFor(ticket.id)).toHaveLength(1);
    expect(topLevelFor(ticket.id)).toHaveLength(1);
    expect(JSON.stringify(topLevelFor(ticket.id)[0].blocks)).toContain('nobody has answered');
    const detail = await api(`/v1/tickets/${ticket.id}`);
    expect(detail.feedback).toEqual([expect.objectContaining({ feedbackId: first.json.feedbackId, revision: 3, comment: newComment })]);
    expect(detail.timeline.filter((e: any) => e.kind === 'event').map((e: any) => e.type)).toEqual(['ticket.opened', 'ticket.feedback_revised']);
    expect(slack.calls('chat.postMessage').filter((r) => r.form.thread_ts === ts).map((r) => r.form.text)).toContainEqual(
      expect.stringMatching(/^✏️ The customer changed their feedback \(now NPS 7\/10\)/),
    );
  });

  it('POST /v1/feedback: score 7, then the same externalId with "refund" → one ticket, one alert', async () => {
    const customerId = `${run}-api-customer`;
    const feedback = {
      source: 'web-survey', externalId: `${run}-resp-1`, touchpoint: 'checkout', metric: 'nps', score: 7,
      customer: { id: customerId, name: 'Deniz' }, respondedAt: new Date().toISOString(),
    };
    const first = await submit(feedback);
    expect(first).toMatchObject({ status: 202, json: { duplicate: false, revision: 1 } });
    await quiet();
    expect(await ticketsOf(customerId)).toEqual([]);

    const second = await submit({ ...feedback, comment: 'Cold food, I want a refund' });
    expect(second).toMatchObject({ status: 202, json: { feedbackId: first.json.feedbackId, duplicate: false, revision: 2 } });
    const { ticket } = await ticketAndAlert(customerId);
    expect(ticket).toMatchObject({ score: 7, comment: 'Cold food, I want a refund' });
    await quiet();
    expect(await ticketsOf(customerId)).toHaveLength(1);
    expect(topLevelPostsFor(ticket.id)).toHaveLength(1);
  });
});
