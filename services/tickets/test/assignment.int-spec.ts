// SPEC §12, ADR 0021: assigning a ticket (API and the Slack command), and automatic round-robin assignment that stays
// fair with two instances of tickets opening tickets at the same time.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { TicketCommand, Topic, makeEnvelope } from '@closeloop/contracts';
import { waitFor } from '@closeloop/testing';
import { DEMO_ROUTING, RunningTickets, TestBus, api, dropSchema, migrate, scoredEvent, startApp, testEnvironment, ticketIdFor } from './harness';

// the demo routing file with team cx on round-robin (its agents and leads: ayse, mehmet; emre is ops, dewi admin)
const demo = readFileSync(DEMO_ROUTING, 'utf8');
const withRoundRobin = demo.replace(/^ {4}assign: none\b.*$/m, '    assign: round-robin');
if (withRoundRobin === demo) throw new Error('the demo routing file changed: cannot set assign on team cx');
const routingPath = join(mkdtempSync(join(tmpdir(), 'closeloop-assign-')), 'closeloop.yaml');
writeFileSync(routingPath, withRoundRobin);

const { cfg, kafka, schema } = testEnvironment('assign', { routingPath });
const bus = new TestBus(kafka);
let ds: DataSource;
let a: RunningTickets;
let b: RunningTickets;

async function openVia(externalId: string, customerId: string, touchpoint = 'checkout', team = 'support'): Promise<string> {
  await bus.publish(Topic.FeedbackScored, customerId, scoredEvent({ externalId, customerId, touchpoint, team }));
  const id = ticketIdFor(externalId);
  await bus.waitForEvent((e) => e.type === 'ticket.opened' && e.data.ticket.id === id, `ticket.opened for ${externalId}`);
  return id;
}

beforeAll(async () => {
  ds = await migrate(cfg);
  [a, b] = await Promise.all([startApp(cfg), startApp(cfg)]);
  await bus.start();
});

afterAll(async () => {
  await bus.stop();
  await Promise.all([a?.app.close(), b?.app.close()]);
  await dropSchema(ds, schema);
});

describe('POST /v1/tickets/:id/assign (team support: assign none)', () => {
  const lead = () => api(a.url, 'wei');

  it('a lead assigns an agent of the team: 200, still open, ticket.assigned on the timeline; again → no change; reassigning a claimed ticket keeps it claimed', async () => {
    const id = await openVia('assign-1', 'c-assign-1');
    const res = await lead()('POST', `/v1/tickets/${id}/assign`, { body: { agentId: 'noa' } });
    expect(res.status).toBe(200);
    expect(res.body.ticket).toMatchObject({ status: 'open', assignee: { id: 'noa', name: 'Noa Levi' }, claimedAt: null, version: 2 });
    const ev = await bus.waitForEvent((e) => e.type === 'ticket.assigned' && e.data.ticket.id === id, 'ticket.assigned');
    expect(ev.data).toMatchObject({ actor: { kind: 'agent', id: 'wei', name: 'Lin Wei' }, ticket: { status: 'open', assigneeId: 'noa', assigneeName: 'Noa Levi', version: 2 } });
    expect(ev.data.previousAssigneeId).toBeUndefined();

    expect((await lead()('POST', `/v1/tickets/${id}/assign`, { body: { agentId: 'noa' } })).body.ticket.version).toBe(2);

    expect((await api(a.url, 'noa')('POST', `/v1/tickets/${id}/claim`)).status).toBe(200);
    const handed = await lead()('POST', `/v1/tickets/${id}/assign`, { body: { agentId: 'wei' } });
    expect(handed.body.ticket).toMatchObject({ status: 'claimed', assignee: { id: 'wei' }, version: 4 });
    const second = await bus.waitForEvent((e) => e.type === 'ticket.assigned' && e.data.ticket.id === id && e.data.ticket.version === 4, 'second ticket.assigned');
    expect(second.data.previousAssigneeId).toBe('noa');

    const detail = await lead()('GET', `/v1/tickets/${id}`);
    expect(detail.body.timeline.filter((e: any) => e.type === 'ticket.assigned').map((e: any) => e.summary)).toEqual([
      'Assigned to Noa Levi by Lin Wei', 'Assigned to Lin Wei by Lin Wei',
    ]);
  });

  it.each([
    ['an agent of another team', 422, 'agentId', { agentId: 'ayse' }],
    ['an unknown agent', 422, 'agentId', { agentId: 'nobody' }],
    ['no agentId', 400, 'agentId', {}],
  ])('%s → %i naming %s', async (_name, status, field, body) => {
    const id = await openVia(`assign-bad-${status}-${JSON.stringify(body).length}`, `c-assign-bad-${JSON.stringify(body).length}`);
    const res = await lead()('POST', `/v1/tickets/${id}/assign`, { body });
    expect(res.status).toBe(status);
    expect(res.type).toContain('application/problem+json');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('unknown ticket → 404; resolved → 409; an agent (not a lead) → 403 naming the roles', async () => {
    expect((await lead()('POST', '/v1/tickets/00000000-0000-4000-8000-000000000009/assign', { body: { agentId: 'noa' } })).status).toBe(404);
    const id = await openVia('assign-resolved', 'c-assign-resolved');
    expect((await lead()('POST', `/v1/tickets/${id}/resolve`, { body: { rootCause: 'other' } })).status).toBe(200);
    const resolved = await lead()('POST', `/v1/tickets/${id}/assign`, { body: { agentId: 'noa' } });
    expect(resolved).toMatchObject({ status: 409, body: { detail: 'the ticket is resolved; reopen it before assigning' } });
    const byAgent = await api(a.url, 'noa')('POST', `/v1/tickets/${id}/assign`, { body: { agentId: 'noa' } });
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.requiredRoles).toEqual(['lead', 'admin']);
  });
});

describe('ticket.assign commands (the Slack Assign menu)', () => {
  const command = (data: Record<string, unknown>): TicketCommand =>
    makeEnvelope('ticket.assign', { via: 'slack', responseUrl: 'https://hooks.slack.test/actions/T1/1/abc', ...data }, 'notification') as TicketCommand;

  it('a lead’s choice assigns exactly as the API; an agent’s is rejected with 403 (the ephemeral answer’s path), nothing changes', async () => {
    const id = await openVia('assign-cmd-1', 'c-assign-cmd-1');
    await bus.publish(Topic.TicketCommands, id, command({ ticketId: id, agentId: 'wei', assigneeId: 'noa' }));
    const ev = await bus.waitForEvent((e) => e.type === 'ticket.assigned' && e.data.ticket.id === id, 'ticket.assigned from a command');
    expect(ev.data).toMatchObject({ actor: { id: 'wei' }, ticket: { status: 'open', assigneeId: 'noa', version: 2 } });
    expect((await api(a.url, 'wei')('GET', `/v1/tickets/${id}`)).body.timeline.at(-1).summary).toBe('Assigned to Noa Levi by Lin Wei via slack');

    const byAgent = command({ ticketId: id, agentId: 'noa', assigneeId: 'wei' });
    await bus.publish(Topic.TicketCommands, id, byAgent);
    const rejected = await bus.waitForEvent((e) => e.type === 'ticket.command_rejected' && e.data.commandId === byAgent.eventId, 'rejection');
    expect(rejected.data).toMatchObject({ statusCode: 403, responseUrl: 'https://hooks.slack.test/actions/T1/1/abc', ticket: { assigneeId: 'noa', version: 2 } });

    const wrongTeam = command({ ticketId: id, agentId: 'wei', assigneeId: 'ayse' });
    await bus.publish(Topic.TicketCommands, id, wrongTeam);
    const refused = await bus.waitForEvent((e) => e.data.commandId === wrongTeam.eventId, 'rejection of another team’s agent');
    expect(refused.data).toMatchObject({ statusCode: 422, reason: expect.stringMatching(/^agentId: "ayse" is not an agent or lead of team support/) });
  });
});

describe('round-robin with two instances (team cx)', () => {
  it('many tickets opened at once on both instances: every one assigned, counts differ by at most 1, no counter value taken twice', async () => {
    const N = 40;
    const ids = Array.from({ length: N }, (_, i) => ticketIdFor(`rr-${i}`));
    await Promise.all(
      Array.from({ length: N }, (_, i) => bus.publish(Topic.FeedbackScored, `c-rr-${i}`, scoredEvent({ externalId: `rr-${i}`, customerId: `c-rr-${i}`, touchpoint: 'dine-in', team: 'cx' }))),
    );
    await waitFor(() => ids.every((id) => bus.eventsOf(id, 'ticket.opened').length === 1), { what: `${N} tickets opened`, timeoutMs: 30_000 });

    const opened = ids.map((id) => bus.eventsOf(id, 'ticket.opened')[0].data.ticket);
    const counts = new Map<string, number>();
    for (const t of opened) counts.set(t.assigneeId ?? 'nobody', (counts.get(t.assigneeId ?? 'nobody') ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(['ayse', 'mehmet']);
    expect(Math.abs((counts.get('ayse') ?? 0) - (counts.get('mehmet') ?? 0))).toBeLessThanOrEqual(1);

    // each opening took one counter value, in its own transaction: together exactly 1..N
    const rows: { value: number }[] = await ds.query(
      `SELECT (data->>'assignCounter')::int AS value FROM "${schema}".timeline WHERE type = 'ticket.opened' AND ticket_id = ANY($1::uuid[])`, [ids],
    );
    expect(rows.map((r) => r.value).sort((x, y) => x - y)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  });
});
