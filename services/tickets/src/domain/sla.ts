import type { Ticket } from './ticket';

/** A team's SLA in milliseconds (routing `teams[].slaMs`). */
export interface SlaBudget {
  firstResponse: number;
  resolve: number;
}

export type SlaBreach = 'firstResponse' | 'resolve';

/** Both deadlines run from the same moment: the ticket opening (or, for `resolveDue`, its reopening). */
export function slaDueTimes(from: Date, sla: SlaBudget): { firstResponseDue: Date; resolveDue: Date } {
  return {
    firstResponseDue: new Date(from.getTime() + sla.firstResponse),
    resolveDue: new Date(from.getTime() + sla.resolve),
  };
}

/**
 * Which SLAs a ticket breaches at `now` that were not stamped yet. A deadline is breached once it has passed
 * (`due <= now`) without the thing it asks for: no claim yet for the first response, not resolved for the
 * resolve deadline. The stamp (`*BreachedAt`) is what makes each kind fire once per ticket.
 */
export function dueBreaches(t: Pick<Ticket, 'status' | 'claimedAt' | 'firstResponseDue' | 'resolveDue' | 'firstResponseBreachedAt' | 'resolveBreachedAt'>, now: Date): SlaBreach[] {
  const out: SlaBreach[] = [];
  if (t.status === 'open' && t.claimedAt === null && t.firstResponseBreachedAt === null && t.firstResponseDue.getTime() <= now.getTime()) {
    out.push('firstResponse');
  }
  if (t.status !== 'resolved' && t.resolveBreachedAt === null && t.resolveDue.getTime() <= now.getTime()) out.push('resolve');
  return out;
}

/** The ticket after stamping one breach: a change, so a new version. */
export function markBreached(t: Ticket, breach: SlaBreach, now: Date): Ticket {
  const stamp = breach === 'firstResponse' ? { firstResponseBreachedAt: now } : { resolveBreachedAt: now };
  return { ...t, ...stamp, version: t.version + 1, updatedAt: now };
}
