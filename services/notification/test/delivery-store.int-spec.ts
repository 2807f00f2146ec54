import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@closeloop/platform';
import { testInfra, uniqueName } from '@closeloop/testing';
import type { PlannedDelivery } from '../src/alerts/alert-planner';
import { migrationsFor } from '../src/persistence/migrations';
import { NotificationRepository, type ClaimedDelivery } from '../src/persistence/notification.repository';
import { snapshot } from './fixtures';

/**
 * The parts of the delivery worker that must hold with two instances, on real Postgres: two "instances" here are
 * two connection pools claiming from the same schema at the same time.
 */
describe('notification store: safe with two instances (real Postgres)', () => {
  const schema = uniqueName('notif_store');
  const options = { url: testInfra().databaseUrl, schema, entities: [], migrations: migrationsFor(schema), poolSize: 4 };
  const repo = new NotificationRepository(schema);
  let a: DataSource;
  let b: DataSource;

  beforeAll(async () => {
    await runMigrations(options);
    a = await createDataSource(options).initialize();
    b = await createDataSource(options).initialize();
  });
  afterAll(async () => {
    await a?.query(`DROP SCHEMA "${schema}" CASCADE`);
    await a?.destroy();
    await b?.destroy();
  });

  const sms = (to: string): PlannedDelivery => ({ channel: 'sms', recipient: to, purpose: 'sms', status: 'pending', notBefore: new Date(Date.now() - 1_000), critical: true, payload: { kind: 'sms', body: 'x' } });

  async function seed(n: number): Promise<string> {
    const ticket = snapshot({ id: randomUUID() });
    await repo.insertDeliveries(a, randomUUID(), 'ticket.opened', ticket, Array.from({ length: n }, (_, i) => sms(`+9055500${String(i).padStart(5, '0')}`)));
    return ticket.id;
  }

  it('two workers claiming at the same time never get the same delivery', async () => {
    const ticketId = await seed(30);
    const claimed: ClaimedDelivery[] = [];
    const worker = async (ds: DataSource) => {
      for (;;) {
        const batch = await repo.claimDue(ds, 4, 60_000, randomUUID());
        if (!batch.length) return;
        claimed.push(...batch.filter((d) => d.ticket_id === ticketId));
      }
    };
    await Promise.all([worker(a), worker(b), worker(a), worker(b)]);
    expect(claimed).toHaveLength(30);
    expect(new Set(claimed.map((d) => d.id)).size).toBe(30);
    expect(claimed.every((d) => d.status === 'sending' && d.previous_status === 'pending')).toBe(true);
  });

  it("a worker's busy recipients are not claimed again until it is done with them", async () => {
    const ticketId = await seed(3);
    const busy = '+905550000001';
    const claimed = (await repo.claimDue(a, 100, 60_000, randomUUID(), [`sms:${busy}`])).filter((d) => d.ticket_id === ticketId);
    expect(claimed.map((d) => d.recipient).sort()).toEqual(['+905550000000', '+905550000002']);
    const rest = (await repo.claimDue(a, 100, 60_000, randomUUID())).filter((d) => d.ticket_id === ticketId);
    expect(rest.map((d) => d.recipient)).toEqual([busy]);
  });

  it('a claim whose lease ran out is taken over, marked as maybe delivered, and the old worker can no longer record its result', async () => {
    await seed(1);
    const [first] = await repo.claimDue(a, 1, 1, randomUUID());
    await new Promise((r) => setTimeout(r, 30));
    const [second] = await repo.claimDue(b, 1, 60_000, randomUUID());
    expect(second).toMatchObject({ id: first.id, previous_status: 'sending', maybe_delivered: true });
    expect(await repo.finish(a, first, { status: 'sent', attempted: true, providerId: 'SM-late' })).toBeUndefined();
    expect(await repo.finish(b, second, { status: 'sent', attempted: true, providerId: 'SM-1' })).toMatchObject({ status: 'sent', attempts: 1, provider_id: 'SM-1' });
  });

  it('the per-channel slot is taken by exactly one instance per interval', async () => {
    const channel = `C${randomUUID().slice(0, 8)}`;
    // an interval no loaded machine stretches ten queries past: exactly one of them can take it
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => repo.takeChannelSlot(i % 2 ? a : b, channel, 5_000)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    // every refusal names the same next slot, one interval after the one taken (database clock); how long each still
    // has to wait depends on when it ran, which a loaded machine stretches, so only its bounds are fixed
    const refused = results.filter((x) => !x.ok) as { waitMs: number; at: Date }[];
    expect(new Set(refused.map((r) => r.at.getTime())).size).toBe(1);
    for (const r of refused) expect(r.waitMs > 0 && r.waitMs <= 5_000).toBe(true);
    // once its interval has passed, a slot is free again
    const short = `C${randomUUID().slice(0, 8)}`;
    expect(await repo.takeChannelSlot(a, short, 400)).toEqual({ ok: true });
    await new Promise((r) => setTimeout(r, 450));
    expect(await repo.takeChannelSlot(b, short, 400)).toEqual({ ok: true });
    // a 429 pushes the slot out for every instance
    await repo.pushChannelSlot(a, short, 60_000);
    const pushed = await repo.takeChannelSlot(b, short, 400);
    expect(pushed).toEqual({ ok: false, waitMs: expect.any(Number), at: expect.any(Date) });
    expect((pushed as { waitMs: number }).waitMs).toBeGreaterThan(30_000); // far past the 400 ms interval, however slow the machine
  });

  it('records an outcome and marks it published in one statement, saying what was published before', async () => {
    const ticketId = await seed(1);
    // other tests leave due rows behind: take everything, keep this ticket's
    const claimOne = async (): Promise<ClaimedDelivery> => {
      const mine = (await repo.claimDue(a, 1_000, 60_000, randomUUID())).find((x) => x.ticket_id === ticketId);
      if (!mine) throw new Error('the delivery was not claimed');
      return mine;
    };
    const d = await claimOne();
    const retrying = await repo.finish(a, d, { status: 'retrying', attempted: true, delayMs: 0, error: 'timeout' });
    expect(retrying).toMatchObject({ status: 'retrying', published_status: 'retrying', previous_published_status: null, attempts: 1 });
    const again = await claimOne();
    expect(again.id).toBe(d.id);
    expect(await repo.finish(a, again, { status: 'retrying', attempted: true, delayMs: 0 })).toMatchObject({ published_status: 'retrying', previous_published_status: 'retrying' });
    const third = await claimOne();
    // an internal outcome is never published: the last published status stays
    expect(await repo.finish(a, third, { status: 'skipped', attempted: false })).toMatchObject({ status: 'skipped', published_status: 'retrying', previous_published_status: 'retrying' });
  });

  describe('Slack channel slots in the claim', () => {
    const INTERVAL = 400;
    const past = () => new Date(Date.now() - 1_000);
    const post = (channel: string, purpose: 'alert' | 'thread_reply' | 'update' = 'alert'): PlannedDelivery => ({
      channel: 'slack', recipient: channel, purpose, status: 'pending', notBefore: past(), critical: false,
      payload: purpose === 'thread_reply' ? { kind: 'thread_reply', text: 'x' } : { kind: purpose },
    });
    /** One delivery per ticket event, in this order (`created_at` is each insert's clock). */
    const plan = async (...planned: PlannedDelivery[]): Promise<string[]> => {
      const ids: string[] = [];
      for (const d of planned) {
        const [row] = await repo.insertDeliveries(a, randomUUID(), 'ticket.opened', snapshot({ id: randomUUID() }), [d]);
        ids.push(row.id);
      }
      return ids;
    };
    const channelName = () => `C${randomUUID().slice(0, 8).toUpperCase()}`;
    const rows = async (ids: string[]) =>
      new Map<string, { status: string; attempts: number; paced_at: Date | null }>(
        (await a.query(`SELECT id, status, attempts, paced_at FROM "${schema}".delivery WHERE id = ANY($1::uuid[])`, [ids])).map((r: { id: string }) => [r.id, r]),
      );
    const mine = (claimed: ClaimedDelivery[], ids: string[]) => claimed.filter((d) => ids.includes(d.id));

    it("claims a channel's oldest post with its slot, leaves the others pending until the slot frees, and takes no SMS slot", async () => {
      const [one, two] = [channelName(), channelName()];
      const ids = await plan(post(one), post(one), post(two), post(one), sms('+905559990001'), post(two));
      const first = mine(await repo.claimDue(a, 100, 60_000, randomUUID(), [], INTERVAL), ids);
      // the oldest post of each channel, with the slot (paced_at set by the database); the SMS as always
      expect(first.map((d) => d.id).sort()).toEqual([ids[0], ids[2], ids[4]].sort());
      expect(first.filter((d) => d.slot_taken).map((d) => d.id).sort()).toEqual([ids[0], ids[2]].sort());
      expect(first.every((d) => (d.slot_taken ? d.paced_at instanceof Date : d.paced_at === null))).toBe(true);
      // the slot is what any instance's takeChannelSlot sees
      expect(await repo.takeChannelSlot(b, one, INTERVAL)).toMatchObject({ ok: false });

      // while the slots are taken, nothing more of those channels is claimed, and the rest is not touched at all
      expect(mine(await repo.claimDue(b, 100, 60_000, randomUUID(), [], INTERVAL), ids)).toEqual([]);
      const waiting = await rows([ids[1], ids[3], ids[5]]);
      expect([...waiting.values()].every((r) => r.status === 'pending' && r.attempts === 0 && r.paced_at === null)).toBe(true);

      // once an interval has passed, the next post of each channel, in order
      await new Promise((r) => setTimeout(r, INTERVAL + 50));
      const next = mine(await repo.claimDue(b, 100, 60_000, randomUUID(), [], INTERVAL), ids);
      expect(next.map((d) => d.id).sort()).toEqual([ids[1], ids[5]].sort());
      expect(next.every((d) => d.slot_taken)).toBe(true);
      const paced = await rows([ids[0], ids[1]]);
      const slotOf = (id: string) => paced.get(id)?.paced_at?.getTime() ?? NaN;
      expect(slotOf(ids[1]) - slotOf(ids[0])).toBeGreaterThanOrEqual(INTERVAL);
    });

    it('two instances claiming at once: one post per channel between them, each with the slot', async () => {
      const channels = [channelName(), channelName(), channelName()];
      const ids = await plan(...channels.flatMap((c) => [post(c), post(c), post(c, 'thread_reply')]));
      const claimed = (await Promise.all([a, b, a, b].map((ds) => repo.claimDue(ds, 2, 60_000, randomUUID(), [], 5_000)))).flatMap((c) => mine(c, ids));
      expect(claimed.map((d) => d.recipient).sort()).toEqual([...channels].sort());
      expect(claimed.every((d) => d.slot_taken && d.purpose === 'alert')).toBe(true);
    });

    it('a post behind an update of the same channel in its queue takes its slot only right before posting', async () => {
      const channel = channelName();
      const [update, alert] = await plan(post(channel, 'update'), post(channel));
      const claimed = mine(await repo.claimDue(a, 100, 60_000, randomUUID(), [], INTERVAL), [update, alert]);
      expect(claimed.map((d) => [d.id, d.slot_taken, d.paced_at])).toEqual(expect.arrayContaining([[update, false, null], [alert, false, null]]));
      expect(claimed).toHaveLength(2);
      expect(await repo.takeChannelSlot(b, channel, INTERVAL, alert)).toEqual({ ok: true });
    });

    it('a busy queue is left alone; without pacing (interval 0) every due post is claimed and no slot is taken', async () => {
      const [busy, free] = [channelName(), channelName()];
      const ids = await plan(post(busy), post(free), post(free));
      const claimed = mine(await repo.claimDue(a, 100, 60_000, randomUUID(), [`slack:${busy}`], 0), ids);
      expect(claimed.map((d) => d.id).sort()).toEqual([ids[1], ids[2]].sort());
      expect(claimed.some((d) => d.slot_taken || d.paced_at)).toBe(false);
      expect((await a.query(`SELECT 1 FROM "${schema}".slack_channel_rate WHERE channel = $1`, [free])).length).toBe(0);
    });
  });

  it('one alert message per (ticket, channel); snapshots only move forward', async () => {
    const ticket = snapshot({ id: randomUUID(), version: 3, status: 'claimed' });
    expect(await repo.createAlertMessage(a, ticket.id, 'C0CX', 'slack', randomUUID())).toBe(true);
    expect(await repo.createAlertMessage(b, ticket.id, 'C0CX', 'slack', randomUUID())).toBe(false);
    await repo.saveSnapshot(a, ticket);
    await repo.saveSnapshot(b, { ...ticket, version: 2, status: 'open' });
    expect(await repo.latestSnapshot(a, ticket.id)).toMatchObject({ version: 3, status: 'claimed' });
  });

  it('only one instance at a time may chat.update a message', async () => {
    const ticketId = randomUUID();
    await repo.createAlertMessage(a, ticketId, 'C0CX', 'slack', randomUUID());
    const got = await Promise.all([repo.lockAlertForUpdate(a, ticketId, 'C0CX', 60_000), repo.lockAlertForUpdate(b, ticketId, 'C0CX', 60_000)]);
    expect(got.filter(Boolean)).toHaveLength(1);
    await repo.unlockAlert(a, ticketId, 'C0CX', 4);
    expect(await repo.lockAlertForUpdate(b, ticketId, 'C0CX', 60_000)).toBe(true);
    expect((await repo.alertMessage(a, ticketId, 'C0CX'))?.rendered_version).toBe(4);
  });
});
