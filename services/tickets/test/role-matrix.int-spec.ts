// SPEC §12: every route tickets serves × each role → the status it answers. One table of routes: a route the app
// serves that the table does not list fails the first test, so no route ships without a role decision.
import { DataSource } from 'typeorm';
import { TicketCommand, Topic, makeEnvelope } from '@closeloop/contracts';
import { registeredRoutes } from '@closeloop/testing';
import { AgentId, RunningTickets, TOKENS, TestBus, api, dropSchema, migrate, scoredEvent, startApp, testEnvironment, ticketIdFor } from './harness';

const { cfg, kafka, schema } = testEnvironment('roles');
const bus = new TestBus(kafka);
let ds: DataSource;
let svc: RunningTickets;

/** config/closeloop.yaml: ayse agent, mehmet lead (both team cx), emre ops, dewi admin; and noa, an agent of support. */
const ROLES = { agent: 'ayse', lead: 'mehmet', ops: 'emre', admin: 'dewi', 'agent of another team': 'noa' } as const satisfies Record<string, AgentId>;
type Who = keyof typeof ROLES;
type Expect = Record<Who, number>;

const same = (status: number): Expect => ({ agent: status, lead: status, ops: status, admin: status, 'agent of another team': status });

/**
 * Each route, what it is called with (`:id` is a fresh open ticket of team cx per cell, so no cell sees another's
 * change), and each role's answer. Public routes answer without a token.
 */
const ROUTES: { route: string; body?: unknown; headers?: Record<string, string>; expect: Expect | 'public' }[] = [
  { route: 'GET /health/live', expect: 'public' },
  { route: 'GET /health/ready', expect: 'public' },
  { route: 'GET /metrics', expect: 'public' },
  { route: 'GET /v1/me', expect: same(200) },
  { route: 'GET /v1/tickets', expect: same(200) }, // agents and leads: their own team's
  { route: 'GET /v1/tickets/export.csv', expect: { agent: 403, lead: 200, ops: 403, admin: 200, 'agent of another team': 403 } },
  { route: 'GET /v1/tickets/:id', expect: { agent: 200, lead: 200, ops: 200, admin: 200, 'agent of another team': 403 } },
  { route: 'POST /v1/tickets/:id/claim', expect: { agent: 200, lead: 200, ops: 403, admin: 200, 'agent of another team': 403 } },
  { route: 'POST /v1/tickets/:id/assign', body: { agentId: 'ayse' }, expect: { agent: 403, lead: 200, ops: 403, admin: 200, 'agent of another team': 403 } },
  { route: 'POST /v1/tickets/:id/resolve', body: { rootCause: 'other' }, expect: { agent: 200, lead: 200, ops: 403, admin: 200, 'agent of another team': 403 } },
  { route: 'POST /v1/tickets/:id/reopen', body: { reason: 'still broken' }, expect: { agent: 409, lead: 409, ops: 403, admin: 409, 'agent of another team': 403 } },
  { route: 'POST /v1/tickets/:id/notes', body: { body: 'called back' }, expect: { agent: 201, lead: 201, ops: 403, admin: 201, 'agent of another team': 403 } },
  {
    route: 'POST /v1/tickets/:id/messages', body: { channel: 'sms', body: 'Sorry about today' }, headers: { 'Idempotency-Key': 'k-1' },
    // the ticket's customer left no phone: past the role check, the message is refused for that
    expect: { agent: 409, lead: 409, ops: 403, admin: 409, 'agent of another team': 403 },
  },
  { route: 'GET /v1/trends', expect: same(200) }, // agents and leads: their own team's
  { route: 'GET /v1/reports/summary', expect: { agent: 403, lead: 200, ops: 403, admin: 200, 'agent of another team': 403 } },
  // SPEC §13: admins only (a ticket's id serves as the customer id here; an erasure id that is none is 404 past the role)
  { route: 'POST /v1/customers/:id/erase', expect: { agent: 403, lead: 403, ops: 403, admin: 202, 'agent of another team': 403 } },
  { route: 'GET /v1/erasures/:erasureId', expect: { agent: 403, lead: 403, ops: 403, admin: 404, 'agent of another team': 403 } },
  { route: 'GET /v1/reports/timeseries', expect: { agent: 403, lead: 200, ops: 403, admin: 200, 'agent of another team': 403 } },
];

let cell = 0;
async function freshTicket(): Promise<string> {
  const externalId = `roles-${cell++}`;
  const customerId = `c-${externalId}`;
  await bus.publish(Topic.FeedbackScored, customerId, scoredEvent({ externalId, customerId, touchpoint: 'dine-in', team: 'cx' }));
  const id = ticketIdFor(externalId);
  await bus.waitForEvent((e) => e.type === 'ticket.opened' && e.data.ticket.id === id, `ticket.opened ${externalId}`);
  return id;
}

beforeAll(async () => {
  ds = await migrate(cfg);
  svc = await startApp(cfg);
  await bus.start();
});

afterAll(async () => {
  await bus.stop();
  await svc?.app.close();
  await dropSchema(ds, schema);
});

it('the table lists exactly the routes tickets serves', () => {
  expect(ROUTES.map((r) => r.route).sort()).toEqual(registeredRoutes(svc.app));
});

describe.each(ROUTES.map((r) => [r.route, r] as const))('%s', (_, r) => {
  const [method, path] = r.route.split(' ');
  const call = async (as: AgentId | null) => {
    const url = path.includes(':id') ? path.replace(':id', await freshTicket()) : path;
    if (r.headers || as === null) {
      const res = await fetch(`${svc.url}${url}`, {
        method,
        headers: { ...(as ? { authorization: `Bearer ${TOKENS[as]}` } : {}), 'content-type': 'application/json', ...r.headers },
        body: r.body === undefined ? undefined : JSON.stringify(r.body),
      });
      const text = await res.text();
      return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
    }
    return api(svc.url)(method, url, { as, body: r.body });
  };

  if (r.expect === 'public') {
    it('answers without a token', async () => {
      expect((await call(null)).status).toBe(200);
    });
    return;
  }
  it('refuses a caller without a token (401)', async () => {
    expect((await call(null)).status).toBe(401);
  });
  const expected = r.expect;
  it.each(Object.keys(ROLES) as Who[])('as %s', async (who) => {
    const res = await call(ROLES[who]);
    expect({ who, status: res.status }).toEqual({ who, status: expected[who] });
    if (res.status === 403) {
      expect(res.body).toMatchObject({ status: 403, requiredRoles: expect.arrayContaining(['admin']) });
      expect(res.body.detail).toMatch(/role/);
    }
  });
});

it('Slack obeys the same roles: a claim from an agent of another team or from ops becomes ticket.command_rejected (403, with why); the ticket is unchanged', async () => {
  const id = await freshTicket();
  for (const agentId of ['noa', 'emre']) {
    const cmd = makeEnvelope('ticket.claim', { ticketId: id, agentId, via: 'slack' as const, responseUrl: `https://hooks.slack.com/actions/T/${agentId}/x` }, 'notification') as TicketCommand;
    await bus.publish(Topic.TicketCommands, id, cmd);
    const rejected = await bus.waitForEvent((e) => e.type === 'ticket.command_rejected' && (e.data as { commandId?: string }).commandId === cmd.eventId, `rejection of ${agentId}'s claim`);
    expect(rejected.data).toMatchObject({
      statusCode: 403, responseUrl: `https://hooks.slack.com/actions/T/${agentId}/x`, actor: { id: agentId },
      // said in the reader's language by notification (SPEC §14)
      reasonCode: agentId === 'noa' ? 'forbidden_team' : 'forbidden_role',
    });
    expect((rejected.data as { reason: string }).reason).toMatch(agentId === 'noa' ? /team cx/ : /needs the role agent, lead or admin \(yours is ops\)/);
  }
  const ok = makeEnvelope('ticket.claim', { ticketId: id, agentId: 'ayse', via: 'slack' as const }, 'notification') as TicketCommand;
  await bus.publish(Topic.TicketCommands, id, ok);
  await bus.waitForEvent((e) => e.type === 'ticket.claimed' && (e.data as { ticket: { id: string } }).ticket.id === id, 'Ayşe\'s claim');
  expect((await api(svc.url)('GET', `/v1/tickets/${id}`)).body.ticket).toMatchObject({ status: 'claimed', assignee: { id: 'ayse' }, version: 2 });
});
