import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Topic } from '@closeloop/contracts';
import { waitFor } from '@closeloop/testing';
import { DigestService } from '../src/digest/digest.service';
import { TrendService } from '../src/trends/trend.service';
import { DEMO_ROUTING, RunningTickets, ScoredInput, TestBus, api, dropSchema, migrate, scoredEvent, startApp, testEnvironment, ticketIdFor } from './harness';

// the demo routing file with the SPEC's trends section (checkout → team support; web → team cx, the default)
const dir = mkdtempSync(join(tmpdir(), 'trends-'));
const routingPath = join(dir, 'closeloop.yaml');
writeFileSync(routingPath, `${readFileSync(DEMO_ROUTING, 'utf8')}\ntrends: { window: PT1H, minNegatives: 5, factor: 3, by: [touchpoint, attributes.store] }\ndigest: { at: "09:00", timezone: "Europe/Istanbul" }\n`);

const { cfg: baseCfg, kafka, schema } = testEnvironment('trends', { routingPath });
// passes run here with the time they are given; the scheduler's own would use the wall clock
const cfg = { ...baseCfg, trendCheckIntervalMs: 3_600_000 };
const bus = new TestBus(kafka);
let ds: DataSource;
let one: RunningTickets;
let two: RunningTickets;

const NOW = new Date();
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

async function negative(i: ScoredInput): Promise<string> {
  await bus.publish(Topic.FeedbackScored, i.customerId, scoredEvent(i));
  const id = ticketIdFor(i.externalId);
  await bus.waitForEvent((e) => e.type === 'ticket.opened' && e.data.ticket.id === id, `ticket.opened ${i.externalId}`);
  return id;
}
const trends = async () => ds.query(`SELECT id, "group", status, count, peak, ticket_ids FROM "${schema}".trend ORDER BY opened_at`);

beforeAll(async () => {
  ds = await migrate(cfg);
  [one, two] = await Promise.all([startApp(cfg), startApp(cfg)]);
  await bus.start();
});

afterAll(async () => {
  await bus.stop();
  await Promise.all([one?.app.close(), two?.app.close()]);
  await dropSchema(ds, schema);
});

describe('trend alerts (SPEC §12)', () => {
  it('a spike opens one trend across two instances, updates it as it grows, ends it; the same negatives spread over the week open none', async () => {
    // web: five negatives, one now and four spread over the previous 7 days
    for (const [n, minutesAgo] of [[0, 5], [1, 1 * 1440], [2, 2 * 1440], [3, 4 * 1440], [4, 6 * 1440]]) {
      await negative({ externalId: `spread-${n}`, customerId: `c-spread-${n}`, touchpoint: 'web', team: 'cx', respondedAt: ago(minutesAgo) });
    }
    // checkout: five negatives in the last hour, nothing before
    const spike: string[] = [];
    for (let n = 0; n < 5; n++) spike.push(await negative({ externalId: `spike-${n}`, customerId: `c-spike-${n}`, touchpoint: 'checkout', respondedAt: ago(30 - n) }));

    // two instances pass at once: one trend
    const [a, b] = await Promise.all([one.app.get(TrendService).pass(NOW), two.app.get(TrendService).pass(NOW)]);
    expect(a.opened + b.opened).toBe(1);
    const [opened] = await trends();
    expect(await trends()).toHaveLength(1);
    expect(opened).toMatchObject({ group: { touchpoint: 'checkout', 'attributes.store': 'istanbul-1' }, status: 'open', count: 5, peak: 5 });
    expect(opened.ticket_ids).toEqual(spike);

    // nothing new: nothing said
    expect(await one.app.get(TrendService).pass(later(1))).toEqual({ opened: 0, updated: 0, ended: 0 });

    // it grows
    for (let n = 5; n < 7; n++) spike.push(await negative({ externalId: `spike-${n}`, customerId: `c-spike-${n}`, touchpoint: 'checkout', respondedAt: ago(20 - n) }));
    expect(await two.app.get(TrendService).pass(later(2))).toEqual({ opened: 0, updated: 1, ended: 0 });
    expect((await trends())[0]).toMatchObject({ id: opened.id, status: 'open', count: 7, peak: 7, ticket_ids: spike });

    // an hour later the window is empty: the trend ends
    expect(await one.app.get(TrendService).pass(later(90))).toEqual({ opened: 0, updated: 0, ended: 1 });

    await waitFor(() => bus.trendEvents.length >= 3, { what: 'three trend events' });
    await bus.quiet(ds, schema);
    expect(bus.trendEvents.map((e) => [e.type, e.data.trendId, e.data.version, e.data.count, e.data.ticketIds.length])).toEqual([
      ['trend.opened', opened.id, 1, 5, 5],
      ['trend.updated', opened.id, 2, 7, 7],
      ['trend.ended', opened.id, 3, 7, 7],
    ]);
    expect(bus.trendEvents[0].data).toMatchObject({ team: 'support', window: 'PT1H', baseline: 0 });

    // the console's list
    const call = api(one.url, 'dewi');
    const ended = await call('GET', '/v1/trends?status=ended');
    expect(ended.status).toBe(200);
    expect(ended.body.items.map((t: { id: string; ticketIds: string[] }) => [t.id, t.ticketIds.length])).toEqual([[opened.id, 7]]);
    expect((await call('GET', '/v1/trends?status=open')).body.items).toEqual([]);
    expect((await call('GET', '/v1/trends?status=maybe')).status).toBe(400);

    // the alert's "open all in the console" link lists the trend's tickets
    const listed = await call('GET', `/v1/tickets?ids=${spike.join(',')}&limit=200`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((t: { id: string }) => t.id).sort()).toEqual([...spike].sort());
    expect((await call('GET', '/v1/tickets?ids=not-a-ticket')).status).toBe(400);
  });

  it('the daily digest: once per team with leads and local day across two instances, with yesterday\'s numbers', async () => {
    // a ticket opened yesterday (Istanbul) for team support: 2026-11-30 10:00 local
    const id = await negative({ externalId: 'digest-1', customerId: 'c-digest-1', touchpoint: 'checkout' });
    await ds.query(`UPDATE "${schema}".ticket SET opened_at = $2 WHERE id = $1`, [id, '2026-11-30T07:00:00.000Z']);
    const nineFive = new Date('2026-12-01T06:05:00.000Z'); // 09:05 in Istanbul
    const [a, b] = await Promise.all([one.app.get(DigestService).pass(nineFive), two.app.get(DigestService).pass(nineFive)]);
    // the demo routing file: mehmet leads cx, budi delivery, wei support
    expect([...a, ...b].sort()).toEqual(['cx', 'delivery', 'support']);
    expect(await one.app.get(DigestService).pass(new Date('2026-12-01T09:00:00.000Z'))).toEqual([]);
    // before 09:00 on Dec 1 it is Nov 30's digest, long past: nothing
    expect(await two.app.get(DigestService).pass(new Date('2026-12-01T05:00:00.000Z'))).toEqual([]);

    // (the instances' own schedulers run on the wall clock: only the digests of the day passed here count)
    const ofTheDay = () => bus.digests.filter((e) => e.data.day === '2026-11-30');
    await waitFor(() => ofTheDay().length >= 3, { what: 'three digests' });
    await bus.quiet(ds, schema);
    expect(ofTheDay()).toHaveLength(3);
    const support = ofTheDay().find((e) => e.data.team === 'support');
    expect(support?.data).toMatchObject({
      day: '2026-11-30', from: '2026-11-29T21:00:00.000Z', to: '2026-11-30T21:00:00.000Z', leads: [{ agentId: 'wei', slackUserId: 'U0WEI' }],
      opened: 1, resolved: 0, breached: 0,
    });
  });
});
