import { FeedbackDto, Topic, feedbackIdFor, validateEvent } from '@closeloop/contracts';
import { validateFeedback } from './feedback-validation';
import { MAX_EVENT_BYTES, planAcceptance } from './feedback-event';

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
const never = () => false;

describe('planAcceptance', () => {
  it('builds feedback.received with eventId = feedbackId, keyed by customer, that passes the topic contract', () => {
    const b = body('r-1', { comment: 'kasar', attributes: { vip: true }, channel: 'sms' });
    const [plan] = planAcceptance([dto(b)], RECEIVED_AT, never);
    const feedbackId = feedbackIdFor('questionpro', 'r-1');
    expect(plan).toMatchObject({ kind: 'accepted', feedbackId, duplicate: false });
    if (plan.kind !== 'accepted' || !plan.message) throw new Error('expected a message');
    expect(plan.message).toMatchObject({ topic: Topic.FeedbackReceived, key: 'cust-r-1', headers: { 'event-type': 'feedback.received' } });
    const event = JSON.parse(plan.message.value);
    expect(event).toEqual({
      eventId: feedbackId, type: 'feedback.received', version: 1, occurredAt: RECEIVED_AT, producer: 'ingest',
      data: { ...b, feedbackId, receivedAt: RECEIVED_AT },
    });
    // ingest validates the body once (FeedbackDto); this proves the event it builds needs no second check
    expect(validateEvent(Topic.FeedbackReceived, event)).toMatchObject({ ok: true });
    expect(plan.message.bytes).toBe(Buffer.byteLength(plan.message.value));
  });

  it('counts bytes, not characters', () => {
    const [plan] = planAcceptance([dto(body('r-utf8', { comment: '律師律師' }))], RECEIVED_AT, never);
    if (plan.kind !== 'accepted' || !plan.message) throw new Error('expected a message');
    expect(plan.message.bytes).toBe(plan.message.value.length + 8); // 4 CJK chars: 3 bytes each in UTF-8
  });

  it('marks ids already acknowledged, and repeats inside one request, as duplicates that are not sent again', () => {
    const recent = feedbackIdFor('questionpro', 'old');
    const plans = planAcceptance(
      [dto(body('old')), dto(body('new')), dto(body('new', { score: 5 })), dto(body('other'))],
      RECEIVED_AT,
      (id) => id === recent,
    );
    expect(plans.map((p) => p.kind === 'accepted' && [p.duplicate, !!p.message])).toEqual([[true, false], [false, true], [true, false], [false, true]]);
    // same (source, externalId) → same id even when the content differs: the first one wins downstream
    expect(plans[1]).toMatchObject({ feedbackId: feedbackIdFor('questionpro', 'new') });
    expect(plans[2]).toMatchObject({ feedbackId: feedbackIdFor('questionpro', 'new') });
  });

  it('refuses an item whose event would exceed what Kafka takes in one message', () => {
    const huge = dto(body('huge', { attributes: { blob: 'x'.repeat(MAX_EVENT_BYTES) } }));
    const [plan] = planAcceptance([huge], RECEIVED_AT, never);
    expect(plan).toMatchObject({ kind: 'rejected', status: 413, errors: [{ field: '(root)', message: expect.stringMatching(/too large to publish/) }] });
  });
});
