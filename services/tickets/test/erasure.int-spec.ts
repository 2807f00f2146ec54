import { DataSource } from 'typeorm';
import { CustomerReplyCommand, PARTICIPANT_STORES, Topic, makeEnvelope } from '@closeloop/contracts';
import { ERASED } from '@closeloop/platform';
import { uniqueName, waitFor } from '@closeloop/testing';
import { TicketsConfig } from '../src/config';
import { ErasureScheduler } from '../src/privacy/erasure.scheduler';
import { ErasureService } from '../src/privacy/erasure.service';
import { RetentionScheduler } from '../src/privacy/retention';
import { RunningTickets, TestBus, api, dropSchema, migrate, scoredEvent, startApp, testEnvironment, ticketIdFor } from './harness';

/**
 * SPEC §13 erasure, orchestrated by tickets (ADR 0026), on real Kafka and Postgres: the admin's request, the tickets
 * store anonymised, the other participants' progress (published here as those services would), the key deleted last,
 * a restart in between, the retention pass with the same code.
 */
const env = testEnvironment('erasure');
const DAY = 86_400_000;
// a short key cache (the erasure waits it out before `kafka` is done) and a quick key step; retention ages of a day
const cfg: TicketsConfig = {
  ...env.cfg,
  privacy: { ...env.cfg.privacy, keyCacheMs: 4_000 },
  erasureCheckIntervalMs: 200,
  routing: { ...env.cfg.routing, retention: { resolvedTickets: { text: 'P1D', ms: DAY }, feedback: { text: 'P1D', ms: DAY } } },
};
const { kafka, schema } = env;
const bus = new TestBus(kafka);
let ds: DataSource;
let svc: RunningTickets;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  ds = await migrate(cfg);
  svc = await startApp(cfg);
  call = api(svc.url, 'dewi'); // dewi is the demo file's admin
  await bus.start();
});

afterAll(async () => {
  await bus.stop();
  await svc?.app.close();
  await dropSchema(ds, schema);
});

const CX = { touchpoint: 'dine-in', team: 'cx' };
const PERSONAL = {
  name: 'Deniz Yılmazoğlu', email: 'deniz.yilmazoglu@example.com', phone: '+905551112233',
  comments: ['Garson çok kabaydı', '服务员很粗鲁'], note: 'Aradım, Deniz Hanım iade istiyor', message: 'Merhaba, çok üzgünüz; iadeniz yolda', reply: 'Teşekkürler, 收到了',
};

/** A customer with a ticket carrying every kind of their text: two feedbacks, a note, a message, a reply, a resolve note. */
async function customerWithEverything(prefix: string, p = PERSONAL) {
  const customerId = uniqueName(prefix);
  const [first, second] = [`${customerId}-f1`, `${customerId}-f2`];
  const scored = (externalId: string, comment: string) => {
    const ev = scoredEvent({ externalId, customerId, ...CX, comment, customerName: p.name, score: 2 });
    Object.assign(ev.data.feedback.customer, { email: p.email, phone: p.phone });
    return ev;
  };
  await bus.publish(Topic.FeedbackScored, customerId, scored(first, p.comments[0]));
  const id = ticketIdFor(first);
  await bus.waitForEvent((e) => e.type === 'ticket.opened' && e.data.ticket.id === id, 'ticket.opened');
  await bus.publish(Topic.FeedbackScored, customerId, scored(second, p.comments[1]));
  await bus.waitForEvent((e) => e.type === 'ticket.feedback_attached' && e.data.ticket.id === id, 'ticket.feedback_attached');
  expect((await call('POST', `/v1/tickets/${id}/notes`, { as: 'ayse', body: { body: p.note } })).status).toBe(201);
  expect((await call('POST', `/v1/tickets/${id}/messages`, { as: 'ayse', body: { channel: 'sms', body: p.message } })).status).toBe(202);
  await bus.publish(Topic.TicketCommands, id, makeEnvelope('ticket.customer_replied', { ticketId: id, channel: 'sms', body: p.reply, providerId: 'SM1', at: new Date().toISOString() }, 'notification') as CustomerReplyCommand);
  await waitFor(async () => ((await call('GET', `/v1/tickets/${id}`)).body.timeline as any[]).some((e) => e.type === 'customer.replied'), { what: 'the reply on the timeline' });
  expect((await call('POST', `/v1/tickets/${id}/resolve`, { as: 'ayse', body: { rootCause: 'staff-behaviour', note: `${p.name} refunded` } })).status).toBe(200);
  return { customerId, ticketId: id };
}

/** Every row of every table of the tickets schema, as text. */
async function dumpSchema(): Promise<string> {
  const tables: { table_name: string }[] = await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [schema]);
  expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['ticket', 'ticket_feedback', 'note', 'timeline', 'customer_message', 'customer_contact', 'erasure']));
  const parts: string[] = [];
  for (const { table_name } of tables) for (const r of await ds.query(`SELECT t::text AS row FROM "${schema}"."${table_name}" t`)) parts.push(r.row);
  return parts.join('\n');
}

/** The other participants' reports, as scoring, ingest and notification publish them. */
async function otherParticipantsDone(erasureId: string, customerId: string) {
  for (const store of PARTICIPANT_STORES.filter((s) => s !== 'tickets')) {
    await bus.publish(Topic.PrivacyEvents, customerId, makeEnvelope('customer.erasure_progress', { erasureId, customerId, store, status: 'done', erased: 2, by: 'test' }, 'test'));
  }
}

/** The report over a fixed window around the test run (a default window would move between the two reads). */
const WINDOW = `from=${new Date(Date.now() - DAY).toISOString()}&to=${new Date(Date.now() + DAY).toISOString()}`;
const report = async () => (await call('GET', `/v1/reports/summary?${WINDOW}`)).body;

const erasure = async (id: string) => (await call('GET', `/v1/erasures/${id}`)).body;
const keyRows = async (customerId: string) => Number((await ds.query('SELECT count(*)::int AS n FROM privacy.customer_key WHERE customer_id = $1', [customerId]))[0].n);

describe('POST /v1/customers/:id/erase and GET /v1/erasures/:id: who may, and bad input', () => {
  it('admins only: an agent, a lead and ops get 403 naming admin; no token 401', async () => {
    for (const as of ['ayse', 'mehmet', 'emre'] as const) {
      const r = await call('POST', '/v1/customers/c-someone/erase', { as });
      expect(r).toMatchObject({ status: 403, body: { requiredRoles: ['admin'] } });
      expect((await call('GET', '/v1/erasures/6f1c2b1e-1a2b-4c3d-8e4f-5a6b7c8d9e0f', { as })).status).toBe(403);
    }
    expect((await call('POST', '/v1/customers/c-someone/erase', { as: null })).status).toBe(401);
  });

  it('a customer id over 200 characters (or blank) is a 400 naming the field; an unknown erasure is a 404', async () => {
    const long = await call('POST', `/v1/customers/${'x'.repeat(201)}/erase`);
    expect(long).toMatchObject({ status: 400, body: { errors: [{ field: 'id', message: expect.stringContaining('at most 200') }] } });
    expect(await call('POST', `/v1/customers/${encodeURIComponent('  ')}/erase`)).toMatchObject({ status: 400, body: { errors: [{ field: 'id', message: 'must not be empty' }] } });
    expect((await call('GET', '/v1/erasures/6f1c2b1e-1a2b-4c3d-8e4f-5a6b7c8d9e0f')).status).toBe(404);
    expect((await call('GET', '/v1/erasures/not-an-id')).status).toBe(404);
  });
});

describe('an erasure from request to done (SPEC §13)', () => {
  it('anonymises the tickets store, waits for every participant, deletes the key last; no string of the customer is left, reports count the same', async () => {
    const { customerId, ticketId } = await customerWithEverything('c-erase');
    const other = await customerWithEverything('c-keep', { ...PERSONAL, name: 'Kerem Aksoy', email: 'kerem.aksoy@example.com', phone: '+905559998877', comments: ['Kahve soğuktu', '咖啡是冷的'], note: 'Kerem aradı', message: 'Kerem Bey, özür dileriz', reply: 'Sağ olun' });
    expect(await keyRows(customerId)).toBe(1);
    const before = (await report());

    const posted = await call('POST', `/v1/customers/${customerId}/erase`);
    expect(posted).toMatchObject({ status: 202, body: { erasureId: expect.any(String) } });
    const erasureId = posted.body.erasureId as string;
    // while it is unfinished, the same erasure answers
    expect((await call('POST', `/v1/customers/${customerId}/erase`)).body).toEqual({ erasureId });

    const afterTickets = await waitFor(async () => { const e = await erasure(erasureId); return e.stores.tickets.status === 'done' ? e : null; }, { what: 'tickets store done' });
    expect(afterTickets).toMatchObject({ erasureId, customerId, requestedBy: 'dewi', status: 'pending', stores: { tickets: { status: 'done', erased: expect.any(Number) }, scoring: { status: 'pending' }, kafka: { status: 'pending' } } });
    expect(afterTickets.stores.tickets.erased).toBeGreaterThanOrEqual(8);
    expect(await keyRows(customerId)).toBe(1); // the key goes last: other participants still read their stores with it

    await otherParticipantsDone(erasureId, customerId);
    const done = await waitFor(async () => { const e = await erasure(erasureId); return e.status === 'done' ? e : null; }, { what: 'erasure done', timeoutMs: 30_000 });
    expect(done.stores.kafka).toMatchObject({ status: 'done', erased: 1 });
    expect(Object.values(done.stores).every((s: any) => s.status === 'done')).toBe(true);
    expect(await keyRows(customerId)).toBe(0);
    expect((await ds.query('SELECT count(*)::int AS n FROM privacy.erased_customer WHERE customer_id = $1', [customerId]))[0].n).toBe(1);

    const dump = await dumpSchema();
    for (const s of [PERSONAL.name, 'Deniz', PERSONAL.email, PERSONAL.phone, '5551112233', ...PERSONAL.comments, PERSONAL.note, PERSONAL.message, PERSONAL.reply, '收到了']) {
      expect({ leaked: s, found: dump.includes(s) }).toEqual({ leaked: s, found: false });
    }
    // the other customer is untouched (the search above can find what is there)
    for (const s of ['Kerem Aksoy', 'kerem.aksoy@example.com', 'Kahve soğuktu', '咖啡是冷的', 'Kerem aradı']) expect(dump).toContain(s);

    const shown = (await call('GET', `/v1/tickets/${ticketId}`)).body;
    expect(shown.ticket).toMatchObject({ customerErased: true, customer: { id: customerId, name: ERASED }, comment: ERASED, score: 2, status: 'resolved', feedbackCount: 2 });
    expect(shown.timeline.find((e: any) => e.kind === 'note').summary).toBe(`Note by Ayşe Yılmaz: ${ERASED}`);
    // nor does the API answer any of it (ticket, feedback, timeline)
    const answered = JSON.stringify(shown);
    for (const s of [PERSONAL.name, PERSONAL.email, PERSONAL.phone, ...PERSONAL.comments, PERSONAL.note, PERSONAL.message, PERSONAL.reply]) expect({ s, found: answered.includes(s) }).toEqual({ s, found: false });
    expect((await call('GET', `/v1/tickets/${other.ticketId}`)).body.ticket).toMatchObject({ customerErased: false, customer: { name: 'Kerem Aksoy' } });
    expect((await report())).toEqual(before);

    // done: a new request is a new erasure
    const again = await call('POST', `/v1/customers/${customerId}/erase`);
    expect(again.status).toBe(202);
    expect(again.body.erasureId).not.toBe(erasureId);
  });

  it('a failed store makes the erasure failed with its reason and keeps the key; the admin\'s POST again retries the same erasure', async () => {
    const { customerId } = await customerWithEverything('c-fail');
    const erasureId = (await call('POST', `/v1/customers/${customerId}/erase`)).body.erasureId as string;
    await waitFor(async () => (await erasure(erasureId)).stores.tickets.status === 'done', { what: 'tickets store done' });
    const progress = (store: string, status: 'done' | 'failed', reason?: string) =>
      bus.publish(Topic.PrivacyEvents, customerId, makeEnvelope('customer.erasure_progress', { erasureId, customerId, store, status, ...(reason ? { reason } : {}), erased: 0, by: 'test' } as never, 'test'));
    for (const store of PARTICIPANT_STORES.filter((s) => s !== 'tickets' && s !== 'slack')) await progress(store, 'done');
    await progress('tickets', 'failed', 'a late failure'); // done is never taken back
    await progress('slack', 'failed', 'Slack message_not_found'); // same key, same partition: handled after the one above
    const failed = await waitFor(async () => { const e = await erasure(erasureId); return e.status === 'failed' ? e : null; }, { what: 'failed erasure' });
    expect(failed.stores).toMatchObject({ slack: { status: 'failed', reason: 'Slack message_not_found' }, tickets: { status: 'done' }, kafka: { status: 'pending' } });
    await svc.app.get(ErasureScheduler).run(); // a key step after the failure was recorded: the key stays
    expect(await keyRows(customerId)).toBe(1);

    // retry: the same id, the request goes out again (tickets erases again: nothing left), a done report replaces the failure
    const handled = async () => Number((await ds.query(`SELECT count(*)::int AS n FROM "${schema}".inbox WHERE consumer = 'tickets.erasure-requested'`))[0].n);
    const requestsBefore = await handled();
    expect((await call('POST', `/v1/customers/${customerId}/erase`)).body).toEqual({ erasureId });
    await waitFor(async () => (await handled()) === requestsBefore + 1, { what: 'the request handled again' });
    await progress('slack', 'done');
    const retried = await waitFor(async () => { const e = await erasure(erasureId); return e.status === 'done' ? e : null; }, { what: 'retried erasure done', timeoutMs: 30_000 });
    expect(retried.stores).toMatchObject({ slack: { status: 'done' }, kafka: { status: 'done', erased: 1 } });
    expect(await keyRows(customerId)).toBe(0);
  });

  it('a restart after the key was deleted and before `kafka` was done still finishes', async () => {
    const { customerId } = await customerWithEverything('c-restart');
    const erasureId = (await call('POST', `/v1/customers/${customerId}/erase`)).body.erasureId as string;
    await waitFor(async () => (await erasure(erasureId)).stores.tickets.status === 'done', { what: 'tickets store done' });
    await otherParticipantsDone(erasureId, customerId);
    await waitFor(async () => (await ds.query(`SELECT key_deleted_at FROM "${schema}".erasure WHERE id = $1`, [erasureId]))[0].key_deleted_at, { what: 'key deleted' });
    await svc.app.close(); // within the key cache time (4 s): kafka not done yet
    expect((await ds.query(`SELECT done_at FROM "${schema}".erasure WHERE id = $1`, [erasureId]))[0].done_at).toBeNull();
    expect(await keyRows(customerId)).toBe(0);

    svc = await startApp(cfg);
    call = api(svc.url, 'dewi');
    const done = await waitFor(async () => { const e = await erasure(erasureId); return e.status === 'done' ? e : null; }, { what: 'erasure done after the restart', timeoutMs: 30_000 });
    expect(done.stores.kafka).toMatchObject({ status: 'done', erased: 1 });
  });
});

describe('two instances (SPEC §9)', () => {
  it('the key step acts once per erasure however many run it at once: one key deletion, one `kafka` done', async () => {
    const customerId = uniqueName('c-twice');
    await bus.publish(Topic.FeedbackScored, customerId, scoredEvent({ externalId: `${customerId}-f1`, customerId, ...CX, comment: 'Garson çok kabaydı', customerName: 'İki Kez' }));
    await bus.waitForEvent((e) => e.type === 'ticket.opened' && e.data.ticket.id === ticketIdFor(`${customerId}-f1`), 'ticket.opened');
    expect(await keyRows(customerId)).toBe(1);
    const scheduler = svc.app.get(ErasureScheduler);
    await scheduler.onModuleDestroy(); // no background pass: the two below are the only ones
    try {
      const erasureId = (await call('POST', `/v1/customers/${customerId}/erase`)).body.erasureId as string;
      await otherParticipantsDone(erasureId, customerId);
      await waitFor(async () => { const e = await erasure(erasureId); return PARTICIPANT_STORES.every((s) => e.stores[s].status === 'done'); }, { what: 'every participant done' });
      const service = svc.app.get(ErasureService);
      const now = new Date();
      const first = await Promise.all([service.keyStep(now), service.keyStep(now), service.keyStep(now)]);
      expect(first.reduce((n, r) => n + r.keysDeleted, 0)).toBe(1);
      expect(first.reduce((n, r) => n + r.finished, 0)).toBe(0); // the key caches have not forgotten it yet
      expect(await keyRows(customerId)).toBe(0);
      const later = new Date(now.getTime() + cfg.privacy.keyCacheMs + 1_000); // as if the cache time had passed
      const second = await Promise.all([service.keyStep(later), service.keyStep(later), service.keyStep(later)]);
      expect(second.reduce((n, r) => n + r.keysDeleted, 0)).toBe(0);
      expect(second.reduce((n, r) => n + r.finished, 0)).toBe(1);
      expect((await erasure(erasureId))).toMatchObject({ status: 'done', stores: { kafka: { status: 'done', erased: 1 } } });
      expect(await service.keyStep(later)).toEqual({ keysDeleted: 0, finished: 0 }); // and nothing is left to do
    } finally {
      scheduler.onApplicationBootstrap();
    }
  });
});

describe('retention (SPEC §13): the same anonymising, by age', () => {
  it('anonymises resolved tickets and feedback older than the ages, keeps counts, and a second pass changes nothing', async () => {
    const resolved = await customerWithEverything('c-old', { ...PERSONAL, name: 'Eski Müşteri', email: 'eski@example.com', phone: '+905550001111', comments: ['Çok bekledim', '等了很久'], note: 'Eski not', message: 'Eski mesaj', reply: 'Eski cevap' });
    const before = (await report());
    const retention = svc.app.get(RetentionScheduler);
    expect(await retention.run(new Date())).toMatchObject({ ticket: 0, ticketFeedback: 0 }); // nothing is a day old yet
    const counts = await retention.run(new Date(Date.now() + 2 * DAY));
    expect(counts?.ticket).toBeGreaterThanOrEqual(1);
    expect(counts?.ticketFeedback).toBeGreaterThanOrEqual(2);
    const shown = (await call('GET', `/v1/tickets/${resolved.ticketId}`)).body;
    expect(shown.ticket).toMatchObject({ customerErased: true, comment: ERASED, resolutionNote: ERASED, score: 2 });
    const dump = await dumpSchema();
    for (const s of ['Eski Müşteri', 'eski@example.com', 'Çok bekledim', '等了很久', 'Eski not', 'Eski mesaj', 'Eski cevap']) expect({ s, found: dump.includes(s) }).toEqual({ s, found: false });
    const again = await retention.run(new Date(Date.now() + 2 * DAY));
    expect(again).toEqual({ ticket: 0, ticketFeedback: 0, note: 0, timeline: 0, customerMessage: 0, customerContact: 0 });
    expect((await report())).toEqual(before);
  });
});
