import { Topic, allTopicsWithDlq, dlqTopicOf } from './topics';
import {
  decodeEvent, deterministicId, feedbackIdFor, feedbackReceivedEventId, feedbackScoredEventId, makeEnvelope, ticketIdOf, validateEvent, type TicketEvent,
} from './envelope';
import { revisionOf } from './events/feedback';
import { validatePlain } from './validation';
import { FeedbackDto } from './events/feedback';

const feedback = {
  source: 'questionpro', externalId: 'resp-81723', touchpoint: 'checkout', channel: 'web', metric: 'nps', score: 3,
  comment: 'Garsonlar çok kaba', customer: { id: 'c-42', name: 'Deniz', email: 'd@example.com', phone: '+905551234567', locale: 'tr' },
  respondedAt: '2026-11-23T10:00:00Z', attributes: { store: 'istanbul-1', vip: true },
};

describe('topics', () => {
  it('names every SPEC topic and its dead-letter topic', () => {
    expect(allTopicsWithDlq()).toEqual([
      'cx.feedback.received.v1', 'cx.feedback.received.v1.dlq', 'cx.feedback.scored.v1', 'cx.feedback.scored.v1.dlq',
      'cx.ticket.events.v1', 'cx.ticket.events.v1.dlq', 'cx.ticket.commands.v1', 'cx.ticket.commands.v1.dlq',
      'cx.notification.events.v1', 'cx.notification.events.v1.dlq', 'cx.trend.events.v1', 'cx.trend.events.v1.dlq',
      'cx.team.digests.v1', 'cx.team.digests.v1.dlq', 'cx.privacy.events.v1', 'cx.privacy.events.v1.dlq',
    ]);
    expect(dlqTopicOf(Topic.TicketEvents)).toBe('cx.ticket.events.v1.dlq');
  });
});

describe('feedback schema', () => {
  it('accepts the SPEC example', () => {
    expect(validatePlain(FeedbackDto, feedback).ok).toBe(true);
  });

  it.each([
    [{ metric: 'nps', score: 11 }, 'score', 'must be an integer from 0 to 10 for metric nps'],
    [{ metric: 'csat', score: 0 }, 'score', 'must be an integer from 1 to 5 for metric csat'],
    [{ metric: 'ces', score: 8 }, 'score', 'must be an integer from 1 to 7 for metric ces'],
    [{ score: 3.5 }, 'score', 'must be an integer'],
    [{ metric: 'stars' }, 'metric', 'must be one of nps, csat, ces'],
    [{ respondedAt: 'yesterday' }, 'respondedAt', 'must be an ISO-8601 date-time'],
    [{ customer: { id: '' } }, 'customer.id', 'id should not be empty'],
    [{ customer: { id: 'c', phone: '0555' } }, 'customer.phone', 'must be an E.164 phone number like +905551234567'],
  ])('rejects %j naming %s', (patch, field, message) => {
    const r = validatePlain(FeedbackDto, { ...feedback, ...patch });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toContainEqual({ field, message });
  });

  it('names every bad field at once', () => {
    const r = validatePlain(FeedbackDto, { metric: 'nps', score: 'x', customer: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const fields = new Set(r.errors.map((e) => e.field));
      expect([...fields].sort()).toEqual(['customer.id', 'externalId', 'respondedAt', 'score', 'source', 'touchpoint']);
    }
  });
});

describe('hostile keys (found by the ingest fuzzer)', () => {
  it.each([
    [{ attributes: { constructor: {} } }, 'attributes.constructor'],
    [{ customer: { id: 'c', constructor: 'x' } }, 'customer.constructor'],
    [JSON.parse('{"attributes": {"__proto__": {"polluted": true}}}'), 'attributes.__proto__'],
  ])('rejects %j naming %s instead of throwing', (patch, field) => {
    const r = validatePlain(FeedbackDto, { ...feedback, ...patch }, { forbidUnknown: true });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field)).toContain(field);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names a reserved key and every other bad field of the same body', () => {
    const r = validatePlain(FeedbackDto, { ...feedback, score: 42, attributes: { constructor: {} } }, { forbidUnknown: true });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field).sort()).toEqual(['attributes.constructor', 'score']);
  });

  it.each(['toString', 'hasOwnProperty', 'valueOf'])('names an unknown field called %s, at the top level and in customer', (key) => {
    const r = validatePlain(FeedbackDto, { ...feedback, [key]: 'x', customer: { ...feedback.customer, [key]: 'y' } }, { forbidUnknown: true });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual(expect.arrayContaining([{ field: key, message: 'is not a known field' }, { field: `customer.${key}`, message: 'is not a known field' }]));
  });

  it('keeps free-form attributes exactly as sent, keys named like Object.prototype members included', () => {
    const attributes = { toString: 1, hasOwnProperty: { valueOf: [2, { toString: 'x' }] }, prototype: 3, store: 'istanbul-1' };
    const r = validatePlain(FeedbackDto, { ...feedback, attributes }, { forbidUnknown: true });
    expect(r.ok).toBe(true);
    if (r.ok) expect(JSON.parse(JSON.stringify(r.value.attributes))).toEqual(attributes);
  });

  it('decodes an event with a reserved key into a validation error, never an exception', () => {
    const received = { ...feedback, feedbackId: feedbackIdFor('s', 'e'), receivedAt: '2026-11-23T10:00:01Z', attributes: { constructor: {} } };
    const r = decodeEvent(Topic.FeedbackReceived, Buffer.from(JSON.stringify(makeEnvelope('feedback.received', received, 'x'))));
    expect(r).toMatchObject({ ok: false, errors: [{ field: 'data.attributes.constructor' }] });
  });
});

describe('envelopes', () => {
  const received = { ...feedback, feedbackId: feedbackIdFor('questionpro', 'resp-81723'), receivedAt: '2026-11-23T10:00:01Z' };

  it('round-trips a valid event through decode', () => {
    const env = makeEnvelope('feedback.received', received, 'ingest');
    const r = decodeEvent(Topic.FeedbackReceived, Buffer.from(JSON.stringify(env)));
    expect(r).toEqual({ ok: true, event: env });
  });

  it('rejects malformed JSON, unknown types, wrong versions and bad data with reasons', () => {
    expect(decodeEvent(Topic.FeedbackReceived, Buffer.from('{nope'))).toMatchObject({ ok: false, errors: [{ field: '(value)' }] });
    const wrongType = makeEnvelope('ticket.opened', received, 'ingest');
    expect(validateEvent(Topic.FeedbackReceived, wrongType)).toMatchObject({ ok: false, errors: [{ field: 'type' }] });
    expect(validateEvent(Topic.FeedbackReceived, { ...makeEnvelope('feedback.received', received, 'x'), version: 2 }))
      .toMatchObject({ ok: false, errors: [{ field: 'version' }] });
    const bad = makeEnvelope('feedback.received', { ...received, customer: { id: '' } }, 'ingest');
    expect(validateEvent(Topic.FeedbackReceived, bad)).toMatchObject({ ok: false, errors: [{ field: 'data.customer.id' }] });
    expect(validateEvent(Topic.FeedbackReceived, { ...makeEnvelope('feedback.received', received, 'x'), eventId: 'nope' }))
      .toMatchObject({ ok: false, errors: [{ field: 'eventId' }] });
  });

  it('derives the same feedback id for the same (source, externalId) and different ones otherwise', () => {
    const id = feedbackIdFor('questionpro', 'resp-1');
    expect(feedbackIdFor('questionpro', 'resp-1')).toBe(id);
    expect(feedbackIdFor('questionpro', 'resp-2')).not.toBe(id);
    expect(feedbackIdFor('questionpr', 'oresp-1')).not.toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('revisions (SPEC §10): event ids and the revision field', () => {
  const id = feedbackIdFor('delighted-nps', '7712');
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it.each([
    ['revision 1 keeps eventId = feedbackId (inboxes that saw pre-revision events stay right)', feedbackReceivedEventId(id, 1), id],
    ['revision 1 of scored keeps the id scoring always used', feedbackScoredEventId(id, 1), deterministicId('scored', id)],
  ])('%s', (_name, actual, expected) => expect(actual).toBe(expected));

  it('gives every revision its own id, the same one every time, distinct across topics', () => {
    const ids = [1, 2, 3, 10].flatMap((n) => [feedbackReceivedEventId(id, n), feedbackScoredEventId(id, n)]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(feedbackReceivedEventId(id, 2)).toBe(feedbackReceivedEventId(id, 2));
    expect(feedbackReceivedEventId(feedbackIdFor('delighted-nps', '7713'), 2)).not.toBe(feedbackReceivedEventId(id, 2));
    for (const e of ids) expect(e).toMatch(uuid);
  });

  it.each([
    ['absent (an event from before revisions)', undefined, true, 1],
    ['1', 1, true, 1],
    ['7', 7, true, 7],
    ['0', 0, false, undefined],
    ['1.5', 1.5, false, undefined],
    ['"2"', '2', false, undefined],
  ])('revision %s', (_name, revision, valid, readAs) => {
    const data = { ...feedback, feedbackId: id, receivedAt: '2026-11-23T10:00:01Z', ...(revision === undefined ? {} : { revision }) };
    const r = validateEvent(Topic.FeedbackReceived, makeEnvelope('feedback.received', data, 'ingest'));
    expect(r.ok).toBe(valid);
    if (r.ok) expect(revisionOf(r.event.data)).toBe(readAs);
    else expect(new Set(r.errors.map((e) => e.field))).toEqual(new Set(['data.revision']));
  });
});

describe('ticket events: the snapshot', () => {
  const snapshot = {
    id: 't-1', customerId: 'c-42', touchpoint: 'checkout', team: 'cx', status: 'open', severity: 'normal', metric: 'nps', score: 3,
    feedbackCount: 1, openedAt: '2026-11-23T10:00:00Z', firstResponseDue: '2026-11-23T11:00:00Z', resolveDue: '2026-11-25T10:00:00Z', version: 1,
  };
  const actor = { kind: 'agent', id: 'ayse' };
  const rejected = { actor, reason: 'there is no ticket t-9', statusCode: 404, commandId: 'cmd-1' };

  it.each([
    ['a change with its ticket', 'ticket.claimed', { ticket: snapshot, actor }, true],
    ['a change without a ticket', 'ticket.claimed', { actor }, false],
    ['a refused command on an existing ticket (snapshot, as before)', 'ticket.command_rejected', { ...rejected, ticket: snapshot }, true],
    ['a refused command on an existing ticket (snapshot and id)', 'ticket.command_rejected', { ...rejected, ticket: snapshot, ticketId: 't-1' }, true],
    ['a refused command for an unknown ticket, naming it', 'ticket.command_rejected', { ...rejected, ticketId: 't-9' }, true],
    ['a refused command naming no ticket at all', 'ticket.command_rejected', rejected, false],
    ['a refused command with ticket: null and no id', 'ticket.command_rejected', { ...rejected, ticket: null }, false],
    ['a refused command with ticket: null, naming the id', 'ticket.command_rejected', { ...rejected, ticket: null, ticketId: 't-9' }, true],
    ['a refused command with an empty ticket id', 'ticket.command_rejected', { ...rejected, ticketId: '' }, false],
  ])('%s (%s) → valid: %s', (_what, type, data, valid) => {
    const r = validateEvent(Topic.TicketEvents, makeEnvelope(type, data, 'tickets'));
    expect(r.ok).toBe(valid);
    if (!r.ok) expect(r.errors.map((e) => e.field)).toContainEqual(expect.stringMatching(/^data\.(ticket|ticketId)$/));
  });

  const escalation = { step: 2, of: 2, after: 'PT45M', from: '2026-11-23T10:00:00Z', notify: ['lead-sms', 'lead-email', 'channel-mention'] };
  it.each<[string, Record<string, unknown>, string | undefined]>([
    ['a step with its ticket', { ticket: snapshot, actor, escalation }, undefined],
    ['no step', { ticket: snapshot, actor }, 'data.escalation'],
    ['an unknown notify kind', { ticket: snapshot, actor, escalation: { ...escalation, notify: ['pager'] } }, 'data.escalation.notify'],
    ['nobody to notify', { ticket: snapshot, actor, escalation: { ...escalation, notify: [] } }, 'data.escalation.notify'],
    ['step 0', { ticket: snapshot, actor, escalation: { ...escalation, step: 0 } }, 'data.escalation.step'],
  ])('ticket.escalated: %s', (_what, data, badField) => {
    const r = validateEvent(Topic.TicketEvents, makeEnvelope('ticket.escalated', data, 'tickets'));
    expect(r.ok).toBe(badField === undefined);
    if (!r.ok) expect(r.errors.map((e) => e.field)).toContain(badField);
  });

  it('ticketIdOf names the ticket with or without a snapshot', () => {
    expect(ticketIdOf(makeEnvelope('ticket.claimed', { ticket: snapshot, actor }, 'tickets') as TicketEvent)).toBe('t-1');
    expect(ticketIdOf(makeEnvelope('ticket.command_rejected', { ...rejected, ticketId: 't-9' }, 'tickets') as TicketEvent)).toBe('t-9');
  });
});
