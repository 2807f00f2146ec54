import { createHash } from 'node:crypto';
import type { FeedbackDto } from '@closeloop/contracts';

/** What ingest remembers of one feedback (table feedback_revision): its latest revision and what that said. */
export interface RevisionState {
  revision: number;
  /** contentDigest of the latest revision's score and comment */
  digest: string;
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
  /** the same content as the latest revision: answered with that revision, nothing published */
  duplicate: boolean;
}

/** The revision a feedback with this content gets: 1 when first seen, the current one for the same content, else the next. */
export function decideRevision(current: RevisionState | undefined, digest: string): RevisionDecision {
  if (!current) return { revision: 1, duplicate: false };
  if (current.digest === digest) return { revision: current.revision, duplicate: true };
  return { revision: current.revision + 1, duplicate: false };
}
