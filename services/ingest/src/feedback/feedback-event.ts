import { FeedbackDto, FeedbackReceivedData, FeedbackReceivedEvent, FieldError, Topic, feedbackIdFor, makeEnvelope } from '@closeloop/contracts';
import type { SerializedMessage } from '@closeloop/messaging';

export const PRODUCER = 'ingest';
export const FEEDBACK_RECEIVED = 'feedback.received' as const;

/**
 * Kafka's default `message.max.bytes` is 1 MiB + 12 bytes for a whole record batch. A body just under the 1 MiB
 * request limit grows past it once wrapped in the envelope, and the broker would refuse it forever (a 503 loop),
 * so such an item is refused up front instead.
 */
export const MAX_EVENT_BYTES = 1_000_000;

export interface PlannedMessage extends SerializedMessage {
  bytes: number;
}

export type ItemPlan =
  | { kind: 'accepted'; feedbackId: string; duplicate: boolean; message?: PlannedMessage }
  | { kind: 'rejected'; status: 400 | 413; errors: FieldError[] };

/** The `feedback.received` event of SPEC §4/§8: eventId = feedbackId, so every resubmission is the same event. */
export function feedbackReceivedEvent(feedback: FeedbackDto, feedbackId: string, receivedAt: string): FeedbackReceivedEvent {
  const data: FeedbackReceivedData = { ...feedback, feedbackId, receivedAt };
  return makeEnvelope(FEEDBACK_RECEIVED, data, PRODUCER, { eventId: feedbackId, occurredAt: receivedAt });
}

/**
 * Decides, for validated feedback in request order, which id each item gets and which events must be sent:
 * an id this process already had acknowledged (`isRecent`), or one repeated inside the same request, is a
 * duplicate and is not sent again (the first acknowledged copy is already durable on the topic).
 */
export function planAcceptance(items: readonly FeedbackDto[], receivedAt: string, isRecent: (feedbackId: string) => boolean): ItemPlan[] {
  const inThisRequest = new Set<string>();
  return items.map((feedback): ItemPlan => {
    const feedbackId = feedbackIdFor(feedback.source, feedback.externalId);
    if (isRecent(feedbackId) || inThisRequest.has(feedbackId)) return { kind: 'accepted', feedbackId, duplicate: true };
    const value = JSON.stringify(feedbackReceivedEvent(feedback, feedbackId, receivedAt));
    const bytes = Buffer.byteLength(value);
    if (bytes > MAX_EVENT_BYTES) {
      return {
        kind: 'rejected', status: 413,
        errors: [{ field: '(root)', message: `is too large to publish: ${bytes} bytes as an event, at most ${MAX_EVENT_BYTES}` }],
      };
    }
    inThisRequest.add(feedbackId);
    return {
      kind: 'accepted', feedbackId, duplicate: false,
      message: { topic: Topic.FeedbackReceived, key: feedback.customer.id, value, headers: { 'event-type': FEEDBACK_RECEIVED }, bytes },
    };
  });
}
