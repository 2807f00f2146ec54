import { randomUUID } from 'node:crypto';
import type { DeliveryRow } from '../src/persistence/notification.repository';
import { routingYaml, ticketEvent } from './fixtures';
import { startHarness, until, type NotificationHarness } from './harness';

const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
/** cx's quiet hours well away from now (UTC): the escalation SMS are sent at once. */
const notQuiet = { start: hhmm(new Date(Date.now() + 2 * 3_600_000)), end: hhmm(new Date(Date.now() + 3 * 3_600_000)), timezone: 'UTC' };
const FROM = '2026-11-23T10:00:00.000Z';

describe('notification: ticket.escalated (SPEC §12) to every kind of recipient (real Kafka, Postgres, SDKs → stubs)', () => {
  let h: NotificationHarness;

  beforeAll(async () => {
    h = await startHarness('escalation', { routing: routingYaml({ cxQuietHours: notQuiet }), env: { SLACK_CHANNEL_INTERVAL_MS: '100' } });
  });
  afterAll(() => h?.close());

  const settled = (ticketId: string, atLeast: number): Promise<DeliveryRow[]> =>
    until(async () => {
      const rows = await h.deliveries(ticketId);
      return rows.length >= atLeast && rows.every((r) => !['pending', 'retrying', 'sending'].includes(r.status)) ? rows : undefined;
    }, `deliveries of ${ticketId} settled`);

  it('step 1 texts on-call; step 2 texts the lead, emails the lead in the ticket thread and mentions the lead in the alert thread — once each, redelivered or not', async () => {
    const id = randomUUID();
    const step1 = ticketEvent('ticket.escalated', {
      actor: { kind: 'system', id: 'tickets' }, ticket: { id, version: 2 },
      escalation: { step: 1, of: 2, after: 'PT15M', from: FROM, notify: ['oncall-sms'] },
    } as never);
    const step2 = ticketEvent('ticket.escalated', {
      actor: { kind: 'system', id: 'tickets' }, ticket: { id, version: 3 },
      escalation: { step: 2, of: 2, after: 'PT45M', from: FROM, notify: ['lead-sms', 'lead-email', 'channel-mention'] },
    } as never);
    await h.publish(ticketEvent('ticket.opened', { ticket: { id } }), step1, step2, step2);
    // alert · (update + reply + 2 on-call SMS) · (update + reply + lead SMS + lead email)
    await settled(id, 9);
    await h.quiet();

    const sms = h.twilio.requests.filter((r) => String(r.Body).includes(id));
    expect(sms.map((r) => r.To).sort()).toEqual(['+905550000009', '+905551112233', '+905551112244']);
    for (const r of sms) expect(r.Body).toMatch(/^Closeloop escalation, still unclaimed \(normal\): /);

    const mails = h.smtp.messages.filter((m) => m.messageId?.includes(id));
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({
      rcptTo: ['lale@example.com'], inReplyTo: `<ticket.${id}@closeloop.test>`, messageId: `<ticket.${id}.${step2.eventId}@closeloop.test>`,
      subject: `Re: [Closeloop] dine-in · ticket ${id.slice(0, 8)} (cx)`,
    });
    expect(mails[0].text).toContain('Escalated (step 2 of 2): nobody has claimed this ticket 45 min after it opened');

    const [alert] = h.slack.calls('chat.postMessage').filter((r) => !r.form.thread_ts && r.form.metadata?.event_payload?.ticket_id === id);
    const ts = (await h.ds.query(`SELECT ts FROM "${h.schema}".alert_message WHERE ticket_id = $1`, [id]))[0].ts;
    expect(alert).toBeDefined();
    expect(h.slack.calls('chat.postMessage').filter((r) => r.form.thread_ts === ts).map((r) => r.form.text)).toEqual([
      '⏫ Escalated (step 1 of 2): nobody has claimed this ticket 15 min after it opened',
      '⏫ Escalated (step 2 of 2): nobody has claimed this ticket 45 min after it opened\n<@U0LALE> please take a look',
    ]);
    // the alert shows the newest snapshot (version 3): posted with it when the events were consumed in one batch
    // (one commit), or brought to it by chat.update; an update of a version already shown is skipped (ADR 0023)
    const [{ rendered_version }] = await h.ds.query(`SELECT rendered_version FROM "${h.schema}".alert_message WHERE ticket_id = $1`, [id]);
    expect(rendered_version).toBe(3);
  });

  it('a team with a Slack user group: channel-mention mentions the group', async () => {
    const id = randomUUID();
    const at = { id, team: 'support', touchpoint: 'checkout' };
    await h.publish(ticketEvent('ticket.opened', { ticket: at }), ticketEvent('ticket.escalated', {
      ticket: { ...at, version: 2 }, escalation: { step: 1, of: 1, after: 'PT10M', from: FROM, notify: ['channel-mention', 'oncall-sms'] },
    } as never));
    await settled(id, 4);
    const ts = (await h.ds.query(`SELECT ts FROM "${h.schema}".alert_message WHERE ticket_id = $1`, [id]))[0].ts;
    expect(h.slack.calls('chat.postMessage').filter((r) => r.form.thread_ts === ts).map((r) => r.form.text)).toEqual([
      '⏫ Escalated (step 1 of 1): nobody has claimed this ticket 10 min after it opened\n<!subteam^S0SUPPORT> please take a look',
    ]);
    expect(h.twilio.requests.filter((r) => String(r.Body).includes(id)).map((r) => r.To)).toEqual(['+972501234567']);
  });
});
