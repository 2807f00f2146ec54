import { randomUUID } from 'node:crypto';
import { Topic, validateEvent } from '@closeloop/contracts';
import { ERASED, isEncrypted, type DataKey } from './field-crypto';
import { newDataKey } from './master-key';
import { customerOfEvent, openEvent, sealEvent } from './event-fields';

const at = '2026-11-23T10:00:00.000Z';
const envelope = (type: string, data: object) => ({ eventId: randomUUID(), type, version: 1, occurredAt: at, producer: 'test', data });

const customer = { id: 'c-42', name: 'Deniz Yılmaz', email: 'deniz@example.com', phone: '+905551234567', locale: 'tr' };
const feedback = {
  source: 'web', externalId: 'r-1', touchpoint: 'checkout', metric: 'nps', score: 2, comment: '服务员太粗鲁了，我要退款',
  customer, respondedAt: at, feedbackId: randomUUID(), receivedAt: at, revision: 1, attributes: { store: 'ist-1' },
};
const snapshot = {
  id: 'T-1', customerId: 'c-42', customerName: 'Deniz Yılmaz', touchpoint: 'checkout', team: 'cx', status: 'open', severity: 'critical',
  metric: 'nps', score: 2, comment: 'Garsonlar çok kaba', feedbackCount: 1, openedAt: at, firstResponseDue: at, resolveDue: at, version: 1,
};
const message = {
  id: randomUUID(), channel: 'email', body: 'Merhaba Deniz, özür dileriz', subject: 'Özür dileriz',
  recipient: { customerId: 'c-42', email: 'deniz@example.com', phone: '+905551234567' },
};

/** [what, topic, event, the personal texts it carries, what must stay as it is] */
const cases: [string, Topic, ReturnType<typeof envelope>, string[], Record<string, unknown>][] = [
  ['feedback.received', Topic.FeedbackReceived, envelope('feedback.received', feedback),
    ['Deniz Yılmaz', 'deniz@example.com', '+905551234567', '服务员太粗鲁了，我要退款'], { 'customer.id': 'c-42', score: 2, 'attributes.store': 'ist-1' }],
  ['feedback.scored', Topic.FeedbackScored, envelope('feedback.scored', {
    feedbackId: feedback.feedbackId, feedback, classification: 'detractor', negative: true, actionRequired: true, severity: 'critical', team: 'cx',
    reasons: [{ rule: 'score-at-or-below-threshold', detail: 'nps 2 <= 6' }], matchedKeywords: ['退款'], scoredAt: at,
  }), ['Deniz Yılmaz', 'deniz@example.com', '+905551234567', '服务员太粗鲁了'], { 'feedback.customer.id': 'c-42', team: 'cx' }],
  ['ticket.note_added', Topic.TicketEvents, envelope('ticket.note_added', {
    ticket: snapshot, actor: { kind: 'agent', id: 'ayse', name: 'Ayşe Yılmaz' }, note: 'Called Deniz on +905551234567',
  }), ['Deniz Yılmaz', 'Garsonlar çok kaba', 'Called Deniz'], { 'ticket.customerId': 'c-42', 'actor.id': 'ayse' }],
  ['ticket.customer_message_requested', Topic.TicketEvents, envelope('ticket.customer_message_requested', {
    ticket: snapshot, actor: { kind: 'agent', id: 'ayse' }, message,
  }), ['Merhaba Deniz', 'Özür dileriz', 'deniz@example.com', '+905551234567'], { 'message.recipient.customerId': 'c-42', 'message.channel': 'email' }],
  ['ticket.customer_replied', Topic.TicketCommands, envelope('ticket.customer_replied', {
    ticketId: 'T-1', channel: 'sms', body: 'Hâlâ paramı bekliyorum', providerId: 'SM1', at, customerId: 'c-42',
  }), ['Hâlâ paramı bekliyorum'], { ticketId: 'T-1' }],
];

const get = (o: unknown, path: string) => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);

describe('personal fields of events (ADR 0024)', () => {
  const keys = new Map<string, DataKey>();
  const keyFor = async (customerId: string) => {
    if (!keys.has(customerId)) keys.set(customerId, newDataKey(randomUUID()));
    return keys.get(customerId) as DataKey;
  };
  const keyById = (erased = false) => async (id: string) => (erased ? null : ([...keys.values()].find((k) => k.id === id)?.key ?? null));

  it.each(cases)('%s: sealed, none of the texts is readable, the contract still holds, and it opens to the same event', async (_, topic, event, texts, kept) => {
    const sealed = await sealEvent(topic, event, keyFor);
    const wire = JSON.stringify(sealed);
    for (const t of texts) expect(wire).not.toContain(t);
    for (const [path, value] of Object.entries(kept)) expect(get(sealed.data, path)).toEqual(value);
    expect(validateEvent(topic, sealed)).toMatchObject({ ok: true });
    expect(await openEvent(topic, sealed, keyById())).toEqual(event);
    expect(sealed).not.toBe(event);
    expect(JSON.stringify(event)).toContain(texts[0]); // the event given is not changed
  });

  it.each(cases)('%s: with the key erased, texts read as erased, contact fields as absent, never a throw', async (_, topic, event) => {
    const opened = await openEvent(topic, await sealEvent(topic, event, keyFor), keyById(true));
    const wire = JSON.stringify(opened);
    expect(wire).not.toMatch(/enc:v1:/);
    expect(wire).not.toMatch(/deniz@example\.com|\+905551234567/);
    expect(wire).toContain(ERASED);
    expect(validateEvent(topic, opened)).toMatchObject({ ok: true });
  });

  it.each([
    ['a delivery event (masked recipients only)', Topic.NotificationEvents, envelope('notification.delivery', { recipient: '+90555***4567' })],
    ['a command with no customer id (nobody\'s key to use)', Topic.TicketCommands, envelope('ticket.resolve', { ticketId: 'T-9', note: 'unknown ticket' })],
    ['a ticket event with no personal field present', Topic.TicketEvents, envelope('ticket.claimed', { ticket: { ...snapshot, customerName: undefined, comment: undefined } })],
    ['an erased customer passed on (ERASED needs no key)', Topic.FeedbackReceived, envelope('feedback.received', { customer: { id: 'c-gone', name: ERASED } })],
  ])('%s is sent as it is, no key created', async (_, topic, event) => {
    const before = keys.size;
    expect(await sealEvent(topic, event, keyFor)).toBe(event);
    expect(keys.size).toBe(before);
  });

  it('a field already encrypted is not encrypted twice; one from before encryption opens as it is', async () => {
    const once = await sealEvent(Topic.FeedbackReceived, cases[0][2], keyFor);
    expect(await sealEvent(Topic.FeedbackReceived, once, keyFor)).toBe(once);
    expect(await openEvent(Topic.FeedbackReceived, cases[0][2], keyById(true))).toBe(cases[0][2]);
  });

  it('each customer gets their own key; the customer is the first id present', async () => {
    const a = await sealEvent(Topic.FeedbackReceived, envelope('feedback.received', { customer: { id: 'c-a', name: 'A' } }), keyFor);
    const b = await sealEvent(Topic.FeedbackReceived, envelope('feedback.received', { customer: { id: 'c-b', name: 'B' } }), keyFor);
    const idOf = (e: typeof a) => String(get(e.data, 'customer.name')).split(':')[2];
    expect(isEncrypted(get(a.data, 'customer.name'))).toBe(true);
    expect(idOf(a)).toBe(keys.get('c-a')?.id);
    expect(idOf(b)).toBe(keys.get('c-b')?.id);
    expect(customerOfEvent(Topic.TicketEvents, { message: { recipient: { customerId: 'c-m' } } })).toBe('c-m');
    expect(customerOfEvent(Topic.TicketEvents, { ticket: { customerId: 'c-t' }, message: { recipient: { customerId: 'c-m' } } })).toBe('c-t');
    expect(customerOfEvent(Topic.TrendEvents, { customerId: 'c-x' })).toBeUndefined();
  });
});
