import { DataSource } from 'typeorm';
import { DeliveryEvent, TicketCommand, Topic, makeEnvelope } from '@closeloop/contracts';
import { waitFor } from '@closeloop/testing';
import { TicketConsumers } from '../src/tickets/consumers';
import { RunningTickets, TOKENS, TestBus, api, dropSchema, migrate, scoredEvent, startApp, testEnvironment, ticketIdFor } from './harness';

const { cfg, kafka, schema } = testEnvironment('flow');
const bus = new TestBus(kafka);
let ds: DataSource;
let svc: RunningTickets;
let call: ReturnType<typeof api>;

const ticketRows = (customerId: string) =>
  ds.query(`SELECT id, status, severity, feedback_count, version FROM "${schema}".ticket WHERE customer_id = $1 ORDER BY opened_at`, [customerId]);

/** Publishes an action-required feedback and waits until its ticket event is out. */
async function openVia(externalId: string, customerId: string, extra: Parameters<typeof scoredEvent>[0] extends infer T ? Partial<T> : never = {}) {
  await bus.publish(Topic.FeedbackScored, customerId, scoredEvent({ externalId, customerId, ...extra }));
  const id = ticketIdFor(externalId);
  await bus.waitForEvent((e) => e.type === 'ticket.opened' && e.data.ticket.id === id, `ticket.opened for ${externalId}`);
  return id;
}

beforeAll(async () => {
  ds = await migrate(cfg);
  svc = await startApp(cfg);
  call = api(svc.url, 'noa'); // the demo routing file's checkout and web are team support's: Noa's and Wei's (SPEC §12)
  await bus.start();
});

afterAll(async () => {
  await bus.stop();
  await svc?.app.close();
  await dropSchema(ds, schema);
});

describe('opening and attaching (cx.feedback.scored.v1)', () => {
  it('opens one ticket for an action-required feedback and publishes ticket.opened with the snapshot', async () => {
    const id = await openVia('open-1', 'c-open', { comment: 'Kasada çok bekledim', customerName: 'Deniz' });
    const [opened] = bus.eventsOf(id, 'ticket.opened');
    expect(opened.data.ticket).toMatchObject({
      id, customerId: 'c-open', customerName: 'Deniz', touchpoint: 'checkout', team: 'support', status: 'open', severity: 'normal',
      metric: 'nps', score: 3, comment: 'Kasada çok bekledim', feedbackCount: 1, version: 1, locale: 'tr',
    });
    expect(opened.data.actor).toEqual({ kind: 'customer', id: 'c-open', name: 'Deniz' });
    // SLA of team support (PT2H / P3D) from the opening
    const t = opened.data.ticket;
    expect(Date.parse(t.firstResponseDue) - Date.parse(t.openedAt)).toBe(2 * 3_600_000);
    expect(Date.parse(t.resolveDue) - Date.parse(t.openedAt)).toBe(3 * 86_400_000);

    const res = await call('GET', `/v1/tickets/${id}`);
    expect(res.status).toBe(200);
    expect(res.body.ticket).toMatchObject({
      id, status: 'open', customer: { id: 'c-open', name: 'Deniz', locale: 'tr' }, assignee: null, feedbackCount: 1,
      claimedAt: null, resolvedAt: null, rootCause: null, firstResponseBreachedAt: null, reopenCount: 0, version: 1,
    });
    expect(res.body.feedback).toHaveLength(1);
    expect(res.body.feedback[0]).toMatchObject({ source: 'test', externalId: 'open-1', touchpoint: 'checkout', channel: 'web', score: 3, classification: 'detractor' });
    expect(res.body.timeline.map((e: any) => [e.kind, e.type])).toEqual([['event', 'ticket.opened']]);
    expect(res.body.timeline[0].id).toBe(opened.eventId);
  });

  it('records but does not open for feedback that needs no action', async () => {
    const ev = scoredEvent({ externalId: 'promoter-1', customerId: 'c-happy', score: 10, negative: false });
    await bus.publish(Topic.FeedbackScored, 'c-happy', ev);
    await waitFor(async () => (await ds.query(`SELECT 1 FROM "${schema}".feedback_seen WHERE customer_id = 'c-happy'`)).length === 1, { what: 'feedback_seen row' });
    expect(await ticketRows('c-happy')).toEqual([]);
  });

  it('the same scored event delivered 5× (redelivery) and handled 5× concurrently opens ONE ticket', async () => {
    const ev = scoredEvent({ externalId: 'dup-1', customerId: 'c-dup' });
    await Promise.all(Array.from({ length: 5 }, () => bus.publish(Topic.FeedbackScored, 'c-dup', ev)));
    // and 5 concurrent handlings in this process, racing in Postgres as two instances would
    const consumers = svc.app.get(TicketConsumers);
    await Promise.all(Array.from({ length: 5 }, () => consumers.onFeedbackScored(ev)));
    await bus.waitForEvent((e) => e.type === 'ticket.opened' && e.data.ticket.customerId === 'c-dup', 'ticket.opened');
    await bus.quiet(ds, schema); // every delivery handled
    expect(await ticketRows('c-dup')).toEqual([expect.objectContaining({ feedback_count: 1, version: 1 })]);
    expect(bus.ticketEvents.filter((e) => e.data.ticket?.customerId === 'c-dup')).toHaveLength(1);
  });

  it('5 different feedbacks of one (customer, touchpoint) at the same moment: one ticket, four attached', async () => {
    const events = Array.from({ length: 5 }, (_, i) => scoredEvent({ externalId: `race-${i}`, customerId: 'c-race', severity: i === 3 ? 'critical' : 'normal' }));
    const consumers = svc.app.get(TicketConsumers);
    await Promise.all(events.map((e) => consumers.onFeedbackScored(e)));
    const rows = await ticketRows('c-race');
    expect(rows).toEqual([expect.objectContaining({ status: 'open', feedback_count: 5, version: 5, severity: 'critical' })]);
    const id = rows[0].id;
    await waitFor(() => bus.eventsOf(id).length === 5, { what: '5 events of the raced ticket' });
    expect(bus.eventsOf(id).map((e) => e.type).sort()).toEqual(['ticket.feedback_attached', 'ticket.feedback_attached', 'ticket.feedback_attached', 'ticket.feedback_attached', 'ticket.opened']);
    expect(bus.eventsOf(id).map((e) => e.data.ticket.version).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('a second negative is attached (ticket.feedback_attached), raising the severity', async () => {
    const id = await openVia('attach-1', 'c-attach');
    await bus.publish(Topic.FeedbackScored, 'c-attach', scoredEvent({ externalId: 'attach-2', customerId: 'c-attach', score: 1, comment: 'avukatımla görüşeceğim', severity: 'critical' }));
    const attached = await bus.waitForEvent((e) => e.type === 'ticket.feedback_attached' && e.data.ticket.id === id, 'ticket.feedback_attached');
    expect(attached.data).toMatchObject({ previousSeverity: 'normal', ticket: { severity: 'critical', feedbackCount: 2, version: 2, score: 1, status: 'open' } });
    expect(attached.data.feedbackId).toBe(scoredEvent({ externalId: 'attach-2', customerId: 'c-attach' }).data.feedbackId);
    // a milder third one does not lower it, and says nothing about severity
    await bus.publish(Topic.FeedbackScored, 'c-attach', scoredEvent({ externalId: 'attach-3', customerId: 'c-attach', score: 5 }));
    const third = await bus.waitForEvent((e) => e.type === 'ticket.feedback_attached' && e.data.ticket.id === id && e.data.ticket.version === 3, 'third');
    expect(third.data.ticket.severity).toBe('critical');
    expect(third.data.previousSeverity).toBeUndefined();
    expect(await ticketRows('c-attach')).toHaveLength(1);
    const detail = await call('GET', `/v1/tickets/${id}`);
    expect(detail.body.feedback.map((f: any) => f.externalId)).toEqual(['attach-1', 'attach-2', 'attach-3']);
  });

  it('another touchpoint of the same customer is another ticket; a resolved ticket + new feedback opens a new one', async () => {
    const a = await openVia('tp-1', 'c-tp', { touchpoint: 'checkout' });
    const b = await openVia('tp-2', 'c-tp', { touchpoint: 'delivery', team: 'delivery' });
    expect(a).not.toBe(b);
    expect((await call('POST', `/v1/tickets/${a}/resolve`, { body: { rootCause: 'billing' } })).status).toBe(200);
    const c = await openVia('tp-3', 'c-tp', { touchpoint: 'checkout' });
    expect(c).not.toBe(a);
    expect((await call('GET', `/v1/tickets/${a}`)).body.ticket.status).toBe('resolved');
    expect((await ticketRows('c-tp')).map((r: any) => r.status)).toEqual(['resolved', 'open', 'open']);
  });
});

describe('agent API transitions', () => {
  it('claim → 200; the same agent again → 200 unchanged; another agent → 409 with the reason', async () => {
    const id = await openVia('claim-1', 'c-claim');
    const first = await call('POST', `/v1/tickets/${id}/claim`, { as: 'noa' });
    expect(first.status).toBe(200);
    expect(first.body.ticket).toMatchObject({ status: 'claimed', assignee: { id: 'noa', name: 'Noa Levi' }, version: 2 });
    expect(first.body.ticket.claimedAt).not.toBeNull();
    const claimed = await bus.waitForEvent((e) => e.type === 'ticket.claimed' && e.data.ticket.id === id, 'ticket.claimed');
    expect(claimed.data.actor).toEqual({ kind: 'agent', id: 'noa', name: 'Noa Levi' });
    expect(claimed.data.ticket).toMatchObject({ assigneeId: 'noa', assigneeName: 'Noa Levi', version: 2 });

    const again = await call('POST', `/v1/tickets/${id}/claim`, { as: 'noa' });
    expect(again.status).toBe(200);
    expect(again.body.ticket.version).toBe(2);

    const other = await call('POST', `/v1/tickets/${id}/claim`, { as: 'wei' });
    expect(other.status).toBe(409);
    expect(other.type).toMatch(/^application\/problem\+json/);
    expect(other.body).toMatchObject({ status: 409, title: 'Conflict', detail: 'the ticket is already claimed by Noa Levi' });
    expect(bus.eventsOf(id, 'ticket.claimed')).toHaveLength(1);
  });

  it('resolve: bad rootCause → 400 naming rootCause; then 200; then again → 409', async () => {
    const id = await openVia('resolve-1', 'c-resolve');
    await call('POST', `/v1/tickets/${id}/claim`, { as: 'noa' });
    const bad = await call('POST', `/v1/tickets/${id}/resolve`, { as: 'noa', body: { rootCause: 'gremlins', note: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'rootCause', message: 'must be one of staff-behaviour, wait-time, product-quality, billing, delivery, other' }]);
    const malformed = await call('POST', `/v1/tickets/${id}/resolve`, { as: 'noa', body: { customerContacted: 'yes', extra: 1 } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors.map((e: any) => e.field).sort()).toEqual(['customerContacted', 'extra', 'rootCause']);

    const ok = await call('POST', `/v1/tickets/${id}/resolve`, { as: 'noa', body: { rootCause: 'billing', note: 'Refunded the double charge', customerContacted: true } });
    expect(ok.status).toBe(200);
    expect(ok.body.ticket).toMatchObject({ status: 'resolved', rootCause: 'billing', resolutionNote: 'Refunded the double charge', customerContacted: true, version: 3 });
    const resolved = await bus.waitForEvent((e) => e.type === 'ticket.resolved' && e.data.ticket.id === id, 'ticket.resolved');
    expect(resolved.data).toMatchObject({ note: 'Refunded the double charge', customerContacted: true, ticket: { rootCause: 'billing', status: 'resolved' } });

    const twice = await call('POST', `/v1/tickets/${id}/resolve`, { as: 'noa', body: { rootCause: 'billing' } });
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toBe('the ticket is already resolved');
    const claimResolved = await call('POST', `/v1/tickets/${id}/claim`, { as: 'noa' });
    expect(claimResolved.status).toBe(409);
    expect(claimResolved.body.detail).toMatch(/resolved; reopen it/);
  });

  it('resolve straight from open claims it for the resolver in the same step', async () => {
    const id = await openVia('resolve-open-1', 'c-resolve-open');
    const ok = await call('POST', `/v1/tickets/${id}/resolve`, { as: 'wei', body: { rootCause: 'wait-time' } });
    expect(ok.status).toBe(200);
    expect(ok.body.ticket).toMatchObject({ status: 'resolved', assignee: { id: 'wei' }, version: 2, customerContacted: null });
    expect(ok.body.ticket.claimedAt).toBe(ok.body.ticket.resolvedAt);
  });

  it('reopen: a resolved ticket goes back to open (no assignee, new resolveDue); reopening an open one → 409', async () => {
    const id = await openVia('reopen-1', 'c-reopen');
    const resolved = await call('POST', `/v1/tickets/${id}/resolve`, { as: 'noa', body: { rootCause: 'delivery' } });
    const before = resolved.body.ticket;
    const noReason = await call('POST', `/v1/tickets/${id}/reopen`, { body: { reason: '   ' } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors).toEqual([{ field: 'reason', message: 'must not be empty' }]);
    const res = await call('POST', `/v1/tickets/${id}/reopen`, { as: 'wei', body: { reason: 'Customer called again: still no refund' } });
    expect(res.status).toBe(200);
    const t = res.body.ticket;
    expect(t).toMatchObject({ status: 'open', assignee: null, rootCause: null, resolvedAt: null, reopenCount: 1, version: before.version + 1 });
    expect(t.claimedAt).toBe(before.claimedAt); // the first response happened and stays
    expect(Date.parse(t.resolveDue) - Date.parse(t.updatedAt)).toBe(3 * 86_400_000);
    const ev = await bus.waitForEvent((e) => e.type === 'ticket.reopened' && e.data.ticket.id === id, 'ticket.reopened');
    expect(ev.data.reason).toBe('Customer called again: still no refund');
    const again = await call('POST', `/v1/tickets/${id}/reopen`, { body: { reason: 'again' } });
    expect(again.status).toBe(409);
    expect(again.body.detail).toBe('the ticket is open, only a resolved ticket can be reopened');
    // and it can be claimed again
    expect((await call('POST', `/v1/tickets/${id}/claim`, { as: 'noa' })).body.ticket.assignee.id).toBe('noa');
  });

  it('notes: 201, a new version, ticket.note_added, and in the timeline as a note', async () => {
    const id = await openVia('note-1', 'c-note');
    const res = await call('POST', `/v1/tickets/${id}/notes`, { as: 'noa', body: { body: 'Called the customer, no answer.' } });
    expect(res.status).toBe(201);
    expect(res.body.note).toMatchObject({ ticketId: id, author: { id: 'noa', name: 'Noa Levi' }, body: 'Called the customer, no answer.' });
    expect(res.body.ticket.version).toBe(2);
    const ev = await bus.waitForEvent((e) => e.type === 'ticket.note_added' && e.data.ticket.id === id, 'ticket.note_added');
    expect(ev.data.note).toBe('Called the customer, no answer.');
    const detail = await call('GET', `/v1/tickets/${id}`);
    expect(detail.body.timeline.map((e: any) => e.kind)).toEqual(['event', 'note']);
    expect(detail.body.timeline[1]).toMatchObject({ id: res.body.note.id, type: 'ticket.note_added', actor: { kind: 'agent', id: 'noa' }, data: { body: 'Called the customer, no answer.' } });
    expect((await call('POST', `/v1/tickets/${id}/notes`, { body: { body: '' } })).status).toBe(400);
  });

  it('unknown ticket → 404 problem; bad JSON → 400 problem', async () => {
    const missing = await call('POST', '/v1/tickets/00000000-0000-4000-8000-000000000000/claim');
    expect(missing.status).toBe(404);
    expect(missing.type).toMatch(/^application\/problem\+json/);
    expect((await call('GET', '/v1/tickets/not-a-uuid')).status).toBe(404);
    const res = await fetch(`${svc.url}/v1/tickets/00000000-0000-4000-8000-000000000000/notes`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKENS.ayse}`, 'content-type': 'application/json' }, body: '{"body": ',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as any).detail).toMatch(/JSON/);
  });

  it('401 without a token or with a wrong one; /v1/me names the agent', async () => {
    const none = await call('GET', '/v1/tickets', { as: null });
    expect(none.status).toBe(401);
    expect(none.type).toMatch(/^application\/problem\+json/);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await call('GET', '/v1/me', { token: 'token-ayse-0002' })).status).toBe(401);
    expect((await call('POST', '/v1/tickets/00000000-0000-4000-8000-000000000000/claim', { as: null })).status).toBe(401);
    const me = await call('GET', '/v1/me', { as: 'noa' });
    expect(me.body).toEqual({ agent: { id: 'noa', name: 'Noa Levi', team: 'support', role: 'agent' }, permissions: ['session', 'tickets.read', 'tickets.act'] });
    // health and metrics stay open
    expect((await fetch(`${svc.url}/health/live`)).status).toBe(200);
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/closeloop_tickets_opened_total\{[^}]*team="support"/);
    expect(metrics).toMatch(/closeloop_tickets_open\{[^}]*status="open"[^}]*\} \d+/);
  });
});

describe('commands (cx.ticket.commands.v1) and deliveries (cx.notification.events.v1)', () => {
  const command = (type: 'ticket.claim' | 'ticket.resolve', data: Record<string, unknown>): TicketCommand =>
    makeEnvelope(type, { via: 'slack', responseUrl: 'https://hooks.slack.test/actions/T1/1/abc', ...data }, 'notification') as TicketCommand;

  it('a ticket.claim command claims exactly as the API does', async () => {
    const id = await openVia('cmd-claim-1', 'c-cmd');
    await bus.publish(Topic.TicketCommands, id, command('ticket.claim', { ticketId: id, agentId: 'noa' }));
    const ev = await bus.waitForEvent((e) => e.type === 'ticket.claimed' && e.data.ticket.id === id, 'ticket.claimed from a command');
    expect(ev.data).toMatchObject({ actor: { kind: 'agent', id: 'noa', name: 'Noa Levi' }, ticket: { status: 'claimed', assigneeId: 'noa', version: 2 } });
    const detail: any = await call('GET', `/v1/tickets/${id}`);
    expect(detail.body.timeline[1].summary).toBe('Claimed by Noa Levi via slack');
  });

  it('an impossible command emits ticket.command_rejected with reason, status code, command id and response_url', async () => {
    const id = await openVia('cmd-reject-1', 'c-cmd-reject');
    await call('POST', `/v1/tickets/${id}/claim`, { as: 'noa' });
    const cmd = command('ticket.claim', { ticketId: id, agentId: 'wei' });
    await bus.publish(Topic.TicketCommands, id, cmd);
    await bus.publish(Topic.TicketCommands, id, cmd); // redelivered: rejected once
    const ev = await bus.waitForEvent((e) => e.type === 'ticket.command_rejected' && e.data.commandId === cmd.eventId, 'ticket.command_rejected');
    expect(ev.data).toMatchObject({
      reason: 'the ticket is already claimed by Noa Levi', reasonCode: 'already_claimed', statusCode: 409, responseUrl: 'https://hooks.slack.test/actions/T1/1/abc',
      actor: { kind: 'agent', id: 'wei', name: 'Lin Wei' }, ticket: { id, status: 'claimed', assigneeId: 'noa', version: 2 },
    });

    const noRoot = command('ticket.resolve', { ticketId: id, agentId: 'noa' });
    const badRoot = command('ticket.resolve', { ticketId: id, agentId: 'noa', rootCause: 'gremlins' });
    const unknown = command('ticket.claim', { ticketId: '00000000-0000-4000-8000-000000000001', agentId: 'noa' });
    const stranger = command('ticket.claim', { ticketId: id, agentId: 'nobody' });
    for (const c of [noRoot, badRoot, unknown, stranger]) await bus.publish(Topic.TicketCommands, c.data.ticketId, c);
    const rejected = async (c: TicketCommand) => (await bus.waitForEvent((e) => e.data.commandId === c.eventId, `rejection of ${c.eventId}`)).data;
    expect(await rejected(noRoot)).toMatchObject({ statusCode: 422, reason: expect.stringMatching(/^rootCause: required/) });
    expect(await rejected(badRoot)).toMatchObject({ statusCode: 422, reason: expect.stringMatching(/^rootCause: must be one of/) });
    expect(await rejected(stranger)).toMatchObject({ statusCode: 422, reason: 'agentId: unknown agent "nobody"', actor: { kind: 'agent', id: 'nobody' } });
    const notFound = await rejected(unknown);
    expect(notFound).toMatchObject({ statusCode: 404, reason: 'there is no ticket 00000000-0000-4000-8000-000000000001' });
    expect(notFound.ticket).toBeUndefined();

    await bus.quiet(ds, schema);
    expect(bus.ticketEvents.filter((e) => e.data.commandId === cmd.eventId)).toHaveLength(1);
    const detail = await call('GET', `/v1/tickets/${id}`);
    expect(detail.body.ticket.version).toBe(2); // rejections change nothing
    expect(detail.body.timeline.filter((e: any) => e.type === 'ticket.command_rejected')).toHaveLength(4);

    // a valid resolve command after all that
    await bus.publish(Topic.TicketCommands, id, command('ticket.resolve', { ticketId: id, agentId: 'wei', rootCause: 'staff-behaviour', note: 'Apologised', customerContacted: true }));
    const resolved = await bus.waitForEvent((e) => e.type === 'ticket.resolved' && e.data.ticket.id === id, 'ticket.resolved from a command');
    expect(resolved.data).toMatchObject({ actor: { id: 'wei' }, note: 'Apologised', ticket: { assigneeId: 'noa', rootCause: 'staff-behaviour' } });
  });

  it('delivery events land in the timeline once each, oldest first', async () => {
    const id = await openVia('delivery-1', 'c-delivery');
    const opened = bus.eventsOf(id, 'ticket.opened')[0];
    const delivery = (status: 'sent' | 'delivered', at: string): DeliveryEvent => makeEnvelope('notification.delivery', {
      deliveryId: 'd-1', ticketId: id, ticketEventId: opened.eventId, channel: 'slack', purpose: 'alert', recipient: 'C0SUPPORT',
      status, attempts: 1, providerId: '1700000000.000100', at,
    }, 'notification') as DeliveryEvent;
    const sent = delivery('sent', new Date(Date.parse(opened.occurredAt) + 1_000).toISOString());
    const delivered = delivery('delivered', new Date(Date.parse(opened.occurredAt) + 2_000).toISOString());
    await bus.publish(Topic.NotificationEvents, id, delivered);
    await bus.publish(Topic.NotificationEvents, id, sent);
    await bus.publish(Topic.NotificationEvents, id, sent);
    const unknown = { ...delivery('sent', new Date().toISOString()), eventId: '7d0cbb84-8ad4-4c4b-9a57-3a4bd0bd6a31' };
    unknown.data = { ...unknown.data, ticketId: '00000000-0000-4000-8000-000000000002' };
    await bus.publish(Topic.NotificationEvents, 'x', unknown);
    const timeline = await waitFor(async () => {
      const t = (await call('GET', `/v1/tickets/${id}`)).body.timeline;
      return t.length >= 3 ? t : null;
    }, { what: 'two deliveries in the timeline' });
    await bus.quiet(ds, schema);
    const final = (await call('GET', `/v1/tickets/${id}`)).body.timeline;
    expect(final).toHaveLength(3);
    expect(timeline.map((e: any) => [e.kind, e.data.status ?? null])).toEqual([['event', null], ['delivery', 'sent'], ['delivery', 'delivered']]);
    expect(final[1]).toMatchObject({ id: sent.eventId, type: 'notification.delivery', summary: 'Slack alert to C0SUPPORT: sent', actor: { kind: 'system', id: 'notification' } });
  });
});

describe('GET /v1/tickets', () => {
  const ids: string[] = [];
  beforeAll(async () => {
    // opened one after the other, so newest first is the reverse order
    for (let i = 0; i < 7; i++) ids.push(await openVia(`list-${i}`, `c-list-${i}`, { touchpoint: i % 2 ? 'web' : 'support-call', severity: i === 6 ? 'critical' : 'normal' }));
    await call('POST', `/v1/tickets/${ids[1]}/claim`, { as: 'noa' });
    await call('POST', `/v1/tickets/${ids[2]}/claim`, { as: 'wei' });
  });

  it('pages newest first with an opaque cursor, each ticket once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      // an admin reads every team's tickets (an agent only their own team's: below)
      const res: any = await call('GET', `/v1/tickets?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { as: 'dewi' });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((t: any) => t.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    const all = (await ds.query(`SELECT id FROM "${schema}".ticket ORDER BY opened_at DESC, id DESC`)).map((r: any) => r.id);
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 3));
    const mine = seen.filter((id) => ids.includes(id));
    expect(mine).toEqual([...ids].reverse());
  });

  it('filters by status, assignee (id, me, none), touchpoint, team, severity and customer', async () => {
    const q = async (query: string, as: 'noa' | 'wei' | 'dewi' = 'noa') => (await call('GET', `/v1/tickets?${query}&limit=200`, { as })).body.items.map((t: any) => t.id);
    const listIds = (xs: string[]) => xs.filter((x) => ids.includes(x));
    expect(listIds(await q('status=claimed'))).toEqual([ids[2], ids[1]]);
    expect(listIds(await q('assignee=noa'))).toEqual([ids[1]]);
    expect(listIds(await q('assignee=me', 'noa'))).toContain(ids[1]);
    expect(listIds(await q('assignee=me', 'noa'))).not.toContain(ids[2]);
    expect(listIds(await q('assignee=none&touchpoint=web'))).toEqual([ids[5], ids[3]]);
    expect(listIds(await q('touchpoint=support-call&status=open,claimed'))).toEqual([ids[6], ids[4], ids[2], ids[0]]);
    expect(listIds(await q('severity=critical'))).toEqual([ids[6]]);
    expect(await q('customer=c-list-4')).toEqual([ids[4]]);
    expect(listIds(await q('team=support'))).toHaveLength(7);
    expect(await q('team=delivery&customer=c-list-4', 'dewi')).toEqual([]);
  });

  it('an agent lists their own team\'s tickets: no team filter means theirs, another team is 403 naming the roles that may', async () => {
    const ayse = await call('GET', '/v1/tickets?limit=200', { as: 'ayse' }); // team cx: none of these support tickets
    expect(ayse.status).toBe(200);
    expect(ayse.body.items.filter((t: any) => ids.includes(t.id))).toEqual([]);
    expect(ayse.body.items.every((t: any) => t.team === 'cx')).toBe(true);
    const other = await call('GET', '/v1/tickets?team=support', { as: 'ayse' });
    expect(other.status).toBe(403);
    expect(other.type).toContain('application/problem+json');
    expect(other.body).toMatchObject({ status: 403, requiredRoles: ['ops', 'admin'] });
    expect(other.body.detail).toContain('team support');
    const detail = await call('GET', `/v1/tickets/${ids[0]}`, { as: 'ayse' });
    expect(detail).toMatchObject({ status: 403, body: { requiredRoles: ['ops', 'admin'] } });
    const claim = await call('POST', `/v1/tickets/${ids[0]}/claim`, { as: 'ayse' });
    expect(claim).toMatchObject({ status: 403, body: { requiredRoles: ['admin'] } });
    const ops = await call('POST', `/v1/tickets/${ids[0]}/claim`, { as: 'emre' });
    expect(ops).toMatchObject({ status: 403, body: { requiredRoles: ['agent', 'lead', 'admin'] } });
    expect((await call('GET', `/v1/tickets/${ids[0]}`, { as: 'emre' })).status).toBe(200); // ops: every ticket, read-only
    expect((await call('GET', `/v1/tickets/${ids[0]}`)).body.ticket).toMatchObject({ status: 'open', version: 1 }); // nothing changed
  });

  it('invalid filter values → 400 naming each field', async () => {
    const res = await call('GET', '/v1/tickets?status=closed&severity=urgent&team=nope&assignee=ghost&limit=0&cursor=garbage&colour=red');
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.field).sort()).toEqual(['colour', 'severity', 'status']);
    const second = await call('GET', '/v1/tickets?team=nope&assignee=ghost&limit=0&cursor=garbage');
    expect(second.status).toBe(400);
    expect(second.body.errors.map((e: any) => e.field)).toEqual(['team', 'assignee', 'limit', 'cursor']);
  });
});

