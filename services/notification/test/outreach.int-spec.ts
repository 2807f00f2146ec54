import { randomUUID } from 'node:crypto';
import type { TicketEventData } from '@closeloop/contracts';
import { signTwilioCallback } from '@closeloop/testing';
import { TWILIO_INBOUND_SMS } from '../src/outreach/fixtures/twilio-inbound-sms';
import type { DeliveryRow } from '../src/persistence/notification.repository';
import { ticketEvent } from './fixtures';
import { TWILIO_TOKEN, startHarness, until, type NotificationHarness } from './harness';

const TURKISH = "Merhaba Deniz, ben Lezzet & Co.'dan Ayşe Yılmaz. Yaşadığınız olumsuz deneyim için çok üzgünüz. Telafi etmek isteriz; bu mesajı yanıtlamanız yeterli. (Ref: t)";
const PHONE = '+905551234567';

/** `ticket.customer_message_requested` as tickets publishes it (SPEC §11). */
const messageEvent = (ticketId: string, body: string, phone = PHONE) =>
  ticketEvent('ticket.customer_message_requested', {
    actor: { kind: 'agent', id: 'ayse', name: 'Ayşe Yılmaz' },
    message: { id: randomUUID(), channel: 'sms', body, template: 'apology', locale: 'tr', recipient: { customerId: 'c-42', phone } },
    ticket: { id: ticketId },
  } as Partial<TicketEventData>);

describe('notification: messages to customers (customer_sms)', () => {
  let h: NotificationHarness;

  beforeAll(async () => {
    h = await startHarness('outreach');
  });
  afterAll(() => h?.close());

  const customerSms = async (ticketId: string): Promise<DeliveryRow[]> => (await h.deliveries(ticketId)).filter((r) => r.purpose === 'customer_sms');
  const settled = (ticketId: string, atLeast: number): Promise<DeliveryRow[]> =>
    until(async () => {
      const rows = await h.deliveries(ticketId);
      return rows.length >= atLeast && rows.every((r) => !['pending', 'retrying', 'sending'].includes(r.status)) ? rows : undefined;
    }, `deliveries of ${ticketId} settled`);
  const textsTo = (phone: string) => h.twilio.requests.filter((r) => r.method === 'POST' && r.To === phone);
  const alertTs = async (ticketId: string) => (await h.ds.query(`SELECT ts FROM "${h.schema}".alert_message WHERE ticket_id = $1`, [ticketId]))[0]?.ts as string;

  it('texts the customer the rendered (Turkish) text exactly once, replies in the alert thread, and publishes the statuses', async () => {
    const id = randomUUID();
    await h.publish(ticketEvent('ticket.opened', { ticket: { id } }));
    await settled(id, 1);
    const ev = messageEvent(id, TURKISH);
    await h.publish(ev, ev); // redelivered: the inbox and the delivery's derived id make it one SMS
    const rows = await settled(id, 3);
    await h.quiet();

    expect(textsTo(PHONE).map((r) => r.Body)).toEqual([TURKISH]);
    expect(textsTo(PHONE)[0].StatusCallback).toBe(`${h.baseUrl}/twilio/status`);
    const [sms] = rows.filter((r) => r.purpose === 'customer_sms');
    expect(sms).toMatchObject({ channel: 'sms', recipient: PHONE, status: 'sent', attempts: 1, provider: 'twilio', ticket_event_id: ev.eventId });

    const ts = await alertTs(id);
    expect(h.slack.calls('chat.postMessage').filter((r) => r.form.thread_ts === ts).map((r) => r.form.text)).toEqual([`💬 *Ayşe Yılmaz* texted the customer:\n>${TURKISH.replace(/&/g, '&amp;')}`]);

    expect(await h.twilio.deliverStatus(sms.provider_id as string, 'delivered')).toMatchObject({ status: 200 });
    const events = await until(async () => {
      const mine = (await h.deliveryEvents(id, 1)).filter((e) => e.data.purpose === 'customer_sms');
      return mine.length >= 2 ? mine : undefined;
    }, 'sent and delivered of the customer SMS');
    expect(events.map((e) => [e.data.status, e.data.recipient, e.data.channel, e.data.ticketEventId])).toEqual([
      ['sent', '+90555***4567', 'sms', ev.eventId],
      ['delivered', '+90555***4567', 'sms', ev.eventId],
    ]);
    expect(JSON.stringify(events)).not.toContain(PHONE);
  });

  it('emails the customer once through SMTP with an unsubscribe link (footer, List-Unsubscribe, one-click); GET only asks, POST opts out once', async () => {
    const id = randomUUID();
    await h.publish(ticketEvent('ticket.opened', { ticket: { id } }));
    await settled(id, 1);
    const messageId = randomUUID();
    const ev = ticketEvent('ticket.customer_message_requested', {
      actor: { kind: 'agent', id: 'ayse', name: 'Ayşe Yılmaz' },
      message: { id: messageId, channel: 'email', subject: 'Özür dileriz', body: 'Merhaba Deniz,\nyaşadıklarınız için özür dileriz.', template: 'apology', locale: 'tr', recipient: { customerId: 'c-42', email: 'deniz.yilmaz@example.com' } },
      ticket: { id },
    } as Partial<TicketEventData>);
    await h.publish(ev, ev);
    const rows = await settled(id, 3);
    await h.quiet();

    const mails = h.smtp.messages.filter((m) => m.messageId === `<message.${messageId}@closeloop.test>`);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ rcptTo: ['deniz.yilmaz@example.com'], subject: 'Özür dileriz' });
    const url = /Bizden e-posta almak istemiyorsanız: (\S+)/.exec(mails[0].text)?.[1] as string;
    expect(url).toMatch(new RegExp(`^${h.baseUrl}/u/[A-Za-z0-9_-]{43}$`));
    expect(mails[0].headers['list-unsubscribe']).toBe(`<${url}>`);
    expect(mails[0].headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(rows.find((r) => r.purpose === 'customer_email')).toMatchObject({ channel: 'email', status: 'sent', attempts: 1, provider: 'smtp' });
    const ts = await alertTs(id);
    expect(h.slack.calls('chat.postMessage').filter((r) => r.form.thread_ts === ts).map((r) => r.form.text)).toEqual(['✉️ *Ayşe Yılmaz* emailed the customer: *Özür dileriz*']);
    const [sent] = (await h.deliveryEvents(id, 1)).filter((e) => e.data.purpose === 'customer_email');
    expect(sent.data).toMatchObject({ status: 'sent', recipient: 'd***@example.com' });

    const optOuts = async () => (await h.commands(0)).filter((c) => (c.event.type as string) === 'ticket.customer_opt_out' && c.event.data.ticketId === id);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<button type="submit" name="List-Unsubscribe" value="One-Click">Abonelikten çık</button>');
    await h.quiet();
    expect(await optOuts()).toEqual([]); // a link scanner opening the URL unsubscribes nobody

    // RFC 8058 one-click, as a mail client sends it; then a second click
    for (let i = 0; i < 2; i++) {
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('artık bizden e-posta almayacaksınız');
    }
    await h.quiet();
    expect((await optOuts()).map((c) => c.event.data)).toEqual([expect.objectContaining({ ticketId: id, channel: 'email', reason: 'unsubscribe_link' })]);
    expect((await fetch(`${h.baseUrl}/u/${'A'.repeat(43)}`, { method: 'POST' })).status).toBe(404);
  });

  it('Twilio 21610 (the number unsubscribed) → failed for good, sent once, and tickets is told the customer opted out', async () => {
    const id = randomUUID();
    const phone = '+905551239999';
    await h.publish(ticketEvent('ticket.opened', { ticket: { id } }));
    await settled(id, 1);
    h.twilio.script({ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    await h.publish(messageEvent(id, 'Merhaba Deniz', phone));
    await settled(id, 3);
    await h.quiet(); // a retry would have happened by now
    expect(textsTo(phone)).toHaveLength(1);
    const [sms] = await customerSms(id);
    expect(sms).toMatchObject({ status: 'failed', attempts: 1, last_error_code: '21610' });

    // the harness types what it collects as claim/resolve commands; consent commands share the topic
    const commands = (await h.commands(1)).filter((c) => (c.event.type as string) === 'ticket.customer_opt_out' && c.event.data.ticketId === id);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({ key: id, event: { producer: 'notification', data: { ticketId: id, channel: 'sms', reason: 'provider_unsubscribed', deliveryId: sms.id } } });
    const failed = (await h.deliveryEvents(id, 1)).filter((e) => e.data.purpose === 'customer_sms');
    expect(failed.map((e) => [e.data.status, e.data.errorCode])).toEqual([['failed', '21610']]);
  });

  it('another permanent error (21211 bad number) fails the SMS without an opt-out', async () => {
    const id = randomUUID();
    const phone = '+905551238888';
    await h.publish(ticketEvent('ticket.opened', { ticket: { id } }));
    await settled(id, 1);
    h.twilio.script({ status: 400, code: 21211, message: `The 'To' number ${phone} is not a valid phone number.` });
    await h.publish(messageEvent(id, 'Merhaba', phone));
    await settled(id, 3);
    await h.quiet();
    expect((await customerSms(id))[0]).toMatchObject({ status: 'failed', last_error_code: '21211', last_error: expect.stringContaining("number +90555***8888 is not") });
    const failed = (await h.deliveryEvents(id, 1)).filter((e) => e.data.purpose === 'customer_sms');
    expect(JSON.stringify(failed)).not.toContain(phone);
    expect((await h.commands(0)).filter((c) => c.event.data.ticketId === id)).toEqual([]);
  });

  describe('POST /twilio/inbound (replies from customers)', () => {
    const inbound = (params: Record<string, string>, signature?: string) => {
      const url = `${h.baseUrl}/twilio/inbound`;
      return fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', 'X-Twilio-Signature': signature ?? signTwilioCallback(TWILIO_TOKEN, url, params) },
        body: new URLSearchParams(params).toString(),
      });
    };
    const sid = () => `SM${randomUUID().replace(/-/g, '')}`;
    const commandsFor = async (ticketId: string, n: number) =>
      until(async () => {
        const mine = (await h.commands(0)).filter((c) => c.event.data.ticketId === ticketId);
        return mine.length >= n ? mine.map((c) => c.event as unknown as { type: string; eventId: string; data: Record<string, unknown> }) : undefined;
      }, `${n} command(s) for ${ticketId}`);

    it('a reply joins the ticket last texted to that number (command to tickets + thread reply), once even if Twilio retries; STOP opts out', async () => {
      const id = randomUUID();
      const phone = '+905551237777';
      await h.publish(ticketEvent('ticket.opened', { ticket: { id } }));
      await settled(id, 1);
      await h.publish(messageEvent(id, 'Merhaba Deniz', phone));
      await settled(id, 3);
      const ts = await alertTs(id);

      const reply = { ...TWILIO_INBOUND_SMS, MessageSid: sid(), From: phone, Body: 'Teşekkürler, iade <geldi>' };
      const res = await inbound(reply);
      expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([200, expect.stringContaining('text/xml'), '<?xml version="1.0" encoding="UTF-8"?><Response/>']);
      expect((await inbound(reply)).status).toBe(200); // Twilio retried the webhook
      const [replied] = await commandsFor(id, 1);
      expect(replied).toMatchObject({ type: 'ticket.customer_replied', data: { ticketId: id, channel: 'sms', body: 'Teşekkürler, iade <geldi>', providerId: reply.MessageSid } });

      expect((await inbound({ ...reply, MessageSid: sid(), Body: '  stop ' })).status).toBe(200);
      const commands = await commandsFor(id, 2);
      expect(commands[1]).toMatchObject({ type: 'ticket.customer_opt_out', data: { ticketId: id, channel: 'sms', reason: 'stop_reply' } });
      await settled(id, 5);
      await h.quiet();
      expect((await h.commands(0)).filter((c) => c.event.data.ticketId === id)).toHaveLength(2);
      expect(h.slack.calls('chat.postMessage').filter((r) => r.form.thread_ts === ts).map((r) => r.form.text)).toEqual([
        '💬 *Ayşe Yılmaz* texted the customer:\n>Merhaba Deniz',
        '📩 The customer replied:\n>Teşekkürler, iade &lt;geldi&gt;',
        '🚫 The customer replied STOP: no more SMS will be sent to them',
      ]);
    });

    it('a bad signature is 403 and changes nothing; a number never texted is answered and only logged', async () => {
      const before = (await h.commands(0)).length;
      const forged = { ...TWILIO_INBOUND_SMS, MessageSid: sid(), From: PHONE, Body: 'STOP' };
      expect((await inbound(forged, 'bm90LWEtc2lnbmF0dXJl')).status).toBe(403);
      expect((await inbound(forged, signTwilioCallback('another-token', `${h.baseUrl}/twilio/inbound`, forged))).status).toBe(403);
      expect((await inbound({ ...TWILIO_INBOUND_SMS, MessageSid: sid(), From: '+905559990000', Body: 'who is this?' })).status).toBe(200);
      expect((await inbound({ Body: 'no sid' })).status).toBe(400);
      await h.quiet();
      expect((await h.commands(0)).length).toBe(before);
    });
  });
});
