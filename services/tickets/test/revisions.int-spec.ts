import { DataSource } from 'typeorm';
import { Topic } from '@closeloop/contracts';
import { uniqueName, waitFor } from '@closeloop/testing';
import { RunningTickets, ScoredInput, TestBus, api, dropSchema, migrate, scoredEvent, startApp, testEnvironment, ticketIdFor } from './harness';

/** SPEC §10: a revision of feedback (same feedbackId, revision + 1) against real Kafka and Postgres. */
const { cfg, kafka, schema } = testEnvironment('revisions');
const bus = new TestBus(kafka);
let ds: DataSource;
let svc: RunningTickets;
let call: ReturnType<typeof api>;

const ticketsOf = (customerId: string) =>
  ds.query(`SELECT id, status, severity, score, comment, feedback_count, version FROM "${schema}".ticket WHERE customer_id = $1`, [customerId]);
const seen = async (feedbackId: string) =>
  (await ds.query(`SELECT score, revision, action_required FROM "${schema}".feedback_seen WHERE feedback_id = $1`, [feedbackId]))[0];
const publish = (input: ScoredInput) => bus.publish(Topic.FeedbackScored, input.customerId, scoredEvent(input));

beforeAll(async () => {
  ds = await migrate(cfg);
  svc = await startApp(cfg);
  call = api(svc.url, 'noa'); // checkout is team support's
  await bus.start();
});

afterAll(async () => {
  await bus.stop();
  await svc?.app.close();
  await dropSchema(ds, schema);
});

describe('revisions of feedback (cx.feedback.scored.v1, SPEC §10)', () => {
  it('a revision of ticketed feedback updates that ticket (score, comment, severity up) and its timeline: no second ticket', async () => {
    const externalId = uniqueName('rev');
    const customerId = uniqueName('c-rev');
    const base = { externalId, customerId, score: 3, comment: 'slow' };
    await publish(base);
    const id = ticketIdFor(externalId);
    await bus.waitForEvent((e) => e.type === 'ticket.opened' && e.data.ticket.id === id, 'ticket.opened');

    await publish({ ...base, revision: 2, score: 1, comment: 'slow, and I want a refund', severity: 'critical' });
    const revised = await bus.waitForEvent((e) => e.type === 'ticket.feedback_revised' && e.data.ticket.id === id, 'ticket.feedback_revised');
    expect(revised.data).toMatchObject({
      feedbackId: scoredEvent(base).data.feedbackId, revision: 2, previousSeverity: 'normal', actor: { kind: 'customer', id: customerId },
      ticket: { score: 1, comment: 'slow, and I want a refund', severity: 'critical', feedbackCount: 1, version: 2, status: 'open' },
    });

    // a milder third revision shows the new words, the severity stays
    await publish({ ...base, revision: 3, score: 5, comment: 'refund came, thanks' });
    const third = await bus.waitForEvent((e) => e.type === 'ticket.feedback_revised' && e.data.ticket.id === id && e.data.revision === 3, 'third revision');
    expect(third.data.ticket).toMatchObject({ score: 5, comment: 'refund came, thanks', severity: 'critical', version: 3 });
    expect(third.data.previousSeverity).toBeUndefined();

    await bus.quiet(ds, schema);
    expect(await ticketsOf(customerId)).toEqual([expect.objectContaining({ id, feedback_count: 1, version: 3, score: 5, comment: 'refund came, thanks' })]);
    const detail = await call('GET', `/v1/tickets/${id}`);
    expect(detail.body.feedback).toHaveLength(1);
    expect(detail.body.feedback[0]).toMatchObject({ externalId, score: 5, comment: 'refund came, thanks', revision: 3 });
    expect(detail.body.timeline.map((e: { type: string }) => e.type)).toEqual(['ticket.opened', 'ticket.feedback_revised', 'ticket.feedback_revised']);
    expect(detail.body.timeline[1].summary).toBe('Feedback revised by the customer (revision 2): nps 1 at checkout; severity normal → critical');
    // the reports see the latest score
    expect(await seen(revised.data.feedbackId as string)).toEqual({ score: 5, revision: 3, action_required: true });
    expect(bus.eventsOf(id).map((e) => e.type)).toEqual(['ticket.opened', 'ticket.feedback_revised', 'ticket.feedback_revised']);
  });

  it('a revision not newer than the one applied (an older one arriving late) changes nothing', async () => {
    const externalId = uniqueName('stale');
    const customerId = uniqueName('c-stale');
    const base = { externalId, customerId, score: 3, comment: 'slow' };
    await publish(base);
    const id = ticketIdFor(externalId);
    await publish({ ...base, revision: 3, score: 2, comment: 'latest words' });
    await bus.waitForEvent((e) => e.type === 'ticket.feedback_revised' && e.data.ticket.id === id, 'revision 3');
    await publish({ ...base, revision: 2, score: 0, comment: 'older words', severity: 'critical' });
    await bus.quiet(ds, schema);

    expect(bus.eventsOf(id).map((e) => e.type)).toEqual(['ticket.opened', 'ticket.feedback_revised']);
    expect(await ticketsOf(customerId)).toEqual([expect.objectContaining({ score: 2, comment: 'latest words', severity: 'normal', version: 2 })]);
    expect(await seen(scoredEvent(base).data.feedbackId)).toMatchObject({ score: 2, revision: 3 });
  });

  it('revisions in one fetched batch are decided as one by one would: open, revise, a late older one and a resend change nothing', async () => {
    // one produce request: one fetched batch, its feedback read in one statement and written before the commit (feedback-seen.ts)
    const externalId = uniqueName('batch');
    const customerId = uniqueName('c-batch');
    const passiveId = uniqueName('batch-passive');
    const base = { externalId, customerId, score: 3, comment: 'slow' };
    const passive = { externalId: passiveId, customerId, touchpoint: 'delivery', score: 7, classification: 'passive' as const, negative: false };
    const inputs: ScoredInput[] = [
      base,
      { ...passive, actionRequired: false },
      { ...base, revision: 3, score: 2, comment: 'latest words' },
      { ...passive, revision: 2, comment: 'I want a refund', actionRequired: true },
      { ...base, revision: 2, score: 0, comment: 'older words', severity: 'critical' },
      { ...base, revision: 3, score: 2, comment: 'latest words' }, // the same revision again (a resend: a new event id)
    ];
    await bus.producer.publish(inputs.map((i) => ({ topic: Topic.FeedbackScored, key: customerId, event: scoredEvent(i) })));
    const id = ticketIdFor(externalId);
    const other = ticketIdFor(passiveId);
    await bus.waitForEvent((e) => e.type === 'ticket.opened' && e.data.ticket.id === other, 'ticket.opened by the passive score\'s revision');
    await bus.quiet(ds, schema);

    expect(bus.eventsOf(id).map((e) => [e.type, e.data.ticket.version])).toEqual([['ticket.opened', 1], ['ticket.feedback_revised', 2]]);
    expect(bus.eventsOf(other).map((e) => e.type)).toEqual(['ticket.opened']);
    expect(await ticketsOf(customerId)).toEqual(expect.arrayContaining([
      expect.objectContaining({ id, score: 2, comment: 'latest words', severity: 'normal', version: 2, feedback_count: 1 }),
      expect.objectContaining({ id: other, score: 7, comment: 'I want a refund', feedback_count: 1 }),
    ]));
    expect(await ticketsOf(customerId)).toHaveLength(2);
    expect(await seen(scoredEvent(base).data.feedbackId)).toEqual({ score: 2, revision: 3, action_required: true });
    expect(await seen(scoredEvent(passive).data.feedbackId)).toEqual({ score: 7, revision: 2, action_required: true });
  });

  it('a passive score opens nothing; its revision saying "refund" opens ONE ticket; the next revision updates it', async () => {
    const externalId = uniqueName('passive');
    const customerId = uniqueName('c-passive');
    const base = { externalId, customerId, score: 7, classification: 'passive' as const, negative: false };
    await publish({ ...base, actionRequired: false });
    const feedbackId = scoredEvent(base).data.feedbackId;
    await waitFor(async () => (await seen(feedbackId)) !== undefined, { what: 'the passive score recorded' });
    await bus.quiet(ds, schema);
    expect(await ticketsOf(customerId)).toEqual([]);

    await publish({ ...base, revision: 2, comment: 'I want a refund', actionRequired: true });
    const id = ticketIdFor(externalId);
    const opened = await bus.waitForEvent((e) => e.type === 'ticket.opened' && e.data.ticket.id === id, 'ticket.opened by the revision');
    expect(opened.data).toMatchObject({ feedbackId, ticket: { score: 7, comment: 'I want a refund', feedbackCount: 1 } });

    await publish({ ...base, revision: 3, comment: 'I want a refund, today', actionRequired: true });
    await bus.waitForEvent((e) => e.type === 'ticket.feedback_revised' && e.data.ticket.id === id, 'ticket.feedback_revised');
    await bus.quiet(ds, schema);
    expect(await ticketsOf(customerId)).toEqual([expect.objectContaining({ id, comment: 'I want a refund, today', feedback_count: 1 })]);
    expect(bus.ticketEvents.filter((e) => e.data.ticket?.customerId === customerId).map((e) => e.type)).toEqual(['ticket.opened', 'ticket.feedback_revised']);
  });
});
