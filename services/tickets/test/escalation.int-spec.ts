import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Topic, type TicketEscalatedData } from '@closeloop/contracts';
import { waitFor } from '@closeloop/testing';
import { EscalationScheduler } from '../src/escalation/escalation.scheduler';
import { RunningTickets, TestBus, api, dropSchema, migrate, scoredEvent, startApp, testEnvironment, ticketIdFor } from './harness';

// SPEC §12 with second-long steps: on-call after 1 s, the lead after 3 s. SLAs far away, so only the chain speaks.
const dir = mkdtempSync(join(tmpdir(), 'closeloop-escalation-'));
const routingPath = join(dir, 'closeloop.yaml');
writeFileSync(routingPath, `
defaults:
  team: cx
  alertAt: { nps: 6, csat: 2, ces: 3 }
teams:
  - id: cx
    slackChannel: C0CX
    onCall: ["+905551112233"]
    sla: { firstResponse: PT1H, resolve: PT48H }
    escalation:
      - { after: PT1S, notify: [oncall-sms] }
      - { after: PT3S, notify: [lead-sms, channel-mention] }
  - id: slow
    onCall: ["+905551112299"]
    sla: { firstResponse: PT1H, resolve: PT48H }
    escalation: [{ after: PT10M, notify: [oncall-sms] }, { after: PT20M, notify: [oncall-sms] }]
touchpoints:
  - { id: kiosk, team: slow }
agents:
  - { id: ayse, name: "Ayşe Yılmaz", team: cx, slackUserId: U0AYSE }
  - { id: mehmet, name: "Mehmet Demir", team: cx, role: lead, phone: "+905550000009", slackUserId: U0MEHMET }
  - { id: noa, name: "Noa Levi", team: cx }
rootCauses: [other]
`);

const { cfg, kafka, schema } = testEnvironment('escalation', { routingPath, escalationCheckIntervalMs: 150 });
const bus = new TestBus(kafka);
let ds: DataSource;
let a: RunningTickets;
let b: RunningTickets;

/** Completed escalation passes of each instance (counted around the scheduler's own tick). */
const passes = new Map<EscalationScheduler, number>();
function countPasses(x: RunningTickets): RunningTickets {
  const scheduler = x.app.get(EscalationScheduler);
  const tick = scheduler.tick.bind(scheduler);
  passes.set(scheduler, 0);
  scheduler.tick = async (now?: Date) => {
    const fired = await tick(now);
    passes.set(scheduler, (passes.get(scheduler) ?? 0) + 1);
    return fired;
  };
  return x;
}
/** Waits until each instance has completed `n` more passes, and everything they wrote was relayed and collected. */
async function afterPasses(n: number): Promise<void> {
  const start = new Map(passes);
  await waitFor(() => [...start].every(([s, k]) => (passes.get(s) ?? 0) >= k + n), { what: `${n} more escalation passes of each instance` });
  await bus.quiet(ds, schema);
}

const escalations = (ticketId: string) => bus.eventsOf(ticketId, 'ticket.escalated').map((e) => (e.data as TicketEscalatedData).escalation);
const steps = (ticketId: string) => escalations(ticketId).map((e) => e.step);

async function open(externalId: string, customerId: string, touchpoint = 'dine-in'): Promise<{ id: string; openedAt: number }> {
  await bus.publish(Topic.FeedbackScored, customerId, scoredEvent({ externalId, customerId, team: touchpoint === 'kiosk' ? 'slow' : 'cx', touchpoint }));
  const id = ticketIdFor(externalId);
  const opened = await bus.waitForEvent((e) => e.type === 'ticket.opened' && e.data.ticket?.id === id, `ticket.opened ${externalId}`);
  return { id, openedAt: Date.parse(opened.data.ticket.openedAt) };
}

beforeAll(async () => {
  ds = await migrate(cfg);
  [a, b] = (await Promise.all([startApp(cfg), startApp(cfg)])).map(countPasses);
  await bus.start();
});

afterAll(async () => {
  await bus.stop();
  await a?.app.close();
  await b?.app.close();
  await dropSchema(ds, schema);
  rmSync(dir, { recursive: true, force: true });
});

describe('escalation chains with two instances of tickets running', () => {
  it('an unclaimed ticket: each step fires exactly once, in order, as a new version, on the timeline', async () => {
    const { id, openedAt } = await open('esc-ignored', 'c-esc-1');
    await waitFor(() => steps(id).length >= 2, { what: 'both escalation steps', timeoutMs: 15_000 });
    await afterPasses(3); // both pollers kept looking: nothing may fire twice

    expect(steps(id)).toEqual([1, 2]);
    const [first, second] = bus.eventsOf(id, 'ticket.escalated');
    expect(first.data.actor).toEqual({ kind: 'system', id: 'tickets' });
    expect((first.data as TicketEscalatedData).escalation).toEqual({ step: 1, of: 2, after: 'PT1S', from: new Date(openedAt).toISOString(), notify: ['oncall-sms'] });
    expect((second.data as TicketEscalatedData).escalation).toMatchObject({ step: 2, of: 2, after: 'PT3S', notify: ['lead-sms', 'channel-mention'] });
    expect(Date.parse(first.occurredAt)).toBeGreaterThanOrEqual(openedAt + 1_000);
    expect(Date.parse(second.occurredAt)).toBeGreaterThanOrEqual(openedAt + 3_000);
    expect(bus.eventsOf(id).map((e) => [e.type, e.data.ticket.version])).toEqual([['ticket.opened', 1], ['ticket.escalated', 2], ['ticket.escalated', 3]]);

    const detail = (await api(a.url)('GET', `/v1/tickets/${id}`)).body;
    expect(detail.timeline.map((e: { type: string }) => e.type)).toEqual(['ticket.opened', 'ticket.escalated', 'ticket.escalated']);
    expect(detail.timeline[2].summary).toBe('Escalated (step 2 of 2): not claimed PT3S after it opened; notifying lead-sms, channel-mention');
    const rows = await ds.query(`SELECT round, step FROM "${schema}".escalation_step WHERE ticket_id = $1 ORDER BY step`, [id]);
    expect(rows).toEqual([{ round: 0, step: 1 }, { round: 0, step: 2 }]);
  });

  it('a claim between the steps stops the rest; a reopen starts the chain again from the reopen', async () => {
    const { id, openedAt } = await open('esc-claimed', 'c-esc-2');
    await waitFor(() => steps(id).length >= 1, { what: 'the first step', timeoutMs: 10_000 });
    expect((await api(b.url)('POST', `/v1/tickets/${id}/claim`, { as: 'ayse' })).status).toBe(200);
    // the second step would have been due by now; both pollers looked after that moment
    await waitFor(() => Date.now() >= openedAt + 3_500 || undefined, { what: 'the second step falling due' });
    await afterPasses(2);
    expect(steps(id)).toEqual([1]);

    expect((await api(a.url)('POST', `/v1/tickets/${id}/resolve`, { as: 'ayse', body: { rootCause: 'other' } })).status).toBe(200);
    const reopened = (await api(b.url)('POST', `/v1/tickets/${id}/reopen`, { as: 'mehmet', body: { reason: 'the customer called again' } })).body.ticket;
    await waitFor(() => steps(id).length >= 2, { what: 'the first step after the reopen', timeoutMs: 10_000 });
    const again = escalations(id)[1];
    expect(again.step).toBe(1);
    expect(Date.parse(again.from)).toBe(Date.parse(reopened.updatedAt));
    await waitFor(() => steps(id).length >= 3, { what: 'the second step after the reopen', timeoutMs: 10_000 });
    expect(steps(id)).toEqual([1, 1, 2]);
    const rows = await ds.query(`SELECT round, step FROM "${schema}".escalation_step WHERE ticket_id = $1 ORDER BY round, step`, [id]);
    expect(rows).toEqual([{ round: 0, step: 1 }, { round: 1, step: 1 }, { round: 1, step: 2 }]);
  });

  it('many due tickets checked by both instances at the same moment: every step exactly once', async () => {
    // team "slow" (10 / 20 min): the background pollers leave these alone; three checks "25 minutes from now",
    // two on one instance and one on the other, race for the same 16 steps
    const ids = (await Promise.all(Array.from({ length: 8 }, (_, i) => open(`esc-race-${i}`, `c-esc-race-${i}`, 'kiosk')))).map((t) => t.id);
    const later = new Date(Date.now() + 25 * 60_000);
    const [sa, sb] = [a.app.get(EscalationScheduler), b.app.get(EscalationScheduler)];
    const fired = await Promise.all([sa.tick(later), sb.tick(later), sa.tick(later)]);
    expect(fired.reduce((x, y) => x + y, 0)).toBe(16);
    await waitFor(() => ids.every((id) => steps(id).length === 2), { what: '16 steps', timeoutMs: 15_000 });
    await bus.quiet(ds, schema);
    for (const id of ids) expect(steps(id)).toEqual([1, 2]);
    const rows = await ds.query(`SELECT count(*)::int AS n FROM "${schema}".ticket WHERE id = ANY($1::uuid[]) AND version = 3`, [ids]);
    expect(rows[0].n).toBe(8);
  });
});
