import { Metric, type RefusalCode, Severity, TicketStatus, maxSeverity, severityRank } from '@closeloop/contracts';
import { SlaBudget, slaDueTimes } from './sla';

/** A follow-up ticket, as the rules see it (the database row in camelCase, dates as Date). */
export interface Ticket {
  id: string;
  customerId: string;
  customerName: string | null;
  customerLocale: string | null;
  touchpoint: string;
  team: string;
  status: TicketStatus;
  severity: Severity;
  assigneeId: string | null;
  /** metric, score and comment of the latest feedback attached: what the customer says now */
  metric: Metric;
  score: number;
  comment: string | null;
  feedbackCount: number;
  openedAt: Date;
  /** The first response: set by the first claim and kept through reopen (see README, "Transitions"). */
  claimedAt: Date | null;
  resolvedAt: Date | null;
  firstResponseDue: Date;
  resolveDue: Date;
  firstResponseBreachedAt: Date | null;
  resolveBreachedAt: Date | null;
  rootCause: string | null;
  resolutionNote: string | null;
  customerContacted: boolean | null;
  reopenCount: number;
  version: number;
  updatedAt: Date;
}

/** The part of a scored feedback a ticket is built from. */
export interface TicketFeedback {
  customer: { id: string; name?: string; locale?: string };
  touchpoint: string;
  metric: Metric;
  score: number;
  comment?: string;
  severity: Severity;
}

/**
 * Why a request cannot be applied. `conflict`: the ticket's state does not allow it (HTTP 409);
 * `invalid`: the input is wrong for this system (HTTP 400 naming `field`, 422 for a command).
 */
export type Refusal = { kind: 'conflict'; reason: string; code?: RefusalCode } | { kind: 'invalid'; field: string; reason: string };

/** `changed: false` is an idempotent repeat (e.g. the assignee claiming again): no event, no new version. */
export type Outcome = { ok: true; ticket: Ticket; changed: boolean } | { ok: false; refusal: Refusal };

export type AttachOutcome = { ok: true; ticket: Ticket; previousSeverity?: Severity } | { ok: false; refusal: Refusal };

const conflict = (reason: string, code?: RefusalCode): Outcome => ({ ok: false, refusal: { kind: 'conflict', reason, ...(code ? { code } : {}) } });

function bump(t: Ticket, now: Date, change: Partial<Ticket>): Ticket {
  return { ...t, ...change, version: t.version + 1, updatedAt: now };
}

/** A new ticket for the first action-required feedback of a (customer, touchpoint). */
export function openTicket(input: { id: string; team: string; sla: SlaBudget; feedback: TicketFeedback; now: Date }): Ticket {
  const { feedback: f, now } = input;
  const due = slaDueTimes(now, input.sla);
  return {
    id: input.id,
    customerId: f.customer.id,
    customerName: f.customer.name ?? null,
    customerLocale: f.customer.locale ?? null,
    touchpoint: f.touchpoint,
    team: input.team,
    status: 'open',
    severity: f.severity,
    assigneeId: null,
    metric: f.metric,
    score: f.score,
    comment: f.comment ?? null,
    feedbackCount: 1,
    openedAt: now,
    claimedAt: null,
    resolvedAt: null,
    firstResponseDue: due.firstResponseDue,
    resolveDue: due.resolveDue,
    firstResponseBreachedAt: null,
    resolveBreachedAt: null,
    rootCause: null,
    resolutionNote: null,
    customerContacted: null,
    reopenCount: 0,
    version: 1,
    updatedAt: now,
  };
}

/**
 * Another action-required feedback for the same (customer, touchpoint) while the ticket is open or claimed.
 * Severity only ever rises; `previousSeverity` is set when it did.
 */
export function attachFeedback(t: Ticket, f: TicketFeedback, now: Date): AttachOutcome {
  if (t.status === 'resolved') return { ok: false, refusal: { kind: 'conflict', reason: 'the ticket is resolved; new feedback opens a new ticket' } };
  return { ok: true, ...showFeedback(t, f, now, t.feedbackCount + 1) };
}

export type RevisionOutcome = { ticket: Ticket; previousSeverity?: Severity };

/**
 * A new revision of feedback already on this ticket (SPEC §10: the customer changed their score or comment). The
 * ticket shows what the customer says now (metric, score, comment of the revision); severity only ever rises, even
 * when the revision is milder; the feedback count does not change (it is the same feedback). Any state: a resolved
 * ticket records the revision too (it stays resolved; a reopen is an agent's decision).
 */
export function reviseFeedback(t: Ticket, f: TicketFeedback, now: Date): RevisionOutcome {
  return showFeedback(t, f, now, t.feedbackCount);
}

/** The ticket showing what feedback `f` says (attached or revised): severity only ever rises; `previousSeverity` when it did. */
function showFeedback(t: Ticket, f: TicketFeedback, now: Date, feedbackCount: number): RevisionOutcome {
  const severity = maxSeverity(t.severity, f.severity);
  const ticket = bump(t, now, {
    severity,
    metric: f.metric,
    score: f.score,
    comment: f.comment ?? null,
    feedbackCount,
    customerName: f.customer.name ?? t.customerName,
    customerLocale: f.customer.locale ?? t.customerLocale,
  });
  return severityRank(severity) > severityRank(t.severity) ? { ticket, previousSeverity: t.severity } : { ticket };
}

/**
 * What a scored feedback does to tickets (SPEC §6, §10), given whether it is newer than every revision of it seen
 * before (`newest`; a first revision is) and whether that feedback is on a ticket already:
 * - `stale`: a redelivery, or an older revision arriving late; it must not overwrite what the customer said since;
 * - `revise`: the ticket it is on, whatever the revision's score (the ticket shows what the customer says now);
 * - else the first-seen path: `open-or-attach` when action is required (a passive score whose revision says
 *   "refund" opens its ticket now), otherwise only `record` it for the reports.
 */
export type FeedbackStep = 'stale' | 'revise' | 'open-or-attach' | 'record';
export function feedbackStep(input: { newest: boolean; onTicket: boolean; actionRequired: boolean }): FeedbackStep {
  if (!input.newest) return 'stale';
  if (input.onTicket) return 'revise';
  return input.actionRequired ? 'open-or-attach' : 'record';
}

/**
 * open → claimed. The assignee claiming again is an idempotent success (a double click, a Slack retry);
 * anyone else gets a conflict naming the assignee. `claimedAt` keeps the first claim (the first response).
 */
export function claimTicket(t: Ticket, agentId: string, now: Date, nameOf: (agentId: string) => string = (id) => id): Outcome {
  if (t.status === 'resolved') return conflict('the ticket is resolved; reopen it before claiming', 'resolved_reopen_first');
  if (t.status === 'claimed') {
    if (t.assigneeId === agentId) return { ok: true, ticket: t, changed: false };
    return conflict(`the ticket is already claimed by ${nameOf(t.assigneeId ?? '?')}`, 'already_claimed');
  }
  return { ok: true, changed: true, ticket: bump(t, now, { status: 'claimed', assigneeId: agentId, claimedAt: t.claimedAt ?? now }) };
}

export interface Resolution {
  agentId: string;
  rootCause: string;
  note?: string | null;
  customerContacted?: boolean | null;
}

/**
 * open|claimed → resolved. Resolving an open ticket claims it for the resolver in the same step (the Slack
 * Resolve button works without a Claim first); the path stays open → claimed → resolved in the data
 * (`claimedAt`, `assigneeId` are set). Any agent may resolve a claimed ticket (a lead closing it); the
 * assignee stays. The root cause is checked before the state, so a bad request is reported as such.
 */
export function resolveTicket(t: Ticket, r: Resolution, rootCauses: readonly string[], now: Date): Outcome {
  if (!rootCauses.includes(r.rootCause)) {
    return { ok: false, refusal: { kind: 'invalid', field: 'rootCause', reason: `must be one of ${rootCauses.join(', ')}` } };
  }
  if (t.status === 'resolved') return conflict('the ticket is already resolved', 'already_resolved');
  return {
    ok: true,
    changed: true,
    ticket: bump(t, now, {
      status: 'resolved',
      assigneeId: t.assigneeId ?? r.agentId,
      claimedAt: t.claimedAt ?? now,
      resolvedAt: now,
      rootCause: r.rootCause,
      resolutionNote: r.note ?? null,
      customerContacted: r.customerContacted ?? null,
    }),
  };
}

/**
 * resolved → open. The ticket goes back to the team queue (no assignee) and the resolution is cleared (the
 * timeline keeps it). `resolveDue` restarts from the reopen time with the team's resolve budget; the
 * first response already happened, so `firstResponseDue` and `claimedAt` stay.
 */
export function reopenTicket(t: Ticket, sla: SlaBudget, now: Date): Outcome {
  if (t.status !== 'resolved') return conflict(`the ticket is ${t.status}, only a resolved ticket can be reopened`);
  return {
    ok: true,
    changed: true,
    ticket: bump(t, now, {
      status: 'open',
      assigneeId: null,
      resolvedAt: null,
      rootCause: null,
      resolutionNote: null,
      customerContacted: null,
      reopenCount: t.reopenCount + 1,
      resolveDue: slaDueTimes(now, sla).resolveDue,
    }),
  };
}

/** A note is a change like any other (new version, an event), allowed in every state. */
export function noteAdded(t: Ticket, now: Date): Ticket {
  return bump(t, now, {});
}
