import { DataSource } from 'typeorm';
import { Topic } from '@closeloop/contracts';
import { waitFor } from '@closeloop/testing';
import { RunningTickets, ScoredInput, TestBus, api, dropSchema, migrate, scoredEvent, startApp, testEnvironment, ticketIdFor } from './harness';

const { cfg, kafka, schema } = testEnvironment('reports');
const bus = new TestBus(kafka);
let ds: DataSource;
let svc: RunningTickets;
let call: ReturnType<typeof api>;

const OCT2 = '2026-10-02T00:00:00.000Z';
const plus = (minutes: number) => new Date(Date.parse(OCT2) + minutes * 60_000).toISOString();

async function open(i: ScoredInput): Promise<string> {
  await bus.publish(Topic.FeedbackScored, i.customerId, scoredEvent(i));
  const id = ticketIdFor(i.externalId);
  await bus.waitForEvent((e) => e.type === 'ticket.opened' && e.data.ticket.id === id, `ticket.opened ${i.externalId}`);
  return id;
}

/** Pins the times of a ticket made through the real flow, so the expected numbers are exact. */
async function pin(id: string, t: { opened: string; claimed?: string; resolved?: string; firstResponseBreached?: string; resolveBreached?: string }) {
  await ds.query(
    `UPDATE "${schema}".ticket SET opened_at = $2, claimed_at = $3, resolved_at = $4, first_response_breached_at = $5, resolve_breached_at = $6 WHERE id = $1`,
    [id, t.opened, t.claimed ?? null, t.resolved ?? null, t.firstResponseBreached ?? null, t.resolveBreached ?? null],
  );
}

beforeAll(async () => {
  ds = await migrate(cfg);
  svc = await startApp(cfg);
  call = api(svc.url, 'dewi'); // reports: lead or admin (SPEC §12)
  await bus.start();

  // five tickets opened in October (checkout and web both belong to team support in the demo routing file)
  const t1 = await open({ externalId: 'r-1', customerId: 'c-r1', touchpoint: 'checkout', respondedAt: OCT2 });
  const t2 = await open({ externalId: 'r-2', customerId: 'c-r2', touchpoint: 'checkout', severity: 'high', respondedAt: OCT2 });
  const t3 = await open({ externalId: 'r-3', customerId: 'c-r3', touchpoint: 'web', severity: 'critical', score: 1, respondedAt: OCT2 });
  const t4 = await open({ externalId: 'r-4', customerId: 'c-r4', touchpoint: 'checkout', respondedAt: OCT2 });
  const t5 = await open({ externalId: 'r-5', customerId: 'c-r5', touchpoint: 'checkout', respondedAt: OCT2 });
  // and one in September, outside the window
  const t0 = await open({ externalId: 'r-0', customerId: 'c-r0', touchpoint: 'web', respondedAt: '2026-09-15T00:00:00.000Z' });

  for (const id of [t2, t3, t4]) expect((await call('POST', `/v1/tickets/${id}/claim`)).status).toBe(200);
  expect((await call('POST', `/v1/tickets/${t3}/resolve`, { body: { rootCause: 'billing' } })).status).toBe(200);
  expect((await call('POST', `/v1/tickets/${t4}/resolve`, { body: { rootCause: 'wait-time' } })).status).toBe(200);
  expect((await call('POST', `/v1/tickets/${t5}/resolve`, { body: { rootCause: 'billing' } })).status).toBe(200);
  expect((await call('POST', `/v1/tickets/${t0}/resolve`, { body: { rootCause: 'other' } })).status).toBe(200);

  await pin(t1, { opened: OCT2 });
  await pin(t2, { opened: OCT2, claimed: plus(10), resolveBreached: plus(3 * 24 * 60) });
  await pin(t3, { opened: OCT2, claimed: plus(20), resolved: plus(60) });
  await pin(t4, { opened: OCT2, claimed: plus(40), resolved: plus(180) });
  await pin(t5, { opened: OCT2, claimed: plus(300), resolved: plus(300), firstResponseBreached: plus(120) });
  await pin(t0, { opened: '2026-09-15T00:00:00.000Z', claimed: '2026-09-15T01:00:00.000Z', resolved: '2026-09-15T02:00:00.000Z' });

  // after the resolutions: c-r3 is happy again, c-r4 is not (that one opens a new ticket, in November); someone else is happy
  const later: ScoredInput[] = [
    { externalId: 'r-3-again', customerId: 'c-r3', touchpoint: 'web', score: 9, negative: false, respondedAt: '2026-10-05T00:00:00.000Z' },
    { externalId: 'r-4-again', customerId: 'c-r4', touchpoint: 'checkout', score: 2, respondedAt: '2026-10-06T00:00:00.000Z' },
    { externalId: 'r-extra', customerId: 'c-extra', touchpoint: 'web', score: 10, negative: false, respondedAt: '2026-10-07T00:00:00.000Z' },
  ];
  for (const i of later) await bus.publish(Topic.FeedbackScored, i.customerId, scoredEvent(i));
  await waitFor(async () => (await ds.query(`SELECT count(*)::int AS n FROM "${schema}".feedback_seen`))[0].n === 9, { what: '9 scored feedbacks recorded' });
});

afterAll(async () => {
  await bus.stop();
  await svc?.app.close();
  await dropSchema(ds, schema);
});

describe('GET /v1/reports/summary', () => {
  it('reports October exactly', async () => {
    const res = await call('GET', '/v1/reports/summary?from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z');
    expect(res.status).toBe(200);
    const min = 60_000;
    expect(res.body).toEqual({
      from: '2026-10-01T00:00:00.000Z',
      to: '2026-11-01T00:00:00.000Z',
      tickets: {
        total: 5,
        byStatus: { open: 1, claimed: 1, resolved: 3 },
        bySeverity: { normal: 3, high: 1, critical: 1 },
        byTouchpoint: { checkout: 4, web: 1 },
        byTeam: { support: 5 },
      },
      // claims after 10, 20, 40, 300 min; resolutions after 60, 180, 300 min (linear-interpolated quantiles)
      timeToClaim: { count: 4, medianMs: 30 * min, p90Ms: 222 * min },
      timeToResolve: { count: 3, medianMs: 180 * min, p90Ms: 276 * min },
      sla: { breachedTickets: 2, breachRate: 0.4, firstResponseBreaches: 1, resolveBreaches: 1 },
      rootCauses: { billing: 2, delivery: 0, other: 0, 'product-quality': 0, 'staff-behaviour': 0, 'wait-time': 1 },
      // resolved: t3, t4, t5; c-r3 and c-r4 scored again; only c-r3 not negatively
      recovery: { resolvedTickets: 3, rescored: 2, recovered: 1, rate: 0.5 },
      nps: {
        byTouchpoint: {
          checkout: { responses: 5, promoters: 0, passives: 0, detractors: 5, nps: -100 },
          web: { responses: 3, promoters: 2, passives: 0, detractors: 1, nps: 33.3 },
        },
      },
      teams: [{
        team: 'support', tickets: 5, unresolved: 2, open: 1, claimed: 1, resolved: 3, breached: 2, breachRate: 0.4,
        timeToClaim: { count: 4, medianMs: 30 * min, p90Ms: 222 * min }, timeToResolve: { count: 3, medianMs: 180 * min, p90Ms: 276 * min },
        recovery: { rescored: 2, recovered: 1, rate: 0.5 },
      }],
    });
  });

  it('September holds the one older ticket; the default window is the last 30 days', async () => {
    const sept = await call('GET', '/v1/reports/summary?from=2026-09-01&to=2026-10-01');
    expect(sept.body.tickets.total).toBe(1);
    expect(sept.body.timeToResolve).toEqual({ count: 1, medianMs: 7_200_000, p90Ms: 7_200_000 });
    const recent = await call('GET', '/v1/reports/summary');
    expect(recent.status).toBe(200);
    expect(Date.parse(recent.body.to) - Date.parse(recent.body.from)).toBe(30 * 86_400_000);
    expect(recent.body.tickets.total).toBeGreaterThanOrEqual(1); // at least the ticket c-r4 opened again, today
  });

  it('bad windows are 400 naming the field; no token is 401', async () => {
    const bad = await call('GET', '/v1/reports/summary?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'from', message: 'must be an ISO-8601 date or date-time' }]);
    const reversed = await call('GET', '/v1/reports/summary?from=2026-11-01&to=2026-10-01');
    expect(reversed.body.errors).toEqual([{ field: 'from', message: 'must be before to' }]);
    expect((await call('GET', '/v1/reports/summary', { as: null })).status).toBe(401);
  });

  it('a lead reads their own team\'s numbers (SPEC §12): wei (support) the same as the admin, mehmet (cx) none of them; another team is 403', async () => {
    const october = 'from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z';
    const all = (await call('GET', `/v1/reports/summary?${october}`)).body;
    const support = await call('GET', `/v1/reports/summary?${october}`, { as: 'wei' });
    expect(support.status).toBe(200);
    expect(support.body).toEqual(all); // every ticket of this file is team support's
    expect((await call('GET', `/v1/reports/summary?${october}&team=support`)).body).toEqual(all); // the admin, narrowed
    const cx = await call('GET', `/v1/reports/summary?${october}`, { as: 'mehmet' });
    expect([cx.status, cx.body.tickets.total, cx.body.nps.byTouchpoint]).toEqual([200, 0, {}]);
    expect((await call('GET', `/v1/reports/summary?${october}&team=cx`)).body.tickets.total).toBe(0);
    const other = await call('GET', `/v1/reports/summary?${october}&team=support`, { as: 'mehmet' });
    expect([other.status, other.body.requiredRoles]).toEqual([403, ['admin']]);
    const unknown = await call('GET', `/v1/reports/summary?${october}&team=nope`);
    expect([unknown.status, unknown.body.errors[0].field]).toEqual([400, 'team']);
  });
});

describe('GET /v1/reports/timeseries', () => {
  it('October per day, per week and per time-to-claim bucket', async () => {
    const res = await call('GET', '/v1/reports/timeseries?from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z');
    expect(res.status).toBe(200);
    expect(res.body.days).toHaveLength(31);
    expect(res.body.days.filter((d: { opened: number; resolved: number }) => d.opened || d.resolved)).toEqual([{ day: '2026-10-02', opened: 5, resolved: 3 }]);
    expect(res.body.totals).toEqual({ opened: 5, resolved: 3 });
    // 2 October 2026 is a Friday (its week starts on Monday 28 September); 5 October a Monday
    expect(res.body.npsByWeek).toEqual([
      { week: '2026-09-28', touchpoint: 'checkout', promoters: 0, passives: 0, detractors: 4, responses: 4, nps: -100 },
      { week: '2026-10-05', touchpoint: 'checkout', promoters: 0, passives: 0, detractors: 1, responses: 1, nps: -100 },
      { week: '2026-09-28', touchpoint: 'web', promoters: 0, passives: 0, detractors: 1, responses: 1, nps: -100 },
      { week: '2026-10-05', touchpoint: 'web', promoters: 2, passives: 0, detractors: 0, responses: 2, nps: 100 },
    ]);
    // claims after 10, 20, 40 and 300 minutes
    expect(res.body.timeToClaim.map((b: { tickets: number }) => b.tickets)).toEqual([0, 1, 1, 1, 0, 1, 0]);
    expect(res.body.timeToClaim[1]).toEqual({ fromMs: 5 * 60_000, toMs: 15 * 60_000, tickets: 1 });
  });

  it('of one team; the same window and team rules as the summary (a lead gets their own team\'s)', async () => {
    const october = 'from=2026-10-01&to=2026-11-01';
    const support = await call('GET', `/v1/reports/timeseries?${october}&team=support`);
    expect(support.body).toMatchObject({ team: 'support', totals: { opened: 5, resolved: 3 } });
    const cx = await call('GET', `/v1/reports/timeseries?${october}&team=cx`);
    expect(cx.body).toMatchObject({ team: 'cx', totals: { opened: 0, resolved: 0 }, npsByWeek: [] });
    const lead = await call('GET', `/v1/reports/timeseries?${october}`, { as: 'mehmet' });
    expect([lead.status, lead.body.team, lead.body.totals]).toEqual([200, 'cx', { opened: 0, resolved: 0 }]);
    expect((await call('GET', `/v1/reports/timeseries?${october}`, { as: 'wei' })).body).toMatchObject({ team: 'support', totals: { opened: 5, resolved: 3 } });
    expect((await call('GET', `/v1/reports/timeseries?${october}&team=support`, { as: 'mehmet' })).status).toBe(403);
    const unknown = await call('GET', `/v1/reports/timeseries?${october}&team=nope`);
    expect([unknown.status, unknown.body.errors[0].field]).toEqual([400, 'team']);
    const reversed = await call('GET', '/v1/reports/timeseries?from=2026-11-01&to=2026-10-01');
    expect(reversed.status).toBe(400);
    expect((await call('GET', '/v1/reports/timeseries', { as: null })).status).toBe(401);
  });
});
