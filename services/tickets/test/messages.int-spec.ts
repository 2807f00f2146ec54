import { DataSource } from 'typeorm';
import { ConsentCommand, CustomerReplyCommand, DeliveryEvent, FeedbackScoredEvent, TicketCommand, Topic, makeEnvelope } from '@closeloop/contracts';
import { waitFor } from '@closeloop/testing';
import { messageEventId } from '../src/messages/customer-message.service';
import { RunningTickets, TOKENS, TestBus, api, dropSchema, migrate, scoredEvent, startApp, testEnvironment, ticketIdFor } from './harness';

const { cfg, kafka, schema } = testEnvironment('messages');
const bus = new TestBus(kafka);
let ds: DataSource;
let svc: RunningTickets;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  ds = await migrate(cfg);
  svc = await startApp(cfg);
  call = api(svc.url);
  await bus.start();
});

afterAll(async () => {
  await bus.stop();
  await svc?.app.close();
  await dropSchema(ds, schema);
});

const CX = { touchpoint: 'dine-in', team: 'cx' };

const withContact = (ev: FeedbackScoredEvent, customer: { phone?: string; locale?: string; name?: string; email?: string }): FeedbackScoredEvent => {
  Object.assign(ev.data.feedback.customer, customer);
  return ev;
};

/** An action-required feedback from a customer with these contact details; resolves with the ticket id once it is open. */
async function openFor(externalId: string, customerId: string, customer: { phone?: string; locale?: string; name?: string; email?: string }, touchpoint: string = CX.touchpoint) {
  // dine-in is team cx's, Ayşe's team (SPEC §12: an agent acts on their own team's tickets)
  await bus.publish(Topic.FeedbackScored, customerId, withContact(scoredEvent({ externalId, customerId, ...CX, touchpoint, customerName: customer.name ?? 'Deniz' }), customer));
  const id = ticketIdFor(externalId);
  await bus.waitForEvent((e) => e.type === 'ticket.opened' && e.data.ticket.id === id, `ticket.opened for ${externalId}`);
  return id;
}

/** POST /v1/tickets/:id/messages as Ayşe, with an Idempotency-Key when given. */
async function send(ticketId: string, body: unknown, key?: string) {
  const res = await fetch(`${svc.url}/v1/tickets/${ticketId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.ayse}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as any };
}

const messageEvents = (ticketId: string) => bus.eventsOf(ticketId, 'ticket.customer_message_requested');

describe('POST /v1/tickets/:id/messages (SPEC §11)', () => {
  it('renders apology in the customer\'s locale (tr), publishes it once through the outbox and shows it on the timeline', async () => {
    const id = await openFor('msg-tr-1', 'c-msg-tr', { phone: '+905551234567', locale: 'tr' });
    const res = await send(id, { channel: 'sms', template: 'apology' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ messageId: expect.any(String), duplicate: false, message: { channel: 'sms', template: 'apology', locale: 'tr', author: 'ayse' } });
    const text = res.body.message.body as string;
    expect(text).toBe(`Merhaba Deniz, ben Lezzet & Co.'dan Ayşe Yılmaz. Yaşadığınız olumsuz deneyim için çok üzgünüz. Telafi etmek isteriz; bu mesajı yanıtlamanız yeterli. (Ref: ${id})`);

    const ev = await bus.waitForEvent((e) => e.type === 'ticket.customer_message_requested' && e.data.ticket?.id === id, 'ticket.customer_message_requested');
    expect(ev.eventId).toBe(messageEventId(res.body.messageId));
    expect(ev.data).toMatchObject({
      actor: { kind: 'agent', id: 'ayse', name: 'Ayşe Yılmaz' },
      message: { id: res.body.messageId, channel: 'sms', body: text, template: 'apology', locale: 'tr', recipient: { customerId: 'c-msg-tr', phone: '+905551234567' } },
      ticket: { id, version: 1 }, // not a change of the ticket
    });

    // notification's delivery statuses of that message join the timeline
    const delivery = (status: 'sent' | 'delivered', ms: number): DeliveryEvent => makeEnvelope('notification.delivery', {
      deliveryId: 'd-msg-1', ticketId: id, ticketEventId: ev.eventId, channel: 'sms', purpose: 'customer_sms', recipient: '+90555***4567',
      status, attempts: 1, providerId: 'SM0123', at: new Date(Date.now() + ms).toISOString(),
    }, 'notification') as DeliveryEvent;
    await bus.publish(Topic.NotificationEvents, id, delivery('sent', 1));
    await bus.publish(Topic.NotificationEvents, id, delivery('delivered', 2));
    const timeline = await waitFor(async () => {
      const t = (await call('GET', `/v1/tickets/${id}`)).body.timeline as any[];
      return t.length === 4 ? t : undefined;
    }, { what: 'the message and its two statuses on the timeline' }) as any[];
    expect(timeline.map((e) => [e.kind, e.type, e.summary])).toEqual([
      ['event', 'ticket.opened', expect.any(String)],
      ['event', 'ticket.customer_message_requested', `Ayşe Yılmaz texted the customer: ${text}`],
      ['delivery', 'notification.delivery', 'SMS message to the customer (+90555***4567): sent'],
      ['delivery', 'notification.delivery', 'SMS message to the customer (+90555***4567): delivered'],
    ]);
    expect(timeline[1].data).toMatchObject({ messageId: res.body.messageId, template: 'apology', locale: 'tr', body: text, recipient: '+90555***4567' });
    expect(JSON.stringify(timeline)).not.toContain('+905551234567');
  });

  it('a retried POST with the same Idempotency-Key is the same message: one event, one row', async () => {
    const id = await openFor('msg-retry-1', 'c-msg-retry', { phone: '+905551230001', locale: 'en', name: 'Sam' });
    const answers = await Promise.all([1, 2, 3].map(() => send(id, { channel: 'sms', body: 'Your refund is on its way.' }, 'retry-key-1')));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(new Set(answers.map((a) => a.body.messageId)).size).toBe(1);
    expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
    // the same key for another message is refused; another key is another message
    const other = await send(id, { channel: 'sms', body: 'Something else' }, 'retry-key-1');
    expect(other).toMatchObject({ status: 422, body: { errors: [expect.objectContaining({ field: 'Idempotency-Key' })] } });
    expect((await send(id, { channel: 'sms', body: 'Your refund is on its way.' }, 'retry-key-2')).status).toBe(202);
    await bus.quiet(ds, schema);
    expect(messageEvents(id).map((e) => e.data.message?.body)).toEqual(['Your refund is on its way.', 'Your refund is on its way.']);
    expect((await ds.query(`SELECT count(*)::int AS n FROM "${schema}".customer_message WHERE ticket_id = $1`, [id]))[0].n).toBe(2);
  });

  it('refuses what cannot be sent, as problems: 400 with the field, 404, 409 with the reason', async () => {
    const id = await openFor('msg-refuse-1', 'c-msg-refuse', { phone: '+905551230002', locale: 'tr' });
    const noPhone = await openFor('msg-nophone-1', 'c-msg-nophone', { locale: 'tr' });
    const field = (name: string, message?: unknown) => ({ errors: [expect.objectContaining({ field: name, ...(message ? { message } : {}) })] });
    const cases: [string, unknown, number, unknown][] = [
      [id, { channel: 'sms', template: 'sorry' }, 400, field('template', expect.stringContaining('unknown template "sorry"'))],
      [id, { channel: 'sms', template: 'recheck' }, 400, field('template', expect.stringContaining('{{recheckUrl}}'))],
      [id, { channel: 'sms', template: 'apology', body: 'hi' }, 400, field('template')],
      [id, { channel: 'sms' }, 400, field('body')],
      [id, { channel: 'fax', body: 'hi' }, 400, field('channel')],
      [id, { channel: 'sms', body: 'hi', cc: 'x' }, 400, {}],
      ['00000000-0000-4000-8000-00000000dead', { channel: 'sms', template: 'apology' }, 404, { detail: 'there is no ticket 00000000-0000-4000-8000-00000000dead' }],
      [noPhone, { channel: 'sms', template: 'apology' }, 409, { detail: 'the customer has no phone number: none of their feedback gave one' }],
      [id, { channel: 'email', template: 'apology' }, 409, { detail: 'the customer has no email address: none of their feedback gave one' }],
      [id, { channel: 'sms', body: 'hi', subject: 'x' }, 400, field('subject', 'only an email has a subject')],
    ];
    for (const [ticketId, body, status, problem] of cases) {
      const res = await send(ticketId, body);
      expect([res.status, res.type, res.body]).toEqual([status, expect.stringContaining('application/problem+json'), expect.objectContaining({ status, ...(problem as object) })]);
    }
    const noToken = await fetch(`${svc.url}/v1/tickets/${id}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"channel":"sms","body":"x"}' });
    expect(noToken.status).toBe(401);
    await bus.quiet(ds, schema);
    expect([...messageEvents(id), ...messageEvents(noPhone)]).toEqual([]);
  });

  it('the newest contact details win; an older feedback arriving late only fills gaps', async () => {
    const id = await openFor('msg-contact-1', 'c-msg-contact', { phone: '+905551230003', locale: 'tr' });
    const newer = withContact(scoredEvent({ externalId: 'msg-contact-2', customerId: 'c-msg-contact', ...CX, customerName: 'Deniz', respondedAt: new Date(Date.now() + 60_000).toISOString() }), { phone: '+905551230004', locale: 'en' });
    const older = withContact(scoredEvent({ externalId: 'msg-contact-0', customerId: 'c-msg-contact', ...CX, customerName: 'Deniz', respondedAt: '2020-01-01T00:00:00Z' }), { phone: '+905551230005', locale: 'id' });
    await bus.publish(Topic.FeedbackScored, 'c-msg-contact', newer);
    await bus.publish(Topic.FeedbackScored, 'c-msg-contact', older);
    await bus.quiet(ds, schema);
    const res = await send(id, { channel: 'sms', template: 'apology' });
    expect(res.body.message).toMatchObject({ locale: 'en', body: expect.stringMatching(/^Hi Deniz/) });
    const ev = await bus.waitForEvent((e) => e.data.message?.id === res.body.messageId, 'the message event');
    expect(ev.data.message?.recipient.phone).toBe('+905551230004');
  });

  it('one customer three times in one fetched batch: their contact rows merge as one by one would (newest wins, older fills gaps)', async () => {
    const customerId = 'c-msg-contact-batch';
    const at = (ms: number) => new Date(Date.now() + ms).toISOString();
    const ev = (n: number, respondedAt: string, contact: { phone?: string; locale?: string; email?: string }) =>
      withContact(scoredEvent({ externalId: `msg-contact-batch-${n}`, customerId, ...CX, customerName: 'Deniz', respondedAt }), contact);
    // one produce request: one fetched batch, the rows written together before its commit (contact.repository.ts)
    await bus.producer.publish([
      ev(1, at(0), { phone: '+905551230010', locale: 'tr' }),
      ev(2, at(60_000), { phone: '+905551230011', locale: 'en' }),
      ev(3, '2020-01-01T00:00:00Z', { phone: '+905551230012', locale: 'id', email: 'deniz@example.com' }),
    ].map((event) => ({ topic: Topic.FeedbackScored, key: customerId, event })));
    await bus.quiet(ds, schema);
    const rows = await ds.query(`SELECT phone, locale, email FROM "${schema}".customer_contact WHERE customer_id = $1`, [customerId]);
    expect(rows).toEqual([{ phone: '+905551230011', locale: 'en', email: 'deniz@example.com' }]);
  });

  it('ticket.customer_opt_out (Twilio 21610 in notification) → every later POST is 409 "opted out", for any ticket of the customer', async () => {
    const id = await openFor('msg-optout-1', 'c-msg-optout', { phone: '+905551230006', locale: 'tr' });
    const other = await openFor('msg-optout-2', 'c-msg-optout', { phone: '+905551230006', locale: 'tr' }, 'terrace'); // unlisted: the default team, cx
    expect((await send(id, { channel: 'sms', template: 'apology' })).status).toBe(202);
    const cmd = makeEnvelope('ticket.customer_opt_out', { ticketId: id, channel: 'sms', reason: 'provider_unsubscribed', deliveryId: 'd-1', at: new Date().toISOString() }, 'notification') as ConsentCommand;
    await bus.publish(Topic.TicketCommands, id, cmd);
    await bus.publish(Topic.TicketCommands, id, cmd); // redelivered: recorded once
    await waitFor(async () => (await ds.query(`SELECT 1 FROM "${schema}".customer_contact WHERE customer_id = 'c-msg-optout' AND sms_opted_out_at IS NOT NULL`)).length === 1, { what: 'opt-out recorded' });
    for (const t of [id, other]) {
      expect(await send(t, { channel: 'sms', body: 'Still there?' })).toMatchObject({ status: 409, body: { detail: 'the customer has opted out of SMS' } });
    }
    await bus.quiet(ds, schema);
    const timeline = (await call('GET', `/v1/tickets/${id}`)).body.timeline as any[];
    expect(timeline.filter((e) => e.type === 'customer.opted_out').map((e) => e.summary)).toEqual([
      'The customer opted out of SMS (Twilio: the number unsubscribed, error 21610); nothing more is texted to them',
    ]);
    expect(messageEvents(id)).toHaveLength(1);
    expect(messageEvents(other)).toHaveLength(0);
  });

  it('ticket.customer_replied (an inbound SMS) joins the ticket\'s timeline once; a STOP reply opts out like 21610', async () => {
    const id = await openFor('msg-reply-1', 'c-msg-reply', { phone: '+905551230008', locale: 'tr' });
    const reply = makeEnvelope('ticket.customer_replied', { ticketId: id, channel: 'sms', body: 'Teşekkürler, iade geldi', providerId: 'SM1', at: new Date().toISOString() }, 'notification') as CustomerReplyCommand;
    await bus.publish(Topic.TicketCommands, id, reply);
    await bus.publish(Topic.TicketCommands, id, reply);
    const stop = makeEnvelope('ticket.customer_opt_out', { ticketId: id, channel: 'sms', reason: 'stop_reply', at: new Date().toISOString() }, 'notification') as ConsentCommand;
    await bus.publish(Topic.TicketCommands, id, stop);
    await bus.quiet(ds, schema);
    const timeline = (await call('GET', `/v1/tickets/${id}`)).body.timeline as any[];
    expect(timeline.filter((e) => e.type.startsWith('customer.')).map((e) => [e.type, e.summary])).toEqual([
      ['customer.replied', 'The customer replied by SMS: Teşekkürler, iade geldi'],
      ['customer.opted_out', 'The customer opted out of SMS (they replied STOP); nothing more is texted to them'],
    ]);
    expect(await send(id, { channel: 'sms', template: 'apology' })).toMatchObject({ status: 409, body: { detail: 'the customer has opted out of SMS' } });
  });

  it('ticket.message_customer (the Slack modal) sends like the API, once per command; what the API refuses becomes ticket.command_rejected for the agent', async () => {
    const id = await openFor('msg-slack-1', 'c-msg-slack', { phone: '+905551230010', locale: 'tr' });
    const cmd = makeEnvelope('ticket.message_customer', { ticketId: id, agentId: 'ayse', via: 'slack', channel: 'sms', template: 'apology', responseUrl: 'https://hooks.slack.com/actions/T/1/x' }, 'notification') as TicketCommand;
    await bus.publish(Topic.TicketCommands, id, cmd);
    await bus.publish(Topic.TicketCommands, id, cmd); // redelivered: still one message
    const ev = await bus.waitForEvent((e) => e.type === 'ticket.customer_message_requested' && e.data.ticket?.id === id, 'the message from Slack');
    expect((ev.data as any).message).toMatchObject({ channel: 'sms', template: 'apology', locale: 'tr', recipient: { phone: '+905551230010' } });
    expect((ev.data as any).message.body).toMatch(/^Merhaba Deniz, ben Lezzet & Co.'dan Ayşe Yılmaz\./);

    const noPhone = await openFor('msg-slack-2', 'c-msg-slack-nophone', { locale: 'tr' });
    const refused = makeEnvelope('ticket.message_customer', { ticketId: noPhone, agentId: 'ayse', via: 'slack', channel: 'sms', body: 'Merhaba', responseUrl: 'https://hooks.slack.com/actions/T/2/y' }, 'notification') as TicketCommand;
    await bus.publish(Topic.TicketCommands, noPhone, refused);
    const rejected = await bus.waitForEvent((e) => e.type === 'ticket.command_rejected' && e.data.commandId === refused.eventId, 'the rejection');
    expect(rejected.data).toMatchObject({ statusCode: 409, responseUrl: 'https://hooks.slack.com/actions/T/2/y', actor: { kind: 'agent', id: 'ayse' } });
    expect((rejected.data as any).reason).toMatch(/phone/);
    await bus.quiet(ds, schema);
    expect(messageEvents(id)).toHaveLength(1);
    expect(messageEvents(noPhone)).toHaveLength(0);
    const timeline = (await call('GET', `/v1/tickets/${noPhone}`)).body.timeline as any[];
    expect(timeline.find((e) => e.type === 'ticket.command_rejected')?.summary).toMatch(/^Message to the customer by Ayşe Yılmaz via slack rejected: /);
  });

  it('email (SPEC §11): the template\'s subject and text in the customer\'s language to their address; after the unsubscribe link, 409 for email only', async () => {
    const id = await openFor('msg-email-1', 'c-msg-email', { phone: '+905551230012', locale: 'tr', email: 'deniz@example.com' } as never);
    const res = await send(id, { channel: 'email', template: 'apology' });
    expect(res.status).toBe(202);
    const ev = await bus.waitForEvent((e) => e.type === 'ticket.customer_message_requested' && e.data.ticket?.id === id, 'the email message');
    expect((ev.data as any).message).toMatchObject({ channel: 'email', template: 'apology', locale: 'tr', subject: expect.any(String), recipient: { customerId: 'c-msg-email', email: 'deniz@example.com' } });
    const own = await send(id, { channel: 'email', body: 'Paranız iade edildi.' });
    expect(own.status).toBe(202);

    const cmd = makeEnvelope('ticket.customer_opt_out', { ticketId: id, channel: 'email', reason: 'unsubscribe_link', at: new Date().toISOString() }, 'notification') as ConsentCommand;
    await bus.publish(Topic.TicketCommands, id, cmd);
    await waitFor(async () => (await ds.query(`SELECT 1 FROM "${schema}".customer_contact WHERE customer_id = 'c-msg-email' AND email_opted_out_at IS NOT NULL`)).length === 1, { what: 'email opt-out recorded' });
    expect(await send(id, { channel: 'email', body: 'Hâlâ orada mısınız?' })).toMatchObject({ status: 409, body: { detail: 'the customer has opted out of email' } });
    expect((await send(id, { channel: 'sms', body: 'Hâlâ orada mısınız?' })).status).toBe(202);
    await bus.quiet(ds, schema);
    const timeline = (await call('GET', `/v1/tickets/${id}`)).body.timeline as any[];
    expect(timeline.filter((e) => e.type === 'customer.opted_out').map((e) => e.summary)).toEqual(['The customer unsubscribed from email (the link in an email); nothing more is emailed to them']);
    expect(timeline.find((e) => e.type === 'ticket.customer_message_requested')?.data).toMatchObject({ channel: 'email', recipient: 'd***@example.com' });
  });
});
