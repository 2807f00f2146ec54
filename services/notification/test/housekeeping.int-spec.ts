import { randomUUID } from 'node:crypto';
import { Inbox } from '@closeloop/messaging';
import { testLogger } from '@closeloop/testing';
import { Housekeeping } from '../src/housekeeping';
import { NotificationRepository, type DeliveryRow } from '../src/persistence/notification.repository';
import { ticketEvent } from './fixtures';
import { startHarness, until, type NotificationHarness } from './harness';

/** Retention pruning on real Postgres: what goes, what must stay, and two instances pruning at once. */
describe('notification: retention (inbox, deliveries, snapshots, Slack commands)', () => {
  let h: NotificationHarness;

  beforeAll(async () => {
    h = await startHarness('housekeep');
  });
  afterAll(() => h?.close());

  const s = () => `"${h.schema}"`;
  const settled = (ticketId: string, atLeast: number): Promise<DeliveryRow[]> =>
    until(async () => {
      const rows = await h.deliveries(ticketId);
      return rows.length >= atLeast && rows.every((r) => !['pending', 'retrying', 'sending'].includes(r.status)) ? rows : undefined;
    }, `deliveries of ${ticketId} settled`);
  /** Makes a ticket's rows look `days` old (and its events `inboxDays` old in the inbox). */
  const age = async (ticketId: string, eventIds: string[], days: number, inboxDays: number) => {
    await h.ds.query(`UPDATE ${s()}.delivery SET updated_at = now() - $2::float8 * interval '1 day' WHERE ticket_id = $1`, [ticketId, days]);
    await h.ds.query(`UPDATE ${s()}.ticket_snapshot SET updated_at = now() - $2::float8 * interval '1 day' WHERE ticket_id = $1`, [ticketId, days]);
    await h.ds.query(`UPDATE ${s()}.inbox SET processed_at = now() - $2::float8 * interval '1 day' WHERE event_id = ANY($1::uuid[])`, [eventIds, inboxDays]);
  };
  const count = async (table: string, where: string, params: unknown[]) => Number((await h.ds.query(`SELECT count(*) AS n FROM ${s()}.${table} WHERE ${where}`, params))[0].n);

  it('deletes what is past retention in small batches, from two instances at once, and keeps what is still needed', async () => {
    // done: posted long ago, nothing left to send
    const done = randomUUID();
    const doneOpened = ticketEvent('ticket.opened', { ticket: { id: done } });
    // waiting: critical (alert + 2 SMS), old, but one SMS is still to be retried
    const waiting = randomUUID();
    const waitingOpened = ticketEvent('ticket.opened', { ticket: { id: waiting, severity: 'critical' } });
    // recent: nothing of it may go
    const recent = randomUUID();
    await h.publish(doneOpened, waitingOpened, ticketEvent('ticket.opened', { ticket: { id: recent } }));
    await settled(done, 1);
    const waitingRows = await settled(waiting, 3);
    await settled(recent, 1);
    await h.quiet();
    const stillRetrying = waitingRows.find((r) => r.purpose === 'sms') as DeliveryRow;
    await h.ds.query(`UPDATE ${s()}.delivery SET status = 'retrying', next_attempt_at = now() + interval '1 day' WHERE id = $1`, [stillRetrying.id]);
    await age(done, [doneOpened.eventId], 31, 15);
    await age(waiting, [waitingOpened.eventId], 31, 15);
    await h.ds.query(
      `INSERT INTO ${s()}.slack_command (command_id, type, ticket_id, agent_id, slack_user_id, created_at)
       VALUES ($1, 'ticket.claim', $3, 'ayse', 'U0AYSE', now() - interval '31 days'), ($2, 'ticket.claim', $3, 'ayse', 'U0AYSE', now())`,
      [randomUUID(), randomUUID(), recent],
    );

    // two instances, batches of 2: each batch skips what the other holds, so together they delete each row once
    const other = new Housekeeping(h.ds, new Inbox(h.schema), new NotificationRepository(h.schema), h.cfg, testLogger);
    const [a, b] = await Promise.all([h.app.get(Housekeeping).run({ batchSize: 2 }), other.run({ batchSize: 2 })]);
    const sum = (k: keyof typeof a) => a[k] + b[k];
    expect({ inbox: sum('inbox'), deliveries: sum('deliveries'), snapshots: sum('snapshots'), slackCommands: sum('slackCommands') }).toEqual({
      inbox: 2,
      deliveries: 3, // done's alert, waiting's alert and one of its SMS
      snapshots: 1, // done's; waiting still has an SMS to send
      slackCommands: 1,
    });

    expect(await h.deliveries(done)).toEqual([]);
    expect((await h.deliveries(waiting)).map((r) => r.id)).toEqual([stillRetrying.id]);
    expect(await h.deliveries(recent)).toHaveLength(1);
    expect(await count('ticket_snapshot', 'ticket_id = ANY($1)', [[done, waiting, recent]])).toBe(2);
    expect(await count('inbox', 'event_id = ANY($1::uuid[])', [[doneOpened.eventId, waitingOpened.eventId]])).toBe(0);
    expect(await count('slack_command', 'ticket_id = $1', [recent])).toBe(1);
    // the alert rows stay: they are what keeps a ticket to one Slack message for good
    expect(await count('alert_message', 'ticket_id = ANY($1)', [[done, waiting, recent]])).toBe(3);

    // a pass with nothing old left deletes nothing
    expect(await h.app.get(Housekeeping).run()).toEqual({ inbox: 0, deliveries: 0, snapshots: 0, slackCommands: 0 });
    // leave nothing queued behind for the next test
    await h.ds.query(`UPDATE ${s()}.delivery SET status = 'failed' WHERE id = $1`, [stillRetrying.id]);
  });

  it('a ticket whose alert failed long ago and was pruned: later changes fail (alert_failed), they do not wait forever', async () => {
    const id = randomUUID();
    h.slack.script('chat.postMessage', { ok: false, error: 'channel_not_found' });
    const opened = ticketEvent('ticket.opened', { ticket: { id } });
    await h.publish(opened);
    expect((await settled(id, 1))[0]).toMatchObject({ status: 'failed', last_error_code: 'channel_not_found' });
    await age(id, [opened.eventId], 31, 15);
    await h.app.get(Housekeeping).run();
    expect(await h.deliveries(id)).toEqual([]);

    await h.publish(ticketEvent('ticket.claimed', { ticket: { id, status: 'claimed', assigneeName: 'Ayşe Yılmaz', version: 2 } }));
    const rows = await settled(id, 2);
    expect(rows.map((r) => [r.purpose, r.status, r.last_error_code]).sort()).toEqual([
      ['thread_reply', 'failed', 'alert_failed'],
      ['update', 'failed', 'alert_failed'],
    ]);
  });

  it('a pruned ticket that changes again updates its one Slack message in place', async () => {
    const id = randomUUID();
    const opened = ticketEvent('ticket.opened', { ticket: { id } });
    await h.publish(opened);
    const [alert] = await settled(id, 1);
    await age(id, [opened.eventId], 31, 15);
    await h.app.get(Housekeeping).run();
    expect(await h.deliveries(id)).toEqual([]);

    await h.publish(ticketEvent('ticket.claimed', { actor: { kind: 'agent', id: 'ayse', name: 'Ayşe Yılmaz' }, ticket: { id, status: 'claimed', assigneeId: 'ayse', assigneeName: 'Ayşe Yılmaz', version: 2 } }));
    const rows = await settled(id, 2);
    await h.quiet();
    expect(rows.map((r) => [r.purpose, r.status]).sort()).toEqual([['thread_reply', 'sent'], ['update', 'sent']]);
    expect(h.slack.calls('chat.postMessage').filter((r) => !r.form.thread_ts && r.form.metadata?.event_payload?.ticket_id === id)).toHaveLength(1);
    expect(h.slack.calls('chat.update').filter((r) => r.form.ts === alert.provider_id)).toHaveLength(1);
  });
});
