import { randomUUID } from 'node:crypto';
import { FeedbackDto, Topic, feedbackIdFor, feedbackReceivedEventId, validateEvent } from '@closeloop/contracts';
import { isEncrypted, newDataKey, openEvent, sealEventWith } from '@closeloop/platform';
import { validateFeedback } from './feedback-validation';
import { MAX_EVENT_BYTES, planAcceptance } from './feedback-event';
import { contentDigest } from './revisions';

const body = (externalId: string, extra: Record<string, unknown> = {}) => ({
  source: 'questionpro', externalId, touchpoint: 'checkout', metric: 'csat', score: 2, customer: { id: `cust-${externalId}` },
  respondedAt: '2026-11-23T10:00:00Z', ...extra,
});
const dto = (b: unknown): FeedbackDto => {
  const v = validateFeedback(b);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.value;
};
const RECEIVED_AT = '2026-11-23T10:00:01.000Z';
const nothingKnown = new Map();
const asIs = <E>(e: E) => e;

describe('planAcceptance', () => {
  it('builds feedback.received with eventId = feedbackId, keyed by customer, encrypted, that passes the topic contract', async () => {
    const b = body('r-1', { comment: 'kasar', attributes: { vip: true }, channel: 'sms' });
    (b.customer as Record<string, string>).email = 'deniz@example.com';
    const key = newDataKey(randomUUID());
    const { plans: [plan] } = planAcceptance([dto(b)], RECEIVED_AT, nothingKnown, (e) => sealEventWith(Topic.FeedbackReceived, e, key));
    const feedbackId = feedbackIdFor('questionpro', 'r-1');
    expect(plan).toMatchObject({ kind: 'accepted', feedbackId, duplicate: false, revision: 1 });
    if (plan.kind !== 'accepted' || !plan.message) throw new Error('expected a message');
    expect(plan.message).toMatchObject({ topic: Topic.FeedbackReceived, key: 'cust-r-1', headers: { 'event-type': 'feedback.received' } });
    const event = JSON.parse(plan.message.value);
    expect(plan.message.value).not.toMatch(/kasar|deniz@example\.com/);
    expect([event.data.comment, event.data.customer.email].every(isEncrypted)).toBe(true);
    expect(await openEvent(Topic.FeedbackReceived, event, async (id) => (id === key.id ? key.key : null))).toEqual({
      eventId: feedbackId, type: 'feedback.received', version: 1, occurredAt: RECEIVED_AT, producer: 'ingest',
      data: { ...b, feedbackId, receivedAt: RECEIVED_AT, revision: 1 },
    });
    // ingest validates the body once (FeedbackDto); this proves the event it builds needs no second check
    expect(validateEvent(Topic.FeedbackReceived, event)).toMatchObject({ ok: true });
    expect(plan.message.bytes).toBe(Buffer.byteLength(plan.message.value));
  });

  it('counts bytes, not characters', () => {
    const { plans: [plan] } = planAcceptance([dto(body('r-utf8', { comment: '律師律師' }))], RECEIVED_AT, nothingKnown, asIs);
    if (plan.kind !== 'accepted' || !plan.message) throw new Error('expected a message');
    expect(plan.message.bytes).toBe(plan.message.value.length + 8); // 4 CJK chars: 3 bytes each in UTF-8
  });

  it('numbers revisions from what is known: same content a duplicate (not sent), new content the next revision with its own eventId', () => {
    const id = (x: string) => feedbackIdFor('questionpro', x);
    const known = new Map([
      [id('same'), { revision: 2, digest: contentDigest({ score: 2 }), published: true }],
      [id('changed'), { revision: 2, digest: contentDigest({ score: 2 }), published: true }],
      // reserved but its publish never confirmed (a 503): the same content is published again, as that revision
      [id('unconfirmed'), { revision: 4, digest: contentDigest({ score: 2 }), published: false }],
    ]);
    const { plans, changed } = planAcceptance(
      [dto(body('same')), dto(body('changed', { comment: 'refund' })), dto(body('new')), dto(body('new')), dto(body('new', { score: 5 })), dto(body('unconfirmed'))],
      RECEIVED_AT,
      known,
      asIs,
    );
    expect(plans.map((p) => p.kind === 'accepted' && [p.feedbackId, p.revision, p.duplicate, p.message ? JSON.parse(p.message.value).eventId : null])).toEqual([
      [id('same'), 2, true, null],
      [id('changed'), 3, false, feedbackReceivedEventId(id('changed'), 3)],
      [id('new'), 1, false, id('new')],
      [id('new'), 1, true, null], // repeated in the same request
      [id('new'), 2, false, feedbackReceivedEventId(id('new'), 2)], // and changed after that: one more revision
      [id('unconfirmed'), 4, false, feedbackReceivedEventId(id('unconfirmed'), 4)],
    ]);
    expect(Object.fromEntries([...changed].map(([k, v]) => [k, v.revision]))).toEqual({ [id('changed')]: 3, [id('new')]: 2, [id('unconfirmed')]: 4 });
    expect(changed.get(id('new'))?.digest).toBe(contentDigest({ score: 5 }));
    const second = plans[4];
    if (second.kind !== 'accepted' || !second.message) throw new Error('expected a message');
    expect(JSON.parse(second.message.value).data).toMatchObject({ revision: 2, score: 5 });
  });

  it('refuses an item whose event would exceed what Kafka takes in one message', () => {
    const huge = dto(body('huge', { attributes: { blob: 'x'.repeat(MAX_EVENT_BYTES) } }));
    const { plans: [plan], changed } = planAcceptance([huge], RECEIVED_AT, nothingKnown, asIs);
    expect(plan).toMatchObject({ kind: 'rejected', status: 413, errors: [{ field: '(root)', message: expect.stringMatching(/too large to publish/) }] });
    expect(changed.size).toBe(0); // no revision used up
  });
});
