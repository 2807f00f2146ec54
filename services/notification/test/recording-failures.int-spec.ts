import { randomUUID } from 'node:crypto';
import type { DeliveryRow } from '../src/persistence/notification.repository';
import { ticketEvent } from './fixtures';
import { startHarness, until, type NotificationHarness } from './harness';

/**
 * The provider accepted a message, then recording that (the `complete()` transaction) failed. Postgres itself is
 * made to fail: a trigger refuses, once, to store `sent` for one ticket's delivery of one purpose, exactly as a
 * dropped connection or a failover would at that point. The delivery is given back; its next attempt must find
 * the message it already sent instead of sending a second one.
 */
describe('notification: a send whose result could not be recorded is reconciled, never sent twice (real Postgres, SDKs → stubs)', () => {
  let h: NotificationHarness;

  beforeAll(async () => {
    h = await startHarness('recfail');
  });
  afterAll(() => h?.close());

  const settled = (ticketId: string, atLeast: number): Promise<DeliveryRow[]> =>
    until(async () => {
      const rows = await h.deliveries(ticketId);
      return rows.length >= atLeast && rows.every((r) => !['pending', 'retrying', 'sending'].includes(r.status)) ? rows : undefined;
    }, `deliveries of ${ticketId} settled`);

  /** The next UPDATE that records `sent` for this ticket's `purpose` delivery fails (once, whichever row comes first). */
  async function failNextSentRecord(ticketId: string, purpose: string): Promise<string> {
    const tag = `fail_${randomUUID().replace(/-/g, '')}`;
    const s = `"${h.schema}"`;
    await h.ds.query(`CREATE SEQUENCE ${s}.${tag}`);
    // nextval is not rolled back with the failed transaction, so the trigger fires exactly once
    await h.ds.query(`CREATE FUNCTION ${s}.${tag}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.ticket_id = '${ticketId}' AND NEW.purpose = '${purpose}' AND NEW.status = 'sent' THEN
          IF nextval('${s}.${tag}') = 1 THEN
            RAISE EXCEPTION 'simulated: the database went away while the result was being recorded';
          END IF;
        END IF;
        RETURN NEW;
      END $$`);
    await h.ds.query(`CREATE TRIGGER ${tag} BEFORE UPDATE ON ${s}.delivery FOR EACH ROW EXECUTE FUNCTION ${s}.${tag}()`);
    return tag;
  }
  /** Whether the armed failure happened (the trigger's sequence was used). */
  const failed = async (tag: string): Promise<boolean> =>
    (await h.ds.query(`SELECT last_value FROM pg_sequences WHERE schemaname = $1 AND sequencename = $2`, [h.schema, tag]))[0]?.last_value !== null;

  it('Slack: the top-level alert was posted but not recorded → found in channel history, not posted again', async () => {
    const id = randomUUID();
    const armed = await failNextSentRecord(id, 'alert');
    const historyBefore = h.slack.calls('conversations.history').length;
    await h.publish(ticketEvent('ticket.opened', { ticket: { id } }));
    const [row] = await settled(id, 1);
    await h.quiet();
    expect(await failed(armed)).toBe(true);

    const posts = h.slack.calls('chat.postMessage').filter((r) => !r.form.thread_ts && r.form.metadata?.event_payload?.ticket_id === id);
    expect(posts).toHaveLength(1);
    const landed = h.slack.messages('C0CX').filter((m) => (m.metadata as { event_payload?: { ticket_id?: string } })?.event_payload?.ticket_id === id);
    expect(landed).toHaveLength(1);
    expect(h.slack.calls('conversations.history').length - historyBefore).toBe(1);
    expect(row).toMatchObject({ purpose: 'alert', status: 'sent', maybe_delivered: true, provider_id: landed[0].ts });
    const [alert] = await h.ds.query(`SELECT ts FROM "${h.schema}".alert_message WHERE ticket_id = $1`, [id]);
    expect(alert.ts).toBe(landed[0].ts);
  });

  it('Twilio: an SMS accepted but not recorded → found in Twilio\'s message list, not sent again', async () => {
    const id = randomUUID();
    const armed = await failNextSentRecord(id, 'sms');
    const before = h.twilio.requests.length;
    await h.publish(ticketEvent('ticket.opened', { ticket: { id, severity: 'critical', comment: 'my lawyer will call' } }));
    const rows = await settled(id, 3);
    await h.quiet();
    expect(await failed(armed)).toBe(true);

    const requests = h.twilio.requests.slice(before);
    const sends = requests.filter((r) => r.method === 'POST' && r.Body?.includes(id));
    // one SMS per on-call number, each exactly once
    expect(sends.map((r) => r.To).sort()).toEqual(['+905551112233', '+905551112244']);
    const lookups = requests.filter((r) => r.method === 'GET');
    expect(lookups).toHaveLength(1);

    const sms = rows.filter((r) => r.purpose === 'sms');
    expect(sms).toHaveLength(2);
    const sent = h.twilio.messages.filter((m) => m.body.includes(id));
    for (const r of sms) {
      expect(r.status).toBe('sent');
      expect(sent.find((m) => m.to === r.recipient)?.sid).toBe(r.provider_id);
    }
    expect(sms.filter((r) => r.maybe_delivered)).toHaveLength(1);
  });

  it('Twilio: a customer message (SPEC §11) accepted but not recorded → found in Twilio\'s message list, not texted again', async () => {
    const id = randomUUID();
    const phone = '+905551236666';
    const armed = await failNextSentRecord(id, 'customer_sms');
    const before = h.twilio.requests.length;
    await h.publish(ticketEvent('ticket.opened', { ticket: { id } }));
    await settled(id, 1);
    await h.publish(ticketEvent('ticket.customer_message_requested', {
      actor: { kind: 'agent', id: 'ayse', name: 'Ayşe Yılmaz' },
      message: { id: randomUUID(), channel: 'sms', body: `Merhaba Deniz (${id})`, locale: 'tr', recipient: { customerId: 'c-1', phone } },
      ticket: { id },
    }));
    const rows = await settled(id, 3);
    await h.quiet();
    expect(await failed(armed)).toBe(true);
    const requests = h.twilio.requests.slice(before);
    expect(requests.filter((r) => r.method === 'POST' && r.To === phone)).toHaveLength(1);
    expect(requests.filter((r) => r.method === 'GET')).toHaveLength(1);
    const [sms] = rows.filter((r) => r.purpose === 'customer_sms');
    expect(sms).toMatchObject({ status: 'sent', maybe_delivered: true, provider_id: h.twilio.messages.find((m) => m.to === phone)?.sid });
  });
});
