import {
  FeedbackDto, FeedbackReceivedData, FeedbackReceivedEvent, FieldError, Topic, feedbackIdFor, feedbackReceivedEventId, makeEnvelope,
} from '@closeloop/contracts';
import type { SerializedMessage } from '@closeloop/messaging';
import { RevisionState, contentDigest, decideRevision } from './revisions';

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
  | { kind: 'accepted'; feedbackId: string; duplicate: boolean; revision: number; message?: PlannedMessage }
  | { kind: 'rejected'; status: 400 | 413; errors: FieldError[] };

/**
 * The `feedback.received` event of SPEC §4/§8/§10 for one revision of a feedback: revision 1 has eventId = feedbackId,
 * a later one its own id (contracts `feedbackReceivedEventId`), so a resend of one revision is always the same event.
 */
export function feedbackReceivedEvent(feedback: FeedbackDto, feedbackId: string, receivedAt: string, revision = 1): FeedbackReceivedEvent {
  const data: FeedbackReceivedData = { ...feedback, feedbackId, receivedAt, revision };
  return makeEnvelope(FEEDBACK_RECEIVED, data, PRODUCER, { eventId: feedbackReceivedEventId(feedbackId, revision), occurredAt: receivedAt });
}

/** Encrypts the event's personal fields (ADR 0024) with its customer's key, fetched before the plan is made. */
export type SealFeedback = (event: FeedbackReceivedEvent) => FeedbackReceivedEvent;

export interface AcceptancePlan {
  /** one per item, in order */
  plans: ItemPlan[];
  /** every feedback this request publishes, with its revision: reserved before the publish, marked published after the ack */
  changed: Map<string, RevisionState>;
}

/**
 * Decides, for validated feedback in request order, the id, the revision and the event of each item, from what ingest
 * knows of those ids (`known`, read under their locks): the same content as the latest revision is a duplicate and is
 * not sent again (that revision is durable on the topic already); new content is the next revision. An item repeated
 * inside one request sees the items before it (same content: duplicate; changed: one more revision). Each event is
 * encrypted by `seal` before it is measured and serialized.
 */
export function planAcceptance(
  items: readonly FeedbackDto[],
  receivedAt: string,
  known: ReadonlyMap<string, RevisionState>,
  seal: SealFeedback,
): AcceptancePlan {
  const changed = new Map<string, RevisionState>();
  const plans = items.map((feedback): ItemPlan => {
    const feedbackId = feedbackIdFor(feedback.source, feedback.externalId);
    const digest = contentDigest(feedback);
    const decision = decideRevision(changed.get(feedbackId) ?? known.get(feedbackId), digest);
    if (decision.duplicate) return { kind: 'accepted', feedbackId, duplicate: true, revision: decision.revision };
    // the size that counts is the encrypted event's: that is what Kafka takes
    const value = JSON.stringify(seal(feedbackReceivedEvent(feedback, feedbackId, receivedAt, decision.revision)));
    const bytes = Buffer.byteLength(value);
    if (bytes > MAX_EVENT_BYTES) {
      // refused before anything is numbered: the revision is not used up
      return {
        kind: 'rejected', status: 413,
        errors: [{ field: '(root)', message: `is too large to publish: ${bytes} bytes as an event, at most ${MAX_EVENT_BYTES}` }],
      };
    }
    // `published` within this request: the same content again further on is a duplicate of this item
    changed.set(feedbackId, { revision: decision.revision, digest, published: true });
    return {
      kind: 'accepted', feedbackId, duplicate: false, revision: decision.revision,
      message: { topic: Topic.FeedbackReceived, key: feedback.customer.id, value, headers: { 'event-type': FEEDBACK_RECEIVED }, bytes },
    };
  });
  return { plans, changed };
}
