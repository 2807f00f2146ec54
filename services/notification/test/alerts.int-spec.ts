import { randomUUID } from 'node:crypto';
import { prefixed } from '@closeloop/messaging';
import { testKafka, waitFor, type SlackStubRequest } from '@closeloop/testing';
import { startNotification } from '../src/app';
import type { DeliveryRow } from '../src/persistence/notification.repository';
import { smsSegments, translator } from '@closeloop/contracts';
import { SMS_ALERT_MAX_SEGMENTS } from '../src/alerts/sms-text';
import { renderAlert } from '../src/slack/blocks';
import { ticketEvent } from './fixtures';
import { freePort, startHarness, TWILIO_FROM, TWILIO_SID, until, type NotificationHarness } from './harness';

const INTERVAL_MS = 250;


/** The Assign menu of a cx alert offers the cx agents and leads of the test routing file (SPEC §12). */
const CX_ASSIGNEES = [{ id: 'ayse', name: 'Ayşe Yılmaz' }, { id: 'lale', name: 'Lale Kaya' }];
/** The cx team of the test routing file reads English, dates in its quiet hours' time zone; support in UTC. */
const CX = translator('en', { timeZone: 'Europe/Istanbul' });
const SUPPORT = translator('en');
describe('notification: Slack alerts and SMS from ticket events (real Kafka, Postgres, SDKs → stubs)', () => {
  let h: NotificationHarness;

  beforeAll(async () => {
    h = await startHarness('alerts', { env: { SLACK_CHANNEL_INTERVAL_MS: String(INTERVAL_MS) } });
  });
  afterAll(() => h?.close());

  const topLevelPosts = (ticketId: string): SlackStubRequest[] =>
    h.slack.calls('chat.postMessage').filter((r) => !r.form.thread_ts && r.form.metadata?.event_payload?.ticket_id === ticketId);
  /** Waits until none of the ticket's deliveries is still to be sent. */
  const settled = (ticketId: string, atLeast = 1): Promise<DeliveryRow[]> =>
    until(async () => {
      const rows = await h.deliveries(ticketId);
      return rows.length >= atLeast && rows.every((r) => !['pending', 'retrying', 'sending'].includes(r.status)) ? rows : undefined;
    }, `deliveries of ${ticketId} settled`);
  /**
   * Pacing is what the database granted: each post's slot (`paced_at`, the database clock) at least INTERVAL_MS after
   * the one before in its channel. Arrival times at the stub add each sender's own scheduling delay, which on a
   * loaded 2-core machine can bunch two posts together; the slots cannot.
   */
  const dbNow = async (): Promise<Date> => (await h.ds.query('SELECT now() AS t'))[0].t;
  const expectPaced = async (channel: string, since: Date, count: number) => {
    const rows: { paced_at: Date }[] = await h.ds.query(
      `SELECT paced_at FROM "${h.schema}".delivery WHERE recipient = $1 AND channel = 'slack' AND paced_at >= $2 ORDER BY paced_at`,
      [channel, since],
    );
    expect(rows).toHaveLength(count);
    const at = rows.map((r) => new Date(r.paced_at).getTime());
    for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(INTERVAL_MS);
  };
  const alertRow = async (ticketId: string) => (await h.ds.query(`SELECT * FROM "${h.schema}".alert_message WHERE ticket_id = $1`, [ticketId]))[0];

  it('ticket.opened → exactly one chat.postMessage with both buttons, its channel and ts stored, a delivery event published', async () => {
    const id = randomUUID();
    const opened = ticketEvent('ticket.opened', { ticket: { id } });
    await h.publish(opened);
    const [row] = await settled(id);

    const posts = topLevelPosts(id);
    expect(posts).toHaveLength(1);
    const form = posts[0].form;
    expect(form.channel).toBe('C0CX');
    expect(form.metadata).toEqual({ event_type: 'closeloop_alert', event_payload: { ticket_id: id } });
    const expected = renderAlert(opened.data.ticket, { consoleUrl: 'http://console.test', now: new Date(), assignees: CX_ASSIGNEES, i18n: CX });
    expect(form.text).toBe(expected.text);
    expect(form.blocks).toEqual(expected.blocks);
    const actions = form.blocks.find((b: { type: string }) => b.type === 'actions');
    expect(actions.elements.map((e: { action_id: string; value?: string; url?: string }) => [e.action_id, e.value ?? e.url])).toEqual([
      ['claim', id],
      ['resolve', id],
      ['assign', undefined], // the Assign menu (SPEC §12): its options carry the ticket id, see assign.int-spec.ts
      ['message_customer', id],
      ['open_console', `http://console.test/tickets/${id}`],
    ]);

    const ts = h.slack.messages('C0CX').find((m) => (m.metadata as { event_payload?: { ticket_id?: string } })?.event_payload?.ticket_id === id)?.ts;
    expect(await alertRow(id)).toMatchObject({ channel: 'C0CX', provider: 'slack', ts, rendered_version: 1 });
    expect(row).toMatchObject({ purpose: 'alert', channel: 'slack', recipient: 'C0CX', status: 'sent', attempts: 1, provider_id: ts });

    const [event] = await h.deliveryEvents(id, 1);
    expect(event).toMatchObject({ type: 'notification.delivery', producer: 'notification' });
    expect(event.data).toMatchObject({ ticketId: id, ticketEventId: opened.eventId, channel: 'slack', purpose: 'alert', recipient: 'C0CX', status: 'sent', attempts: 1, providerId: ts });
  });

  it('the same ticket.opened 5×, and another opened event for the ticket, still post once', async () => {
    const id = randomUUID();
    const opened = ticketEvent('ticket.opened', { ticket: { id } });
    const replayed = ticketEvent('ticket.opened', { ticket: { id } }); // same ticket, new eventId
    const claimed = ticketEvent('ticket.claimed', { actor: { kind: 'agent', id: 'ayse', name: 'Ayşe Yılmaz' }, ticket: { id, status: 'claimed', assigneeId: 'ayse', assigneeName: 'Ayşe Yılmaz', version: 2 } });
    await h.publish(opened, opened, opened, opened, opened, replayed, claimed);
    await waitFor(async () => (await h.deliveries(id)).length === 3, { what: 'alert, update and reply recorded' });
    await settled(id, 3);

    expect(topLevelPosts(id)).toHaveLength(1);
    expect((await h.deliveries(id)).map((r) => [r.purpose, r.status])).toEqual(
      expect.arrayContaining([
        ['alert', 'sent'],
        ['thread_reply', 'sent'],
      ]),
    );
  });

  it('ticket.feedback_attached → chat.update of that ts and a thread reply, no new top-level post', async () => {
    const id = randomUUID();
    await h.publish(ticketEvent('ticket.opened', { ticket: { id } }));
    await settled(id);
    const { ts } = await alertRow(id);

    const attached = ticketEvent('ticket.feedback_attached', { feedbackId: 'f-2', ticket: { id, feedbackCount: 2, score: 1, comment: 'Still waiting, I want a refund', version: 2 } });
    await h.publish(attached);
    await settled(id, 3);

    const updates = h.slack.calls('chat.update').filter((r) => r.form.ts === ts);
    expect(updates).toHaveLength(1);
    expect(updates[0].form).toMatchObject({ channel: 'C0CX', ts, blocks: renderAlert(attached.data.ticket, { consoleUrl: 'http://console.test', now: new Date(), assignees: CX_ASSIGNEES, i18n: CX }).blocks });
    const replies = h.slack.calls('chat.postMessage').filter((r) => r.form.thread_ts === ts);
    expect(replies.map((r) => r.form.text)).toEqual(['➕ More feedback from this customer (2 in all, latest NPS 1/10)\n>Still waiting, I want a refund']);
    expect(topLevelPosts(id)).toHaveLength(1);
    expect(h.slack.messages('C0CX').find((m) => m.ts === ts)).toMatchObject({ edits: 1 });
    expect((await alertRow(id)).rendered_version).toBe(2);
  });

  it('ticket.feedback_revised (SPEC §10) → the same message updated with the new comment and a thread reply; raised to critical → SMS; never a second post', async () => {
    const id = randomUUID();
    await h.publish(ticketEvent('ticket.opened', { ticket: { id, score: 7, comment: 'I want a refund' } }));
    await settled(id);
    const { ts } = await alertRow(id);
    const smsBefore = h.twilio.requests.length;

    const revised = ticketEvent('ticket.feedback_revised', {
      feedbackId: 'f-1', revision: 3, previousSeverity: 'normal',
      ticket: { id, score: 7, comment: 'I want a refund, or my lawyer will call', severity: 'critical', version: 2 },
    });
    await h.publish(revised);
    await settled(id, 5); // the post, the update, the reply, two SMS

    const updates = h.slack.calls('chat.update').filter((r) => r.form.ts === ts);
    expect(updates).toHaveLength(1);
    expect(updates[0].form).toMatchObject({ channel: 'C0CX', ts, blocks: renderAlert(revised.data.ticket, { consoleUrl: 'http://console.test', now: new Date(), assignees: CX_ASSIGNEES, i18n: CX }).blocks });
    expect(JSON.stringify(updates[0].form.blocks)).toContain('or my lawyer will call');
    expect(h.slack.calls('chat.postMessage').filter((r) => r.form.thread_ts === ts).map((r) => r.form.text)).toEqual([
      '✏️ The customer changed their feedback (now NPS 7/10) · severity raised from normal to *critical*\n>I want a refund, or my lawyer will call',
    ]);
    expect(topLevelPosts(id)).toHaveLength(1);
    expect(h.twilio.requests.slice(smsBefore).filter((r) => String(r.Body).includes(id)).map((r) => r.To).sort()).toEqual(['+905551112233', '+905551112244']);
    expect((await alertRow(id)).rendered_version).toBe(2);
  });

  it('a burst of changes: thread replies in event order, and the message ends showing the newest state', async () => {
    const id = randomUUID();
    const base = { id, team: 'support', touchpoint: 'checkout' };
    const agent = { kind: 'agent' as const, id: 'noa', name: 'Noa Levi' };
    const resolved = ticketEvent('ticket.resolved', { actor: agent, ticket: { ...base, status: 'resolved', assigneeName: 'Noa Levi', rootCause: 'billing', version: 3 } });
    await h.publish(ticketEvent('ticket.opened', { ticket: base }));
    await until(async () => (await alertRow(id))?.ts, 'the alert posted');
    // the claim's reply fails once; the resolve's, recorded in the same transaction (one fetched batch, ADR 0023),
    // must still wait for it
    h.slack.script('chat.postMessage', { status: 500 });
    await h.publish(ticketEvent('ticket.claimed', { actor: agent, ticket: { ...base, status: 'claimed', assigneeName: 'Noa Levi', version: 2 } }), resolved);
    await settled(id, 5);
    const { ts } = await alertRow(id);
    expect(h.slack.calls('chat.postMessage').filter((r) => r.form.thread_ts === ts)).toHaveLength(3); // the failed one, then both
    expect(h.slack.messages('C0SUPPORT').filter((m) => m.thread_ts === ts).map((m) => m.text)).toEqual([
      '🙋 Claimed by *Noa Levi*',
      '✅ Resolved by *Noa Levi* · root cause: billing',
    ]);
    const shown = h.slack.messages('C0SUPPORT').find((m) => m.ts === ts);
    expect(shown?.blocks).toEqual(renderAlert(resolved.data.ticket, { consoleUrl: 'http://console.test', now: new Date(), i18n: SUPPORT }).blocks);
    expect((await alertRow(id)).rendered_version).toBe(3);
  });

  it('a critical ticket → SMS to every on-call number through Twilio, with the status callback URL', async () => {
    const id = randomUUID();
    const before = h.twilio.requests.length;
    await h.publish(ticketEvent('ticket.opened', { ticket: { id, severity: 'critical', comment: 'I will call my lawyer' } }));
    await settled(id, 3);

    const sms = h.twilio.requests.slice(before);
    expect(sms.map((r) => r.To).sort()).toEqual(['+905551112233', '+905551112244']);
    for (const r of sms) {
      expect(r).toMatchObject({ path: `/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`, From: TWILIO_FROM, StatusCallback: `${h.baseUrl}/twilio/status`, auth: { username: TWILIO_SID } });
      expect(r.Body).toBe(`Closeloop CRITICAL: NPS 3/10 at dine-in, Deniz (c-42), unclaimed. "I will call my lawyer" http://console.test/tickets/${id}`);
    }
    const rows = (await h.deliveries(id)).filter((r) => r.purpose === 'sms');
    expect(rows.map((r) => [r.channel, r.status, r.provider, r.provider_status])).toEqual([
      ['sms', 'sent', 'twilio', 'queued'],
      ['sms', 'sent', 'twilio', 'queued'],
    ]);
    expect(rows.map((r) => r.provider_id).sort()).toEqual(h.twilio.messages.filter((m) => m.body.includes(id)).map((m) => m.sid).sort());
    const events = await h.deliveryEvents(id, 3);
    expect(events.filter((e) => e.data.purpose === 'sms').map((e) => e.data.recipient).sort()).toEqual(['+90555***2233', '+90555***2244']);
  });

  it('Slack 429 with Retry-After: 1 → posted after the wait, still exactly one message', async () => {
    const id = randomUUID();
    h.slack.script('chat.postMessage', { status: 429, retryAfter: 1 });
    await h.publish(ticketEvent('ticket.opened', { ticket: { id } }));
    const [row] = await settled(id);

    const posts = topLevelPosts(id);
    expect(posts).toHaveLength(2);
    expect(posts[1].time - posts[0].time).toBeGreaterThanOrEqual(950);
    expect(h.slack.messages('C0CX').filter((m) => (m.metadata as { event_payload?: { ticket_id?: string } })?.event_payload?.ticket_id === id)).toHaveLength(1);
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    const events = await h.deliveryEvents(id, 2);
    expect(events.map((e) => [e.data.status, e.data.attempts])).toEqual([
      ['retrying', 1],
      ['sent', 2],
    ]);
    expect(events[0].data).toMatchObject({ errorCode: 'ratelimited' });
  });

  it('Slack channel_not_found → failed, not retried; later changes fail without posting anything', async () => {
    const id = randomUUID();
    h.slack.script('chat.postMessage', { ok: false, error: 'channel_not_found' });
    await h.publish(ticketEvent('ticket.opened', { ticket: { id } }));
    const [row] = await settled(id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1, last_error_code: 'channel_not_found' });

    await h.publish(ticketEvent('ticket.claimed', { ticket: { id, status: 'claimed', assigneeName: 'Ayşe Yılmaz', version: 2 } }));
    const rows = await settled(id, 3);
    await h.quiet(); // nothing left to do: a retry would have happened by now
    expect(topLevelPosts(id)).toHaveLength(1);
    expect(rows.filter((r) => r.purpose !== 'alert').map((r) => [r.purpose, r.status, r.last_error_code, r.attempts])).toEqual(
      expect.arrayContaining([
        ['update', 'failed', 'alert_failed', 0],
        ['thread_reply', 'failed', 'alert_failed', 0],
      ]),
    );
    const events = await h.deliveryEvents(id, 3);
    expect(events.find((e) => e.data.purpose === 'alert')?.data).toMatchObject({ status: 'failed', errorCode: 'channel_not_found', error: 'channel does not exist or the bot cannot see it' });
  });

  it('an ambiguous post that DID land (answer lost) is found in channel history and not posted again', async () => {
    const id = randomUUID();
    h.slack.script('chat.postMessage', { dropResponse: true });
    const historyBefore = h.slack.calls('conversations.history').length;
    await h.publish(ticketEvent('ticket.opened', { ticket: { id } }));
    const [row] = await settled(id);

    expect(topLevelPosts(id)).toHaveLength(1);
    const landed = h.slack.messages('C0CX').filter((m) => (m.metadata as { event_payload?: { ticket_id?: string } })?.event_payload?.ticket_id === id);
    expect(landed).toHaveLength(1);
    expect(h.slack.calls('conversations.history').length - historyBefore).toBe(1);
    expect(row).toMatchObject({ status: 'sent', attempts: 2, provider_id: landed[0].ts });
    expect(await alertRow(id)).toMatchObject({ ts: landed[0].ts });
  });

  it('an ambiguous post that did NOT land is reconciled, then posted once', async () => {
    const id = randomUUID();
    h.slack.script('chat.postMessage', { hang: true });
    const historyBefore = h.slack.calls('conversations.history').length;
    await h.publish(ticketEvent('ticket.opened', { ticket: { id } }));
    const [row] = await settled(id);
    expect(h.slack.calls('conversations.history').length - historyBefore).toBe(1);

    expect(topLevelPosts(id)).toHaveLength(2);
    const landed = h.slack.messages('C0CX').filter((m) => (m.metadata as { event_payload?: { ticket_id?: string } })?.event_payload?.ticket_id === id);
    expect(landed).toHaveLength(1);
    // attempt 1 timed out; attempt 2 = history search (not there) + the post
    expect(row).toMatchObject({ status: 'sent', attempts: 2, maybe_delivered: true, provider_id: landed[0].ts });
  });

  it('an ambiguous thread reply that DID land (answer lost) is found in the thread (conversations.replies) and not posted again', async () => {
    const id = randomUUID();
    await h.publish(ticketEvent('ticket.opened', { ticket: { id } }));
    await settled(id);
    const { ts } = await alertRow(id);
    h.slack.script('chat.postMessage', { dropResponse: true });
    const repliesBefore = h.slack.calls('conversations.replies').length;
    await h.publish(ticketEvent('ticket.claimed', { ticket: { id, status: 'claimed', assigneeName: 'Ayşe Yılmaz', version: 2 } }));
    const rows = await settled(id, 3);

    const inThread = h.slack.messages('C0CX').filter((m) => m.thread_ts === ts && m.ts !== ts);
    expect(inThread).toHaveLength(1);
    expect(inThread[0].metadata).toMatchObject({ event_type: 'closeloop_reply' });
    expect(h.slack.calls('conversations.replies').length - repliesBefore).toBe(1);
    const reply = rows.find((r) => r.purpose === 'thread_reply');
    expect(reply).toMatchObject({ status: 'sent', attempts: 2, maybe_delivered: true, provider_id: inThread[0].ts });
    expect((inThread[0].metadata as { event_payload: { delivery_id: string } }).event_payload.delivery_id).toBe(reply?.id);
  });

  describe('in the team\'s language (SPEC §14)', () => {
    const textsOf = (blocks: { type: string; fields?: { text: string }[]; elements?: { text?: string | { text: string } }[] }[]) => ({
      labels: blocks.find((b) => b.type === 'section' && b.fields)?.fields?.map((f) => f.text.split('\n')[0]),
      status: (blocks.find((b) => b.type === 'context')?.elements?.[0]?.text as string).split('  ·  ')[0],
      buttons: blocks.find((b) => b.type === 'actions')?.elements?.map((e) => (e.text as { text: string }).text),
    });

    it.each([
      ['tr', { team: 'istanbul', touchpoint: 'kasa' }, 'C0TR', {
        labels: ['*Müşteri*', '*Temas noktası*', '*Puan*', '*Geri bildirim*'],
        status: '*Açık* · henüz üstlenilmedi',
        buttons: ['Üstlen', 'Çözüldü', 'Müşteriye yaz', 'Konsolda aç'],
      }, {
        labels: ['*Müşteri*', '*Temas noktası*', '*Puan*', '*Geri bildirim*'],
        status: '🙋 *Ayşe Yılmaz üstlendi*',
        buttons: ['Çözüldü', 'Müşteriye yaz', 'Konsolda aç'],
      }, '🙋 *Ayşe Yılmaz* üstlendi'],
      ['he', { team: 'telaviv', touchpoint: 'masa' }, 'C0HE', {
        labels: ['*לקוח*', '*נקודת מגע*', '*ציון*', '*משוב*'],
        status: '*פתוח* · עוד לא נלקח',
        buttons: ['לקחת', 'סגירה', 'הודעה ללקוח', 'פתיחה בקונסולה'],
      }, {
        labels: ['*לקוח*', '*נקודת מגע*', '*ציון*', '*משוב*'],
        status: '🙋 *נלקח על ידי \u2068Ayşe Yılmaz\u2069*',
        buttons: ['סגירה', 'הודעה ללקוח', 'פתיחה בקונסולה'],
      }, '🙋 נלקח על ידי *\u2068Ayşe Yılmaz\u2069*'],
    ] as const)('a %s team: the alert carries the translated labels and buttons, and so do the chat.update and the thread reply after a claim', async (_locale, where, channel, opened, claimed, reply) => {
      const id = randomUUID();
      // posted first (an alert is rendered from the newest snapshot when sent), then claimed
      await h.publish(ticketEvent('ticket.opened', { ticket: { id, ...where } }));
      await settled(id);
      await h.publish(ticketEvent('ticket.claimed', { actor: { kind: 'agent', id: 'ayse', name: 'Ayşe Yılmaz' }, ticket: { id, ...where, status: 'claimed', assigneeId: 'ayse', assigneeName: 'Ayşe Yılmaz', version: 2 } }));
      await settled(id, 3);
      const [post] = topLevelPosts(id);
      expect(post.form.channel).toBe(channel);
      expect(textsOf(post.form.blocks)).toEqual(opened);
      expect(JSON.stringify(post.form.blocks)).toContain('Garsonlar çok kaba, yemek 40 dakika sürdü'); // the comment as written
      const { ts } = await alertRow(id);
      const updates = h.slack.calls('chat.update').filter((r) => r.form.ts === ts);
      expect(updates).toHaveLength(1);
      expect(textsOf(updates[0].form.blocks)).toEqual(claimed);
      expect(h.slack.calls('chat.postMessage').filter((r) => r.form.thread_ts === ts).map((r) => r.form.text)).toEqual([reply]);
    });

    it('a zh team\'s on-call gets a Chinese SMS through Twilio that fits the segment count it claims', async () => {
      const id = randomUUID();
      const comment = '等了四十分钟还没上菜，服务员态度很差，我要退款，否则我会找律师。'.repeat(3);
      await h.publish(ticketEvent('ticket.opened', { ticket: { id, team: 'taipei', touchpoint: 'guitai', severity: 'critical', comment } }));
      await settled(id, 2);
      const [sms] = h.twilio.messages.filter((m) => m.body.includes(id));
      expect(sms.to).toBe('+886912345678');
      expect(sms.body.startsWith('Closeloop 严重：NPS 3/10，guitai，Deniz (c-42)，未认领。 "等了四十分钟还没上菜')).toBe(true);
      const claimed = smsSegments(sms.body);
      expect(claimed.encoding).toBe('UCS-2');
      // what Closeloop counts is what Twilio bills, and stays within the limit the renderer promises
      expect(Number(sms.num_segments)).toBe(claimed.segments);
      expect(claimed.segments).toBeGreaterThan(1);
      expect(claimed.segments).toBeLessThanOrEqual(SMS_ALERT_MAX_SEGMENTS);
    });
  });

  describe('email alerts (SPEC §11): a team with a mailbox, one thread per ticket', () => {
    const atTable = { team: 'leads', touchpoint: 'table' } as const;
    const ofTicket = (id: string) => h.smtp.messages.filter((m) => m.messageId?.includes(id));

    it('opened, claimed, resolved → the first message and two replies in its thread, once each, to every address; a replayed opened sends no second first message', async () => {
      const id = randomUUID();
      const opened = ticketEvent('ticket.opened', { ticket: { id, ...atTable } });
      await h.publish(opened);
      await h.publish(ticketEvent('ticket.claimed', { ticket: { id, ...atTable, status: 'claimed', assigneeName: 'Ayşe Yılmaz', version: 2 } }));
      await h.publish(ticketEvent('ticket.resolved', { actor: { kind: 'agent', name: 'Ayşe Yılmaz' }, ticket: { id, ...atTable, status: 'resolved', rootCause: 'wait-time', version: 3 } }));
      // the same opening again under a new event id (a replay upstream): the thread must not start twice
      await h.publish(ticketEvent('ticket.opened', { ticket: { id, ...atTable } }));
      await settled(id, 6);
      await h.quiet();

      const mails = ofTicket(id);
      const root = `<ticket.${id}@closeloop.test>`;
      expect(mails.map((m) => [m.messageId === root ? 'root' : 'reply', m.inReplyTo ?? null])).toEqual([
        ['root', null],
        ['reply', root],
        ['reply', root],
      ]);
      expect(new Set(mails.map((m) => m.messageId)).size).toBe(3);
      for (const m of mails) {
        expect(m.rcptTo).toEqual(['leads@example.com', 'ops@example.com']);
        expect(m.mailFrom).toBe('alerts@closeloop.test');
        expect(m.subject?.replace(/^Re: /, '')).toBe(`[Closeloop] table · ticket ${id.slice(0, 8)} (leads)`);
      }
      expect(mails[1].references).toEqual([root]);
      expect(mails[1].text).toContain('Claimed by Ayşe Yılmaz');
      expect(mails[2].text).toContain('Resolved by Ayşe Yılmaz · root cause: wait-time');
      const events = (await h.deliveryEvents(id, 3)).filter((e) => e.data.purpose === 'email');
      expect(events.map((e) => [e.data.channel, e.data.status, e.data.recipient])).toEqual(expect.arrayContaining([['email', 'sent', 'leads@example.com, ops@example.com']]));
    });

    it('a send whose answer never came is sent again with the same Message-ID (the mailbox shows it once); a 451 is retried; a 550 fails for good', async () => {
      const id = randomUUID();
      h.smtp.script({ hang: true }, { reject: { code: 451, message: 'greylisted, try again later' } });
      await h.publish(ticketEvent('ticket.opened', { ticket: { id, ...atTable } }));
      const [row] = (await settled(id, 2)).filter((r) => r.purpose === 'email');
      expect(row).toMatchObject({ status: 'sent', attempts: 3, maybe_delivered: true });
      expect(ofTicket(id).map((m) => m.messageId)).toEqual([`<ticket.${id}@closeloop.test>`, `<ticket.${id}@closeloop.test>`]);

      const other = randomUUID();
      h.smtp.script({ reject: { code: 550, message: 'mailbox unavailable' } });
      await h.publish(ticketEvent('ticket.opened', { ticket: { id: other, ...atTable } }));
      const [failed] = (await settled(other, 2)).filter((r) => r.purpose === 'email');
      expect(failed).toMatchObject({ status: 'failed', attempts: 1, last_error_code: 'smtp_550' });
      expect(ofTicket(other)).toEqual([]);
    });
  });

  it('posts to one channel at most once per SLACK_CHANNEL_INTERVAL_MS', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const since = await dbNow();
    await h.publish(...ids.map((id) => ticketEvent('ticket.opened', { ticket: { id } })));
    for (const id of ids) await settled(id);
    await expectPaced('C0CX', since, 4);
  });

  it('two instances on one schema and consumer group: still one top-level post per ticket, and the pacing holds', async () => {
    const second = await startNotification({ ...h.cfg, http: { ...h.cfg.http, port: await freePort() } });
    const admin = testKafka().admin();
    try {
      await admin.connect();
      await until(async () => {
        const { groups } = await admin.describeGroups([prefixed(h.kafka, 'notification')]);
        return groups[0]?.state === 'Stable' && groups[0].members.length === 2 ? true : undefined;
      }, 'both instances in the consumer group');

      const tickets = [...Array(6)].map((_, i) => ({ id: randomUUID(), team: i % 2 ? 'support' : 'cx', touchpoint: i % 2 ? 'checkout' : 'dine-in' }));
      const since = await dbNow();
      for (const t of tickets) {
        const opened = ticketEvent('ticket.opened', { ticket: t });
        await h.publish(opened, opened, ticketEvent('ticket.claimed', { ticket: { ...t, status: 'claimed', assigneeName: 'Noa Levi', version: 2 } }));
      }
      for (const t of tickets) await settled(t.id, 3);

      for (const t of tickets) {
        expect(topLevelPosts(t.id)).toHaveLength(1);
        const { ts } = await alertRow(t.id);
        expect(h.slack.calls('chat.postMessage').filter((r) => r.form.thread_ts === ts)).toHaveLength(1);
      }
      for (const channel of ['C0CX', 'C0SUPPORT']) {
        await expectPaced(channel, since, 6);
      }
    } finally {
      await admin.disconnect();
      await second.close();
    }
  });

  it('exposes delivery and stage metrics on /metrics', async () => {
    const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
    const sample = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
    expect(sample(/^closeloop_stage_latency_seconds_count\{[^}]*stage="alerted"[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(10);
    expect(sample(/^closeloop_notification_deliveries_total\{[^}]*channel="slack",purpose="alert",outcome="sent"[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(10);
    expect(sample(/^closeloop_notification_deliveries_total\{[^}]*channel="slack",purpose="alert",outcome="failed"[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(sample(/^closeloop_notification_deliveries_total\{[^}]*channel="slack",purpose="alert",outcome="reconciled"[^}]*\} (\d+)/m)).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^closeloop_notification_delivery_latency_seconds_bucket\{/m);
    expect((await fetch(`${h.baseUrl}/health/ready`)).status).toBe(200);
  });
});
