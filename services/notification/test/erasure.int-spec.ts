import { randomUUID } from 'node:crypto';
import { makeEnvelope, type ErasureProgressEvent, type ErasureRequestedEvent, type TicketEventData, type TicketSnapshot } from '@closeloop/contracts';
import { signTwilioCallback, type SlackStubMessage } from '@closeloop/testing';
import { ErasureRepository } from '../src/privacy/erase-customer';
import { RedactionWorker } from '../src/privacy/redaction-worker';
import { PrivacyRetention } from '../src/privacy/retention';
import { routingYaml, ticketEvent } from './fixtures';
import { TWILIO_TOKEN, startHarness, until, type NotificationHarness } from './harness';

/** The customer to erase: every string of theirs that notification ever held. */
const AYSE = { id: 'c-ayse', name: 'Ayşe Yılmaz', phone: '+905551234567', email: 'ayse.yilmaz@example.com', comments: ['Garson çok kabaydı', '服务员很粗鲁'] };
const AYSE_STRINGS = [AYSE.name, AYSE.phone, AYSE.email, ...AYSE.comments, 'Ayşe'];
/** Another customer, whose rows must stay as they were. */
const MEHMET = { id: 'c-mehmet', name: 'Mehmet Demir', comment: 'Çorba soğuktu ama garson nazikti' };
/** The agent who acts on the tickets (the routing file's agent "Ayşe Yılmaz" stays out, her name is the customer's here). */
const LALE = { kind: 'agent' as const, id: 'lale', name: 'Lale Kaya' };

// retention (SPEC §13) in the routing file: resolved tickets a year, feedback half a year
const ROUTING = `${routingYaml()}retention:\n  resolvedTickets: P365D\n  feedback: P180D\n`;

const erasureRequested = (customerId: string, erasureId = randomUUID()): ErasureRequestedEvent =>
  makeEnvelope('customer.erasure_requested', { erasureId, customerId, requestedBy: 'admin-1', requestedAt: new Date().toISOString() }, 'tickets') as ErasureRequestedEvent;

type Ticket = Partial<TicketSnapshot> & { id: string; customerId: string };

const customerSms = (ticket: Ticket, phone: string, body: string) =>
  ticketEvent('ticket.customer_message_requested', {
    actor: LALE,
    message: { id: randomUUID(), channel: 'sms', body, template: 'apology', locale: 'tr', recipient: { customerId: ticket.customerId, phone } },
    ticket,
  } as Partial<TicketEventData>);

const customerEmail = (ticket: Ticket, email: string, subject: string, body: string) =>
  ticketEvent('ticket.customer_message_requested', {
    actor: LALE,
    message: { id: randomUUID(), channel: 'email', subject, body, template: 'apology', locale: 'tr', recipient: { customerId: ticket.customerId, email } },
    ticket,
  } as Partial<TicketEventData>);

/** What a person sees of a Slack message now: its latest text and blocks. */
const shown = (m: SlackStubMessage) => JSON.stringify({ text: m.text, blocks: m.blocks ?? null });

describe('notification: erasing a customer (SPEC §13)', () => {
  let h: NotificationHarness;

  beforeAll(async () => {
    h = await startHarness('erasure', { routing: ROUTING });
  });
  afterAll(() => h?.close());

  const progressOf = async (erasureId: string, n: number): Promise<ErasureProgressEvent[]> =>
    until(async () => {
      const mine = (await h.erasureProgress(0)).filter((e) => e.data.erasureId === erasureId);
      return mine.length >= n ? mine : undefined;
    }, `${n} progress event(s) of erasure ${erasureId}`, 30_000);
  const alertTs = async (ticketId: string): Promise<string[]> =>
    (await h.ds.query(`SELECT ts FROM "${h.schema}".alert_message WHERE ticket_id = $1 AND ts IS NOT NULL`, [ticketId])).map((r: { ts: string }) => r.ts);
  /** Every Slack message about these tickets: their alerts and every reply in the alerts' threads. */
  const messagesAbout = async (ticketIds: string[]): Promise<SlackStubMessage[]> => {
    const parents = new Set((await Promise.all(ticketIds.map(alertTs))).flat());
    return h.slack.messages().filter((m) => parents.has(m.ts) || (m.thread_ts !== undefined && parents.has(m.thread_ts)));
  };
  /** Every row of every table of the schema, as text. */
  const dump = async (): Promise<string> => {
    const tables: { table_name: string }[] = await h.ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`, [h.schema]);
    const parts: string[] = [];
    for (const { table_name } of tables) {
      const rows: { row: string }[] = await h.ds.query(`SELECT t::text AS row FROM "${h.schema}"."${table_name}" t`);
      parts.push(`${table_name}: ${rows.map((r) => r.row).join('\n')}`);
    }
    return parts.join('\n');
  };
  const inbound = (params: Record<string, string>) => {
    const url = `${h.baseUrl}/twilio/inbound`;
    return fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', 'X-Twilio-Signature': signTwilioCallback(TWILIO_TOKEN, url, params) },
      body: new URLSearchParams(params).toString(),
    });
  };

  it('anonymises the schema, redacts every Slack message, deletes every Twilio record and reports all four stores; another customer is untouched', async () => {
    // Ayşe: a critical ticket in cx (alert, two on-call SMS, an SMS to her, her SMS reply, a claim with its reply), and a
    // ticket of the team with a mailbox (alert + email) to which an email went to her
    const t1: Ticket = { id: randomUUID(), customerId: AYSE.id, customerName: AYSE.name, comment: AYSE.comments[0], severity: 'critical', touchpoint: 'dine-in', team: 'cx' };
    const t2: Ticket = { id: randomUUID(), customerId: AYSE.id, customerName: AYSE.name, comment: AYSE.comments[1], locale: 'zh', touchpoint: 'table', team: 'leads' };
    const o: Ticket = { id: randomUUID(), customerId: MEHMET.id, customerName: MEHMET.name, comment: MEHMET.comment, severity: 'critical', touchpoint: 'dine-in', team: 'cx' };
    const claimed = (t: Ticket) => ticketEvent('ticket.claimed', { actor: LALE, ticket: { ...t, status: 'claimed', assigneeId: 'lale', assigneeName: 'Lale Kaya', version: 2 } });
    await h.publish(ticketEvent('ticket.opened', { ticket: t1 }), ticketEvent('ticket.opened', { ticket: t2 }), ticketEvent('ticket.opened', { ticket: o }));
    await h.quiet();
    await h.publish(
      customerSms(t1, AYSE.phone, `Merhaba ${AYSE.name}, yaşadığınız deneyim için özür dileriz.`),
      customerEmail(t2, AYSE.email, 'Özür dileriz', `Merhaba ${AYSE.name},\n"${AYSE.comments[1]}" için özür dileriz.`),
      claimed(t1),
      claimed(o),
    );
    await h.quiet();
    // her answer by SMS: a record in the Twilio account, then the incoming-message webhook
    const reply = h.twilio.receive({ from: AYSE.phone, to: '+15005550006', body: AYSE.comments[0] });
    expect((await inbound({ MessageSid: reply.sid, AccountSid: 'AC0123456789abcdef0123456789abcdef', From: AYSE.phone, To: '+15005550006', Body: AYSE.comments[0] })).status).toBe(200);
    await h.quiet();

    // what there is to erase, before
    const ayseMessages = await messagesAbout([t1.id, t2.id]);
    // 2 alerts; replies: the SMS to her, the claim, her SMS reply, the email to her
    expect(ayseMessages.length).toBe(6);
    expect(ayseMessages.map(shown).join('\n')).toContain(AYSE.name);
    const ayseSids: string[] = (await h.ds.query(`SELECT provider_id FROM "${h.schema}".delivery WHERE ticket_id = ANY($1) AND channel = 'sms' AND provider_id IS NOT NULL`, [[t1.id, t2.id]])).map((r: { provider_id: string }) => r.provider_id).sort();
    expect(ayseSids).toHaveLength(3); // two on-call SMS quoting her, one to her; and her reply
    ayseSids.push(reply.sid);
    ayseSids.sort();
    const emails: number = (await h.ds.query(`SELECT count(*)::int AS n FROM "${h.schema}".delivery WHERE ticket_id = ANY($1) AND channel = 'email'`, [[t1.id, t2.id]]))[0].n;
    expect(emails).toBe(2); // the alert to the leads' mailbox, and the email to her
    for (const s of AYSE_STRINGS) expect(await dump()).toContain(s);
    const mehmetBefore = (await messagesAbout([o.id])).map(shown);
    const mehmetRows = await h.deliveries(o.id);
    const mehmetSids = mehmetRows.filter((r) => r.channel === 'sms').map((r) => r.provider_id);

    const erasure = erasureRequested(AYSE.id);
    await h.publishPrivacy(erasure, erasure); // redelivered: erased once, reported once
    const progress = await progressOf(erasure.data.erasureId, 4);
    await h.quiet();

    // every store reported, once, done
    const final = await progressOf(erasure.data.erasureId, 4);
    expect(final.length).toBe(4);
    const byStore = Object.fromEntries(progress.map((e) => [e.data.store, e.data]));
    expect(byStore.notification).toMatchObject({ status: 'done', customerId: AYSE.id, by: 'notification', erased: expect.any(Number) });
    expect(byStore.notification.erased).toBeGreaterThan(0);
    expect(byStore.slack).toMatchObject({ status: 'done', erased: 6 });
    expect(byStore.twilio).toMatchObject({ status: 'done', erased: 4 });
    expect(byStore.email).toMatchObject({ status: 'done', erased: emails });
    for (const e of progress) expect(e.data.reason).toBeUndefined();

    // Slack: the latest version of every message about her holds none of her strings, says it was erased, keeps the ticket link
    const after = await messagesAbout([t1.id, t2.id]);
    expect(after.map((m) => m.ts).sort()).toEqual(ayseMessages.map((m) => m.ts).sort());
    for (const m of after) {
      for (const s of AYSE_STRINGS) expect(shown(m)).not.toContain(s);
      expect(m.text).toMatch(/erased at the customer's request/);
    }
    for (const [ticket, ts] of [[t1.id, (await alertTs(t1.id))[0]], [t2.id, (await alertTs(t2.id))[0]]]) {
      expect(shown(after.find((m) => m.ts === ts) as SlackStubMessage)).toContain(`http://console.test/tickets/${ticket}`);
    }
    // Twilio: one DELETE per SID of hers, each record gone; Mehmet's kept
    expect([...h.twilio.deleted].sort()).toEqual(ayseSids);
    const deletes = h.twilio.requests.filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => r.path.split('/').pop()).sort()).toEqual(ayseSids.map((sid) => `${sid}.json`));
    for (const sid of ayseSids) expect(h.twilio.messages.some((m) => m.sid === sid)).toBe(false);
    for (const sid of mehmetSids) expect(h.twilio.messages.some((m) => m.sid === sid)).toBe(true);

    // the notification schema holds none of her strings; Mehmet's rows are as they were
    const text = await dump();
    for (const s of AYSE_STRINGS) expect(text).not.toContain(s);
    expect(text).toContain('‹erased›');
    expect(text).toContain(MEHMET.name);
    expect(text).toContain(MEHMET.comment);
    expect(await h.deliveries(o.id)).toEqual(mehmetRows);
    expect((await messagesAbout([o.id])).map(shown)).toEqual(mehmetBefore);

    // late events about her ticket, sent before tickets erased its own copy (her key still exists): her words stay out
    const sentBefore = h.twilio.messages.length;
    await h.publish(
      ticketEvent('ticket.resolved', { actor: LALE, ticket: { ...t1, status: 'resolved', assigneeId: 'lale', assigneeName: 'Lale Kaya', resolvedAt: new Date().toISOString(), version: 3 } }),
      customerSms({ ...t1, version: 3 }, AYSE.phone, `Merhaba ${AYSE.name}, sorun çözüldü.`),
    );
    await h.quiet();
    const late = await dump();
    for (const s of AYSE_STRINGS) expect(late).not.toContain(s);
    for (const m of await messagesAbout([t1.id])) for (const s of AYSE_STRINGS) expect(shown(m)).not.toContain(s);
    expect(h.twilio.messages.slice(sentBefore).filter((m) => m.to === AYSE.phone)).toEqual([]);
  });

  it('a customer notification has never written to: every store done with 0', async () => {
    const erasure = erasureRequested(`c-nobody-${randomUUID()}`);
    await h.publishPrivacy(erasure);
    const progress = await progressOf(erasure.data.erasureId, 4);
    await h.quiet();
    expect(progress.map((e) => [e.data.store, e.data.status, e.data.erased]).sort()).toEqual([
      ['email', 'done', 0], ['notification', 'done', 0], ['slack', 'done', 0], ['twilio', 'done', 0],
    ]);
  });

  it('a message someone deleted in Slack is done; one the bot may not edit fails the slack store with its code; a Twilio outage is retried', async () => {
    const customer = `c-${randomUUID()}`;
    const t = randomUUID();
    await h.publish(ticketEvent('ticket.opened', { ticket: { id: t, customerId: customer, customerName: 'Zeynep Kara', comment: 'Masa kirliydi', severity: 'critical', team: 'cx', touchpoint: 'dine-in' } }));
    await h.publish(ticketEvent('ticket.claimed', { actor: LALE, ticket: { id: t, customerId: customer, customerName: 'Zeynep Kara', comment: 'Masa kirliydi', severity: 'critical', status: 'claimed', assigneeId: 'lale', version: 2 } }));
    await h.quiet();
    h.slack.script('chat.update', { ok: false, error: 'message_not_found' }, { ok: false, error: 'cant_update_message' });
    h.twilio.deleteScript({ status: 503 }, { status: 500, code: 20500, message: 'Internal Server Error' });
    const erasure = erasureRequested(customer);
    await h.publishPrivacy(erasure);
    const progress = await progressOf(erasure.data.erasureId, 4);
    await h.quiet();
    const byStore = Object.fromEntries(progress.map((e) => [e.data.store, e.data]));
    expect(byStore.slack).toMatchObject({ status: 'failed', erased: 1, reason: '1/2 failed: cant_update_message' });
    expect(byStore.twilio).toMatchObject({ status: 'done', erased: 2 });
    expect(h.twilio.requests.filter((r) => r.method === 'DELETE' && r.path.includes('/Messages/')).length).toBeGreaterThanOrEqual(4);
    const tasks: { kind: string; status: string; reason: string | null }[] = await h.ds.query(
      `SELECT kind, status, reason FROM "${h.schema}".erasure_task WHERE erasure_id = $1 AND kind = 'slack' ORDER BY status`, [erasure.data.erasureId],
    );
    expect(tasks).toEqual([{ kind: 'slack', status: 'done', reason: 'message_not_found' }, { kind: 'slack', status: 'failed', reason: 'cant_update_message' }]);

    // the admin retries (ADR 0026: the same erasure requested again, a new event): the failed row is tried again, and
    // every store answers the new request with a report of its own (a new eventId, so tickets does not drop it)
    const updates = h.slack.calls('chat.update').length;
    const retry = makeEnvelope('customer.erasure_requested', { ...erasure.data, requestedAt: new Date().toISOString() }, 'tickets') as ErasureRequestedEvent;
    await h.publishPrivacy(retry);
    const all = await progressOf(erasure.data.erasureId, 8);
    await h.quiet();
    expect(all).toHaveLength(8);
    expect(new Set(all.map((e) => e.eventId)).size).toBe(8);
    const second = Object.fromEntries(all.slice(4).map((e) => [e.data.store, e.data]));
    expect(second.slack).toMatchObject({ status: 'done', erased: 2 });
    expect(second.twilio).toMatchObject({ status: 'done', erased: 2 });
    expect(h.slack.calls('chat.update').length).toBe(updates + 1); // only the failed one again
  });

  it('resumes after the app is stopped mid-way: every message redacted once, every store reported once', async () => {
    const customer = `c-${randomUUID()}`;
    const t = randomUUID();
    const snap = { id: t, customerId: customer, customerName: 'Emre Aydın', comment: 'Hesap yanlış geldi', team: 'cx', touchpoint: 'dine-in', severity: 'critical' as const };
    await h.publish(ticketEvent('ticket.opened', { ticket: snap }));
    await h.quiet();
    await h.publish(ticketEvent('ticket.claimed', { actor: LALE, ticket: { ...snap, status: 'claimed', assigneeId: 'lale', version: 2 } }));
    await h.quiet();
    await h.publish(ticketEvent('ticket.resolved', { actor: LALE, ticket: { ...snap, status: 'resolved', assigneeId: 'lale', resolvedAt: new Date().toISOString(), version: 3 } }));
    await h.quiet();
    const messages = await messagesAbout([t]);
    expect(messages).toHaveLength(3); // the alert and two replies
    const updatesBefore = h.slack.calls('chat.update').length;

    // the first redaction goes through, the second never gets an answer: the app is stopped while it hangs
    h.slack.script('chat.update', { delayMs: 0 }, { hang: true });
    const erasure = erasureRequested(customer);
    await h.publishPrivacy(erasure);
    await h.slack.waitForCalls('chat.update', updatesBefore + 2, 20_000);
    const redactedBefore = (await messagesAbout([t])).filter((m) => /erased at the customer's request/.test(m.text ?? '')).length;
    expect(redactedBefore).toBe(1);
    expect((await h.erasureProgress(0)).filter((e) => e.data.erasureId === erasure.data.erasureId && e.data.store === 'slack')).toEqual([]);
    await h.restart();

    const progress = await progressOf(erasure.data.erasureId, 4);
    await h.quiet();
    const slack = (await h.erasureProgress(0)).filter((e) => e.data.erasureId === erasure.data.erasureId);
    expect(slack.map((e) => e.data.store).sort()).toEqual(['email', 'notification', 'slack', 'twilio']);
    expect(progress.find((e) => e.data.store === 'slack')?.data).toMatchObject({ status: 'done', erased: 3 });
    expect(progress.find((e) => e.data.store === 'twilio')?.data).toMatchObject({ status: 'done', erased: 2 });
    for (const m of await messagesAbout([t])) {
      expect(m.text).toMatch(/erased at the customer's request/);
      expect(shown(m)).not.toContain('Emre');
      // redacted once: no version before the last is a redacted one (a repeated chat.update would add one)
      expect(m.versions.filter((v) => /erased at the customer's request/.test(v.text ?? ''))).toHaveLength(1);
    }
  });

  it('retention: tickets resolved over a year ago and feedback older than half a year are anonymised, nothing else, no Slack or Twilio call', async () => {
    const old = randomUUID();
    const recent = randomUUID();
    const stale = randomUUID();
    const longAgo = new Date(Date.now() - 400 * 24 * 3600 * 1000).toISOString();
    const lately = new Date(Date.now() - 10 * 24 * 3600 * 1000).toISOString();
    const ticket = (id: string, name: string, comment: string, resolvedAt?: string) => ({
      id, customerId: `c-${id}`, customerName: name, comment, team: 'cx', touchpoint: 'dine-in', ...(resolvedAt ? { status: 'resolved' as const, resolvedAt, version: 3 } : {}),
    });
    await h.publish(ticketEvent('ticket.opened', { ticket: ticket(old, 'Eski Müşteri', 'Çok eski bir şikayet') }), ticketEvent('ticket.opened', { ticket: ticket(recent, 'Yeni Müşteri', 'Taze bir şikayet') }), ticketEvent('ticket.opened', { ticket: ticket(stale, 'Bayat Müşteri', 'Unutulmuş bir şikayet') }));
    await h.quiet();
    await h.publish(
      ticketEvent('ticket.resolved', { actor: LALE, ticket: ticket(old, 'Eski Müşteri', 'Çok eski bir şikayet', longAgo) }),
      ticketEvent('ticket.resolved', { actor: LALE, ticket: ticket(recent, 'Yeni Müşteri', 'Taze bir şikayet', lately) }),
    );
    await h.quiet();
    // the open ticket's feedback is 200 days old (its snapshot last changed then)
    await h.ds.query(`UPDATE "${h.schema}".ticket_snapshot SET updated_at = now() - interval '200 days' WHERE ticket_id = $1`, [stale]);
    const requests = h.slack.requests.length + h.twilio.requests.length;

    const counts = await h.app.get(PrivacyRetention).run({ batchSize: 1 });
    expect(counts).toEqual({ resolvedTickets: 1, feedback: 1 });
    expect(await h.app.get(PrivacyRetention).run()).toEqual({ resolvedTickets: 0, feedback: 0 }); // nothing left: idempotent
    await h.quiet();
    expect(h.slack.requests.length + h.twilio.requests.length).toBe(requests);

    const rowsOf = async (id: string) => JSON.stringify({
      snapshot: (await h.ds.query(`SELECT snapshot FROM "${h.schema}".ticket_snapshot WHERE ticket_id = $1`, [id]))[0].snapshot,
      deliveries: (await h.deliveries(id)).map((d) => d.payload),
    });
    for (const [id, name, comment] of [[old, 'Eski Müşteri', 'Çok eski bir şikayet'], [stale, 'Bayat Müşteri', 'Unutulmuş bir şikayet']]) {
      const text = await rowsOf(id);
      expect(text).not.toContain(name);
      expect(text).not.toContain(comment);
      expect(text).toContain('‹erased›');
    }
    const kept = await rowsOf(recent);
    expect(kept).toContain('Yeni Müşteri');
    expect(kept).toContain('Taze bir şikayet');
  });
  it('a ticket whose snapshot and deliveries housekeeping pruned long ago: its alert is still found and redacted', async () => {
    const customer = `c-${randomUUID()}`;
    const t = randomUUID();
    await h.publish(ticketEvent('ticket.opened', { ticket: { id: t, customerId: customer, customerName: 'Selin Acar', comment: 'Kahve soğuktu', team: 'cx', touchpoint: 'dine-in' } }));
    await h.quiet();
    // what housekeeping leaves after NOTIFICATION_RETENTION_DAYS: the alert_message row only
    await h.ds.query(`DELETE FROM "${h.schema}".delivery WHERE ticket_id = $1`, [t]);
    await h.ds.query(`DELETE FROM "${h.schema}".ticket_snapshot WHERE ticket_id = $1`, [t]);
    const [ts] = await alertTs(t);
    const erasure = erasureRequested(customer);
    await h.publishPrivacy(erasure);
    const progress = await progressOf(erasure.data.erasureId, 4);
    await h.quiet();
    expect(progress.find((e) => e.data.store === 'slack')?.data).toMatchObject({ status: 'done', erased: 1 });
    const alert = h.slack.messages('C0CX').find((m) => m.ts === ts) as SlackStubMessage;
    expect(alert.text).toMatch(/erased at the customer's request/);
    expect(shown(alert)).not.toContain('Selin');
    expect(shown(alert)).not.toContain('Kahve soğuktu');
  });

  it('a message to the customer still waiting to be sent is never sent after the erasure', async () => {
    const customer = `c-${randomUUID()}`;
    const phone = '+905559876543';
    const t: Ticket = { id: randomUUID(), customerId: customer, customerName: 'Deniz Kurt', comment: 'Sıra çok uzundu', team: 'cx', touchpoint: 'dine-in' };
    await h.publish(ticketEvent('ticket.opened', { ticket: t }));
    await h.quiet();
    const email = 'deniz.kurt@example.com';
    h.twilio.script(...Array.from({ length: 200 }, () => ({ status: 503 })));
    h.smtp.script(...Array.from({ length: 200 }, () => ({ reject: { code: 451, message: 'try again later' } })));
    await h.publish(customerSms(t, phone, 'Merhaba Deniz Kurt, özür dileriz.'), customerEmail(t, email, 'Özür dileriz', 'Merhaba Deniz Kurt'));
    const waiting = async (purpose: string) => ((await h.deliveries(t.id)).find((d) => d.purpose === purpose && d.status === 'retrying') ? true : undefined);
    await until(() => waiting('customer_sms'), 'the SMS to the customer retrying');
    await until(() => waiting('customer_email'), 'the email to the customer retrying');
    const erasure = erasureRequested(customer);
    await h.publishPrivacy(erasure);
    await progressOf(erasure.data.erasureId, 4);
    // Twilio and the mail server answer again: nothing must go out now
    h.twilio.reset();
    h.smtp.reset();
    await h.quiet();
    const rows = await h.deliveries(t.id);
    expect(rows.find((d) => d.purpose === 'customer_sms')).toMatchObject({ status: 'failed', last_error_code: 'customer_erased', recipient: '‹erased›', payload: { kind: 'sms', body: '‹erased›' } });
    expect(rows.find((d) => d.purpose === 'customer_email')).toMatchObject({ status: 'failed', last_error_code: 'customer_erased', recipient: '‹erased›', payload: { subject: '‹erased›', text: '‹erased›' } });
    expect(h.twilio.messages.filter((m) => m.to === phone)).toEqual([]);
    expect(h.smtp.messages).toEqual([]);
  });

  // last: it stops this app's own redaction worker, so the claims below are the only ones
  it('the work list: two instances claiming at once never share a row; the rows of an instance that died are taken again once their lease ran out', async () => {
    await h.app.get(RedactionWorker).beforeApplicationShutdown();
    const repo = new ErasureRepository(h.schema);
    const erasureId = randomUUID();
    await h.ds.query(
      `INSERT INTO "${h.schema}".erasure_task (erasure_id, kind, external_id, customer_id, ticket_id)
       SELECT $1, 'twilio', 'SM' || lpad(i::text, 32, '0'), 'c-lease', 't-lease' FROM generate_series(1, 30) AS i`,
      [erasureId],
    );
    const ids = (rows: { external_id: string }[]) => rows.map((r) => r.external_id).sort();
    const [a, b] = await Promise.all([repo.claim(h.ds, 20, 60_000, randomUUID()), repo.claim(h.ds, 20, 60_000, randomUUID())]);
    expect(a.length + b.length).toBe(30);
    expect(new Set([...ids(a), ...ids(b)]).size).toBe(30);
    expect(await repo.claim(h.ds, 50, 60_000, randomUUID())).toEqual([]); // every row leased

    // "a" dies without recording anything: once its lease has run out its rows, and only they, are claimed again
    await h.ds.query(`UPDATE "${h.schema}".erasure_task SET lease_until = now() - interval '1 millisecond' WHERE erasure_id = $1 AND external_id = ANY($2)`, [erasureId, ids(a)]);
    const again = await repo.claim(h.ds, 50, 60_000, randomUUID());
    expect(ids(again)).toEqual(ids(a));
    // the dead claim can no longer record an outcome; the live ones can
    expect(await repo.finish(h.ds, a[0], { status: 'done' })).toBe(false);
    expect(await repo.finish(h.ds, again[0], { status: 'done' })).toBe(true);
    expect(await repo.finish(h.ds, b[0], { status: 'done' })).toBe(true);
  });
});
