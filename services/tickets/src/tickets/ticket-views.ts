import { revisionOf, type FeedbackScoredData, type TicketSnapshot } from '@closeloop/contracts';
import { ERASED } from '@closeloop/platform';
import type { Ticket } from '../domain/ticket';
import type { TimelineEntry } from '../persistence/ticket.repository';

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** The ticket after a change, as every `ticket.*` event carries it (absent values left out). */
export function toSnapshot(t: Ticket, nameOf: (agentId: string) => string): TicketSnapshot {
  const s: TicketSnapshot = {
    id: t.id,
    customerId: t.customerId,
    touchpoint: t.touchpoint,
    team: t.team,
    status: t.status,
    severity: t.severity,
    metric: t.metric,
    score: t.score,
    feedbackCount: t.feedbackCount,
    openedAt: t.openedAt.toISOString(),
    firstResponseDue: t.firstResponseDue.toISOString(),
    resolveDue: t.resolveDue.toISOString(),
    version: t.version,
  };
  if (t.customerName !== null) s.customerName = t.customerName;
  if (t.customerLocale !== null) s.locale = t.customerLocale;
  if (t.assigneeId !== null) {
    s.assigneeId = t.assigneeId;
    s.assigneeName = nameOf(t.assigneeId);
  }
  if (t.comment !== null) s.comment = t.comment;
  if (t.claimedAt !== null) s.claimedAt = t.claimedAt.toISOString();
  if (t.resolvedAt !== null) s.resolvedAt = t.resolvedAt.toISOString();
  if (t.rootCause !== null) s.rootCause = t.rootCause;
  return s;
}

/** The ticket JSON of the agent API (the console renders exactly this; absent values are null). */
export function toTicketJson(t: Ticket, nameOf: (agentId: string) => string) {
  return {
    id: t.id,
    status: t.status,
    severity: t.severity,
    team: t.team,
    touchpoint: t.touchpoint,
    customer: { id: t.customerId, name: t.customerName, locale: t.customerLocale },
    // SPEC §13: erased (an erasure, or retention): the console says so instead of showing the mark
    customerErased: t.customerName === ERASED,
    assignee: t.assigneeId === null ? null : { id: t.assigneeId, name: nameOf(t.assigneeId) },
    metric: t.metric,
    score: t.score,
    comment: t.comment,
    feedbackCount: t.feedbackCount,
    openedAt: iso(t.openedAt),
    claimedAt: iso(t.claimedAt),
    resolvedAt: iso(t.resolvedAt),
    firstResponseDue: iso(t.firstResponseDue),
    resolveDue: iso(t.resolveDue),
    firstResponseBreachedAt: iso(t.firstResponseBreachedAt),
    resolveBreachedAt: iso(t.resolveBreachedAt),
    rootCause: t.rootCause,
    resolutionNote: t.resolutionNote,
    customerContacted: t.customerContacted,
    reopenCount: t.reopenCount,
    version: t.version,
    updatedAt: iso(t.updatedAt),
  };
}
export type TicketJson = ReturnType<typeof toTicketJson>;

/** One feedback of a ticket, as the agent API shows it. */
export function toFeedbackJson(s: FeedbackScoredData) {
  const f = s.feedback;
  return {
    feedbackId: s.feedbackId,
    source: f.source,
    externalId: f.externalId,
    touchpoint: f.touchpoint,
    channel: f.channel ?? null,
    metric: f.metric,
    score: f.score,
    comment: f.comment ?? null,
    /** SPEC §10: the latest revision of this feedback that tickets applied (1 for one never changed) */
    revision: revisionOf(f),
    classification: s.classification,
    severity: s.severity,
    reasons: s.reasons,
    matchedKeywords: s.matchedKeywords,
    respondedAt: f.respondedAt,
    receivedAt: f.receivedAt,
    attributes: f.attributes ?? null,
    customer: f.customer,
  };
}

export function toTimelineJson(e: TimelineEntry) {
  return { id: e.id, at: e.at.toISOString(), kind: e.kind, type: e.type, actor: e.actor, summary: e.summary.text, summaryParts: e.summary.parts, data: e.data };
}
