import { randomUUID } from 'node:crypto';
import { isInQuietHours } from '@closeloop/contracts';
import { signTwilioCallback } from '@closeloop/testing';
import { quietHoursEnd } from '../src/alerts/quiet-hours';
import type { DeliveryRow } from '../src/persistence/notification.repository';
import { routingYaml, ticketEvent } from './fixtures';
import { startHarness, TWILIO_TOKEN, until, type NotificationHarness } from './harness';

const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
/** The cx team is in quiet hours for the whole run (UTC, from an hour ago to 90 minutes ahead). */
const quiet = { start: hhmm(new Date(Date.now() - 3_600_000)), end: hhmm(new Date(Date.now() + 5_400_000)), timezone: 'UTC' };

describe('notification: SMS through Twilio, status callbacks, quiet hours — with Slack unconfigured (log channel)', () => {
  let h: NotificationHarness;

  beforeAll(async () => {
    h = await startHarness('sms', { routing: routingYaml({ cxQuietHours: quiet }), env: { SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '' } });
  });
  afterAll(() => h?.close());

  const settled = (ticketId: string, atLeast = 1): Promise<DeliveryRow[]> =>
    until(async () => {
      const rows = await h.deliveries(ticketId);
      return rows.length >= atLeast && rows.every((r) => !['pending', 'retrying', 'sending'].includes(r.status)) ? rows : undefined;
    }, `deliveries of ${ticketId} settled`);
  const smsTo = (ticketId: string) => h.twilio.requests.filter((r) => r.Body?.includes(ticketId));
  const smsRows = async (ticketId: string) => (await h.deliveries(ticketId)).filter((r) => r.purpose === 'sms');

  it('Slack unset: the alert, its update and thread reply go to the log channel; Slack is never called', async () => {
    expect(isInQuietHours(quiet, new Date())).toBe(true);
    const id = randomUUID();
    await h.publish(
      ticketEvent('ticket.opened', { ticket: { id, team: 'support', touchpoint: 'checkout' } }),
      ticketEvent('ticket.claimed', { actor: { kind: 'agent', id: 'noa', name: 'Noa Levi' }, ticket: { id, team: 'support', touchpoint: 'checkout', status: 'claimed', assigneeName: 'Noa Levi', version: 2 } }),
    );
    const rows = await settled(id, 3);
    expect(rows.map((r) => [r.purpose, r.channel, r.recipient, r.status, r.provider])).toEqual(
      expect.arrayContaining([
        ['alert', 'log', '#support', 'sent', 'log'],
        ['thread_reply', 'log', '#support', 'sent', 'log'],
      ]),
    );
    expect(rows.find((r) => r.purpose === 'update')?.status).toMatch(/^(sent|skipped)$/);
    const [alert] = await h.ds.query(`SELECT * FROM "${h.schema}".alert_message WHERE ticket_id = $1`, [id]);
    expect(alert).toMatchObject({ channel: '#support', provider: 'log', ts: expect.stringMatching(/^\d+\.\d{6}$/) });
    expect(h.slack.requests).toEqual([]);
    // without a signing secret nothing from "Slack" is trusted
    expect((await h.postInteraction({ type: 'block_actions' })).status).toBe(401);
  });

  it('Twilio 21610 (recipient unsubscribed) → failed and not retried: Twilio sees exactly one request', async () => {
    const id = randomUUID();
    h.twilio.script({ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    await h.publish(ticketEvent('ticket.opened', { ticket: { id, team: 'support', touchpoint: 'checkout', severity: 'critical' } }));
    await settled(id, 2);
    await h.quiet(); // nothing left to do: a retry would have happened by now
    expect(smsTo(id)).toHaveLength(1);
    const [row] = await smsRows(id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1, last_error_code: '21610', recipient: '+972501234567' });
    const events = await h.deliveryEvents(id, 2);
    expect(events.find((e) => e.data.purpose === 'sms')?.data).toMatchObject({ status: 'failed', errorCode: '21610', recipient: '+97250***4567', attempts: 1 });
  });

  it('a signed status callback is recorded (monotonically) and published; a late "sent" does not move it back', async () => {
    const id = randomUUID();
    await h.publish(ticketEvent('ticket.opened', { ticket: { id, team: 'support', touchpoint: 'checkout', severity: 'critical' } }));
    await settled(id, 2);
    const [row] = await smsRows(id);
    expect(row).toMatchObject({ status: 'sent', provider: 'twilio', provider_status: 'queued', provider_id: expect.stringMatching(/^SM[0-9a-f]{32}$/) });
    expect(smsTo(id)[0].StatusCallback).toBe(`${h.baseUrl}/twilio/status`);

    expect(await h.twilio.deliverStatus(row.provider_id as string, 'delivered')).toMatchObject({ status: 200 });
    expect(await h.twilio.deliverStatus(row.provider_id as string, 'sent')).toMatchObject({ status: 200 });
    const [after] = await smsRows(id);
    expect(after).toMatchObject({ status: 'delivered', provider_status: 'delivered' });
    const events = (await h.deliveryEvents(id, 3)).filter((e) => e.data.purpose === 'sms');
    expect(events.map((e) => e.data.status)).toEqual(['sent', 'delivered']);
    expect(events[1].data).toMatchObject({ providerId: row.provider_id, recipient: '+97250***4567' });
  });

  it('an "undelivered" callback with ErrorCode marks the SMS failed with that code', async () => {
    const id = randomUUID();
    await h.publish(ticketEvent('ticket.opened', { ticket: { id, team: 'support', touchpoint: 'checkout', severity: 'critical' } }));
    await settled(id, 2);
    const [row] = await smsRows(id);
    expect(await h.twilio.deliverStatus(row.provider_id as string, 'undelivered', { ErrorCode: '30003' })).toMatchObject({ status: 200 });
    const [after] = await smsRows(id);
    expect(after).toMatchObject({ status: 'failed', provider_status: 'undelivered', last_error_code: '30003', last_error: 'Twilio reported undelivered (error 30003)' });
    const events = (await h.deliveryEvents(id, 3)).filter((e) => e.data.purpose === 'sms');
    expect(events.map((e) => [e.data.status, e.data.errorCode])).toEqual([
      ['sent', undefined],
      ['failed', '30003'],
    ]);
  });

  it('a callback with a bad signature → 403 and nothing changes', async () => {
    const id = randomUUID();
    await h.publish(ticketEvent('ticket.opened', { ticket: { id, team: 'support', touchpoint: 'checkout', severity: 'critical' } }));
    await settled(id, 2);
    const [row] = await smsRows(id);
    const params = { MessageSid: row.provider_id as string, MessageStatus: 'delivered', AccountSid: 'AC0123456789abcdef0123456789abcdef' };
    const post = (signature: string, url = `${h.baseUrl}/twilio/status`) =>
      fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature }, body: new URLSearchParams(params).toString() });

    expect((await post('bm90LWEtc2lnbmF0dXJl')).status).toBe(403);
    expect((await post(signTwilioCallback('another-token', `${h.baseUrl}/twilio/status`, params))).status).toBe(403);
    // signed for another URL than the StatusCallback we gave Twilio
    expect((await post(signTwilioCallback(TWILIO_TOKEN, 'https://elsewhere.example/twilio/status', params))).status).toBe(403);
    expect((await fetch(`${h.baseUrl}/twilio/status`, { method: 'POST', body: new URLSearchParams(params) })).status).toBe(403);
    const [after] = await smsRows(id);
    expect(after).toMatchObject({ status: 'sent', provider_status: 'queued' });
    // the same callback, correctly signed, is accepted
    expect((await post(signTwilioCallback(TWILIO_TOKEN, `${h.baseUrl}/twilio/status`, params))).status).toBe(200);
    expect((await smsRows(id))[0]).toMatchObject({ status: 'delivered' });
  });

  it('quiet hours hold a non-critical SMS (SLA breach) until they end; a critical one goes out at once', async () => {
    const id = randomUUID();
    const before = Date.now();
    await h.publish(ticketEvent('ticket.sla_breached', { breach: 'firstResponse', ticket: { id } }));
    const held = await until(async () => {
      const rows = await smsRows(id);
      return rows.length === 2 && rows.every((r) => r.status === 'held') ? rows : undefined;
    }, 'two held SMS');
    const end = quietHoursEnd(quiet, new Date(before)).getTime();
    for (const r of held) expect(Math.abs(r.next_attempt_at.getTime() - end)).toBeLessThan(120_000);
    expect(smsTo(id)).toEqual([]);
    const heldEvents = await until(async () => {
      const sms = (await h.deliveryEvents(id, 1)).filter((e) => e.data.purpose === 'sms');
      return sms.length >= 2 ? sms : undefined;
    }, 'held events of both SMS');
    expect(heldEvents.map((e) => [e.data.status, e.data.recipient]).sort()).toEqual([
      ['held', '+90555***2233'],
      ['held', '+90555***2244'],
    ]);

    const critical = randomUUID();
    await h.publish(ticketEvent('ticket.opened', { ticket: { id: critical, severity: 'critical' } }));
    await settled(critical, 3);
    expect(smsTo(critical).map((r) => r.To).sort()).toEqual(['+905551112233', '+905551112244']);
    expect(smsTo(id)).toEqual([]);

    // the quiet hours end (their end time is unit-tested in quiet-hours.spec.ts): the held SMS go out
    await h.ds.query(`UPDATE "${h.schema}".delivery SET next_attempt_at = now() WHERE ticket_id = $1 AND status = 'held'`, [id]);
    await until(async () => ((await smsRows(id)).every((r) => r.status === 'sent') ? true : undefined), 'held SMS sent');
    expect(smsTo(id).map((r) => r.To).sort()).toEqual(['+905551112233', '+905551112244']);
    expect(smsTo(id)[0].Body).toMatch(/^Closeloop SLA breach, nobody responded \(normal\): NPS 3\/10 at dine-in/);
    const events = await until(async () => {
      const sms = (await h.deliveryEvents(id, 1)).filter((e) => e.data.purpose === 'sms');
      return sms.length >= 4 ? sms : undefined;
    }, 'held and sent events of both SMS');
    expect(events.map((e) => e.data.status).sort()).toEqual(['held', 'held', 'sent', 'sent']);
  });
});
