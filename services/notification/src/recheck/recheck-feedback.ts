import { RECHECK_SOURCE, feedbackIdFor, feedbackReceivedEventId, makeEnvelope, type FeedbackReceivedEvent } from '@closeloop/contracts';

export interface RecheckLink {
  /** Also the answer's `externalId`: one answer per link. */
  id: string;
  ticketId: string;
  customerId: string;
  touchpoint: string;
  locale?: string;
}

/**
 * A recheck answer as feedback (SPEC §11): NPS at the ticket's touchpoint, from the same customer, so scoring, the
 * tickets and the report's recovery rate treat it like any other answer. Ids follow SPEC §4/§10 (revision 1 of
 * `(closeloop-recheck, link id)`), so publishing the same answer twice is one event.
 */
export function recheckFeedback(link: RecheckLink, score: number, at: Date): FeedbackReceivedEvent {
  const feedbackId = feedbackIdFor(RECHECK_SOURCE, link.id);
  const when = at.toISOString();
  return makeEnvelope(
    'feedback.received',
    {
      source: RECHECK_SOURCE,
      externalId: link.id,
      touchpoint: link.touchpoint,
      channel: 'recheck',
      metric: 'nps',
      score,
      customer: { id: link.customerId, ...(link.locale ? { locale: link.locale } : {}) },
      respondedAt: when,
      attributes: { ticketId: link.ticketId },
      feedbackId,
      receivedAt: when,
      revision: 1,
    },
    'notification',
    { eventId: feedbackReceivedEventId(feedbackId, 1), occurredAt: when },
  );
}

/** A score from the form: an integer 0–10 written as such ("7", not "7.0" or " 7"), else undefined. */
export function parseRecheckScore(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || !/^(?:10|[0-9])$/.test(raw)) return undefined;
  return Number(raw);
}
