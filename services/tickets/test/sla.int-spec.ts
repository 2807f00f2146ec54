import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Topic } from '@closeloop/contracts';
import { waitFor } from '@closeloop/testing';
import { SlaScheduler } from '../src/tickets/sla.scheduler';
import { RunningTickets, TestBus, api, dropSchema, migrate, scoredEvent, startApp, testEnvironment, ticketIdFor } from './harness';

// A routing file with second-long SLAs: first response within 2 s, resolution within 4 s.
const dir = mkdtempSync(join(tmpdir(), 'closeloop-sla-'));
const routingPath = join(dir, 'closeloop.yaml');
writeFileSync(routingPath, `
defaults:
  team: cx
  alertAt: { nps: 6, csat: 2, ces: 3 }
teams:
  - id: cx
    onCall: []
    sla: { firstResponse: PT2S, resolve: PT4S }
  - id: slow
    onCall: []
    sla: { firstResponse: PT10M, resolve: PT20M }
touchpoints:
  - { id: kiosk, team: slow }
agents:
  - { id: ayse, name: "Ayşe Yılmaz", team: cx }
  - { id: mehmet, name: "Mehmet Demir", team: cx }
  - { id: noa, name: "Noa Levi", team: cx }
rootCauses: [other]
`);

const { cfg, kafka, schema } = testEnvironment('sla', { routingPath, slaCheckIntervalMs: 150 });
const bus = new TestBus(kafka);
let ds: DataSource;
let a: RunningTickets | undefined;
let b: RunningTickets | undefined;
const running = (x: RunningTickets | undefined): RunningTickets => {
  if (!x) throw new Error('instance not running');
  return x;
};

/** Completed SLA passes of each running instance (counted around the scheduler's own tick). */
const passes = new Map<SlaScheduler, number>();
function countPasses(x: RunningTickets): RunningTickets {
  const scheduler = x.app.get(SlaScheduler);
  const tick = scheduler.tick.bind(scheduler);
  passes.set(scheduler, 0);
  scheduler.tick = async (now?: Date) => {
    const fired = await tick(now);
    passes.set(scheduler, (passes.get(scheduler) ?? 0) + 1);
    return fired;
  };
  return x;
}
/** Waits until every running instance has completed `n` more passes, and everything they wrote was relayed. */
async function afterPasses(n: number): Promise<void> {
  const start = new Map(passes);
  await waitFor(() => [...start].every(([s, k]) => (passes.get(s) ?? 0) >= k + n), { what: `${n} more SLA passes of each instance` });
  await bus.quiet(ds, schema);
}

const breachEvents = (ticketId: string) =>
  bus.eventsOf(ticketId, 'ticket.sla_breached').map((e) => e.data.breach).sort();

async function open(externalId: string, customerId: string, touchpoint = 'dine-in'): Promise<string> {
  await bus.publish(Topic.FeedbackScored, customerId, scoredEvent({ externalId, customerId, team: touchpoint === 'kiosk' ? 'slow' : 'cx', touchpoint }));
  const id = ticketIdFor(externalId);
  await bus.waitForEvent((e) => e.type === 'ticket.opened' && e.data.ticket.id === id, `ticket.opened ${externalId}`);
  return id;
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

describe('SLA breaches with two instances running', () => {
  it('each breach fires once per ticket and kind; claimed and resolved tickets do not breach what they met', async () => {
    const call = api(running(a).url);
    // claimed and resolved right after opening (well within the 2 s), through different instances
    const claimed = await open('sla-claimed', 'c-sla-2');
    expect((await call('POST', `/v1/tickets/${claimed}/claim`, { as: 'ayse' })).status).toBe(200);
    const resolved = await open('sla-resolved', 'c-sla-3');
    expect((await api(running(b).url)('POST', `/v1/tickets/${resolved}/resolve`, { as: 'noa', body: { rootCause: 'other' } })).status).toBe(200);
    const ignored = await open('sla-ignored', 'c-sla-1');

    await waitFor(() => breachEvents(ignored).length === 2 && breachEvents(claimed).length === 1, { what: 'breaches', timeoutMs: 15_000 });
    await afterPasses(2); // both pollers kept running: nothing may fire twice

    expect(breachEvents(ignored)).toEqual(['firstResponse', 'resolve']);
    expect(breachEvents(claimed)).toEqual(['resolve']);
    expect(breachEvents(resolved)).toEqual([]);

    const [first] = bus.eventsOf(ignored, 'ticket.sla_breached').filter((e) => e.data.breach === 'firstResponse');
    expect(first.data.actor).toEqual({ kind: 'system', id: 'tickets' });
    expect(first.data.ticket.status).toBe('open');
    const versions = bus.eventsOf(ignored).map((e) => e.data.ticket.version);
    expect(versions).toEqual([1, 2, 3]); // opened, then one new version per breach

    const detail = (await call('GET', `/v1/tickets/${ignored}`)).body;
    expect(detail.ticket.firstResponseBreachedAt).not.toBeNull();
    expect(detail.ticket.resolveBreachedAt).not.toBeNull();
    expect(detail.timeline.map((e: any) => e.type)).toEqual(['ticket.opened', 'ticket.sla_breached', 'ticket.sla_breached']);
    expect(detail.timeline[1].summary).toMatch(/^First-response SLA breached: not claimed by /);
  });

  it('many due tickets checked by both instances at the same moment: every breach exactly once', async () => {
    // team "slow" (10 min / 20 min): the background pollers leave these alone; three checks "25 minutes from
    // now", two on one instance and one on the other, race for the same 24 breaches
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => open(`sla-race-${i}`, `c-race-${i}`, 'kiosk')));
    const later = new Date(Date.now() + 25 * 60_000);
    const [sa, sb] = [running(a).app.get(SlaScheduler), running(b).app.get(SlaScheduler)];
    const fired = await Promise.all([sa.tick(later), sb.tick(later), sa.tick(later)]);
    expect(fired.reduce((x, y) => x + y, 0)).toBe(24);
    await waitFor(() => ids.every((id) => breachEvents(id).length === 2), { what: '24 breaches', timeoutMs: 15_000 });
    await bus.quiet(ds, schema);
    for (const id of ids) expect(breachEvents(id)).toEqual(['firstResponse', 'resolve']);
    const rows = await ds.query(`SELECT count(*)::int AS n FROM "${schema}".ticket WHERE id = ANY($1::uuid[]) AND first_response_breached_at IS NOT NULL AND resolve_breached_at IS NOT NULL AND version = 3`, [ids]);
    expect(rows[0].n).toBe(12);
  });

  it('a breach that falls due while no instance runs fires after the restart (the state is the table)', async () => {
    const id = await open('sla-restart', 'c-restart', 'kiosk');
    await Promise.all([running(a).app.close(), running(b).app.close()]);
    a = b = undefined;
    passes.clear();
    // the downtime outlasts the SLA: move the deadlines into the past instead of waiting 20 minutes
    await ds.query(`UPDATE "${schema}".ticket SET first_response_due = now() - interval '5 minutes', resolve_due = now() - interval '1 minute' WHERE id = $1`, [id]);
    await bus.quiet(ds, schema); // with no instance running, nothing fires
    expect(breachEvents(id)).toEqual([]);
    a = countPasses(await startApp(cfg));
    await waitFor(() => breachEvents(id).length === 2, { what: 'breaches after the restart', timeoutMs: 15_000 });
    expect(breachEvents(id)).toEqual(['firstResponse', 'resolve']);
  });
});
