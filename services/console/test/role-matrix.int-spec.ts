// SPEC §12: every route the console serves × each role → the status it answers. One table of routes: a route the
// console serves that the table does not list fails the first test. The services behind the proxies are unreachable
// here, so a request the console lets through answers 502 and one it refuses 403: the console's own decision.
import { registeredRoutes } from '@closeloop/testing';
import { ADMIN_TOKEN, AGENT_TOKEN, OPS_TOKEN, OTHER_TOKEN, startTestConsole } from './console-harness';

const DOWN = 'http://127.0.0.1:9';
/** config/closeloop.yaml: ayse agent, mehmet lead, emre ops, dewi admin */
const TOKENS = { agent: AGENT_TOKEN, lead: OTHER_TOKEN, ops: OPS_TOKEN, admin: ADMIN_TOKEN } as const;
type Role = keyof typeof TOKENS;
type Expect = Record<Role, number>;
const all = (status: number): Expect => ({ agent: status, lead: status, ops: status, admin: status });
const opsOnly = (status: number): Expect => ({ agent: 403, lead: 403, ops: status, admin: status });

/** `route` as Nest registers it; `request` the call made for it (ALL routes are called with GET). */
const ROUTES: { route: string; request?: string; body?: unknown; expect: Expect | 'public' }[] = [
  { route: 'GET /health/live', expect: 'public' },
  { route: 'GET /health/ready', expect: 'public' },
  { route: 'GET /metrics', expect: 'public' },
  { route: 'GET /api/me', expect: all(200) },
  { route: 'PUT /api/me/locale', body: { locale: 'en' }, expect: all(200) },
  { route: 'GET /api/config', expect: all(200) },
  { route: 'GET /api/live', expect: all(200) },
  { route: 'ALL /api/tickets', request: 'GET /api/tickets', expect: all(502) }, // tickets judges the team
  { route: 'ALL /api/tickets/*path', request: 'POST /api/tickets/00000000-0000-4000-8000-000000000001/claim', expect: all(502) },
  { route: 'ALL /api/reports/summary', request: 'GET /api/reports/summary', expect: { agent: 403, lead: 502, ops: 403, admin: 502 } },
  { route: 'ALL /api/reports/timeseries', request: 'GET /api/reports/timeseries', expect: { agent: 403, lead: 502, ops: 403, admin: 502 } },
  { route: 'GET /api/ops/health', expect: opsOnly(200) },
  { route: 'GET /api/ops/topics', expect: opsOnly(200) },
  { route: 'GET /api/ops/lag', expect: opsOnly(200) },
  { route: 'GET /api/ops/dlq', expect: opsOnly(200) },
  { route: 'GET /api/ops/deliveries', expect: opsOnly(200) },
  { route: 'GET /api/ops/latency', expect: opsOnly(200) },
  { route: 'POST /api/ops/dlq/replay', body: { topic: 'nope' }, expect: opsOnly(400) }, // past the role check, the body is wrong
  { route: 'GET /api/sources', expect: opsOnly(502) },
  { route: 'GET /api/sources/*path', request: 'GET /api/sources/tf/stats', expect: opsOnly(502) },
  { route: 'POST /api/sources/:id/kept/:keptId/replay', request: 'POST /api/sources/tf/kept/0b6c3a52-7d5e-4c1f-9a43-2f6f1e8d9b10/replay', expect: opsOnly(502) },
];

let c: Awaited<ReturnType<typeof startTestConsole>>;
beforeAll(async () => {
  c = await startTestConsole('roles', { TICKETS_URL: DOWN, SERVICE_URLS: `tickets=${DOWN},notification=${DOWN},ingest=${DOWN},scoring=${DOWN}` });
});
afterAll(async () => {
  await c?.app.close();
});

it('the table lists exactly the routes the console serves', () => {
  expect(ROUTES.map((r) => r.route).sort()).toEqual(registeredRoutes(c.app));
});

describe.each(ROUTES.map((r) => [r.route, r] as const))('%s', (_, r) => {
  const [method, path] = (r.request ?? r.route).split(' ');
  const call = async (token: string | null) => {
    const ctrl = new AbortController();
    const res = await fetch(`${c.base}${path}`, {
      method, signal: ctrl.signal,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(r.body ? { 'content-type': 'application/json' } : {}) },
      body: r.body ? JSON.stringify(r.body) : undefined,
    });
    if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      ctrl.abort(); // a live stream answered: its status is the answer
      return { status: res.status, body: null };
    }
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
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
  it.each(Object.keys(TOKENS) as Role[])('as %s', async (role) => {
    const res = await call(TOKENS[role]);
    expect({ role, status: res.status }).toEqual({ role, status: expected[role] });
    if (res.status === 403) expect(res.body).toMatchObject({ status: 403, requiredRoles: expect.arrayContaining(['admin']), detail: expect.stringContaining(`yours is ${role}`) });
  });
});

// SPEC §14: the console's language, remembered per agent in the console's schema; the routing file's agents[].locale until then
describe('the language an agent reads the console in', () => {
  it('is the routing file\'s until the agent chooses, then the choice, per agent; an unknown one is a 400 naming the field', async () => {
    const me = async (token: string) => (await c.api('/api/me', { token })).body;
    expect((await me(OPS_TOKEN)).locale).toBe('en');
    expect(await c.api('/api/me/locale', { token: OPS_TOKEN, method: 'PUT', body: JSON.stringify({ locale: 'he' }) })).toMatchObject({ status: 200, body: { locale: 'he' } });
    expect(await c.api('/api/me/locale', { token: OPS_TOKEN, method: 'PUT', body: JSON.stringify({ locale: 'tr' }) })).toMatchObject({ status: 200 });
    expect((await me(OPS_TOKEN)).locale).toBe('tr');
    expect((await me(AGENT_TOKEN)).locale).toBe('en');

    const bad = await c.api('/api/me/locale', { token: OPS_TOKEN, method: 'PUT', body: JSON.stringify({ locale: 'fr' }) });
    expect(bad).toMatchObject({ status: 400, type: expect.stringContaining('application/problem+json'), body: { status: 400, errors: [{ field: 'locale', message: 'must be one of en, tr, zh, he, id (got "fr")' }] } });
    expect((await c.api('/api/me/locale', { token: OPS_TOKEN, method: 'PUT', body: '{}' })).status).toBe(400);
    expect((await me(OPS_TOKEN)).locale).toBe('tr');
  });
});
