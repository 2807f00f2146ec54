import { createHash } from 'node:crypto';
import type { FeedbackDto } from '@closeloop/contracts';

/** What ingest remembers of one feedback (table feedback_revision): its latest revision and what that said. */
export interface RevisionState {
  revision: number;
  /** contentDigest of the latest revision's score and comment */
  digest: string;
  /**
   * Kafka acknowledged this revision. A revision is reserved (written, unpublished) before it is published, so a
   * number that may have reached Kafka (a send that timed out but landed) is never given to other content.
   */
  published: boolean;
}

/**
 * SPEC §10: what makes a resend a revision is a changed score or comment (nothing else the customer said). A missing
 * comment and an empty one are the same ("said nothing"); everything else is compared exactly as sent.
 */
export function contentDigest(feedback: Pick<FeedbackDto, 'score' | 'comment'>): string {
  return createHash('sha256').update(JSON.stringify([feedback.score, feedback.comment || null])).digest('hex');
}

export interface RevisionDecision {
  revision: number;
  /** the same content as the latest revision, which Kafka acknowledged: answered with that revision, nothing published */
  duplicate: boolean;
}

/**
 * The revision a feedback with this content gets: 1 when first seen; for the same content the current one (a
 * duplicate once it was published; published again, with the same eventId, while its publish is unconfirmed); else the next.
 */
export function decideRevision(current: RevisionState | undefined, digest: string): RevisionDecision {
  if (!current) return { revision: 1, duplicate: false };
  if (current.digest === digest) return { revision: current.revision, duplicate: current.published };
  return { revision: current.revision + 1, duplicate: false };
}
