import { SEVERITIES, Severity, TICKET_STATUSES, TicketStatus } from '@closeloop/contracts';
import { durationStats, netPromoterScore, rate } from './stats';
import type { Ticket } from './ticket';

export interface ReportInput {
  from: Date;
  to: Date;
  /** tickets opened in [from, to) */
  tickets: readonly Ticket[];
  /** for resolved tickets of the window whose customer scored again: was that next score negative? */
  nextScores: readonly { ticketId: string; negative: boolean }[];
  /** NPS answers given in [from, to), per touchpoint and class */
  npsCounts: readonly { touchpoint: string; classification: string; n: number }[];
  /** the routing file's root causes, listed even when nothing was resolved with them */
  rootCauses: readonly string[];
}

const sortedRecord = (m: Map<string, number>) => Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)));
const inc = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

/**
 * GET /v1/reports/summary: everything about the tickets OPENED in [from, to), plus the NPS of the answers
 * given in that window. Times are in milliseconds from opening; breach rate is the share of those tickets
 * with any SLA breach; the recovery rate is counted per resolved ticket whose customer scored again.
 */
export function buildSummary(r: ReportInput) {
  const byStatus = Object.fromEntries(TICKET_STATUSES.map((s) => [s, 0])) as Record<TicketStatus, number>;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const byTouchpoint = new Map<string, number>();
  const byTeam = new Map<string, number>();
  const rootCauses = new Map<string, number>(r.rootCauses.map((c) => [c, 0]));
  const toClaim: number[] = [];
  const toResolve: number[] = [];
  let firstResponseBreaches = 0;
  let resolveBreaches = 0;
  let breachedTickets = 0;

  for (const t of r.tickets) {
    byStatus[t.status]++;
    bySeverity[t.severity]++;
    inc(byTouchpoint, t.touchpoint);
    inc(byTeam, t.team);
    if (t.claimedAt) toClaim.push(t.claimedAt.getTime() - t.openedAt.getTime());
    if (t.status === 'resolved' && t.resolvedAt) {
      toResolve.push(t.resolvedAt.getTime() - t.openedAt.getTime());
      if (t.rootCause) inc(rootCauses, t.rootCause);
    }
    if (t.firstResponseBreachedAt) firstResponseBreaches++;
    if (t.resolveBreachedAt) resolveBreaches++;
    if (t.firstResponseBreachedAt || t.resolveBreachedAt) breachedTickets++;
  }

  const recovered = r.nextScores.filter((n) => !n.negative).length;
  const nps = new Map<string, { promoters: number; passives: number; detractors: number }>();
  for (const c of r.npsCounts) {
    const row = nps.get(c.touchpoint) ?? { promoters: 0, passives: 0, detractors: 0 };
    if (c.classification === 'promoter') row.promoters += c.n;
    else if (c.classification === 'passive') row.passives += c.n;
    else if (c.classification === 'detractor') row.detractors += c.n;
    nps.set(c.touchpoint, row);
  }

  return {
    from: r.from.toISOString(),
    to: r.to.toISOString(),
    tickets: {
      total: r.tickets.length,
      byStatus,
      bySeverity,
      byTouchpoint: sortedRecord(byTouchpoint),
      byTeam: sortedRecord(byTeam),
    },
    timeToClaim: durationStats(toClaim),
    timeToResolve: durationStats(toResolve),
    sla: {
      breachedTickets,
      breachRate: rate(breachedTickets, r.tickets.length),
      firstResponseBreaches,
      resolveBreaches,
    },
    rootCauses: sortedRecord(rootCauses),
    recovery: {
      resolvedTickets: byStatus.resolved,
      rescored: r.nextScores.length,
      recovered,
      rate: rate(recovered, r.nextScores.length),
    },
    nps: {
      byTouchpoint: Object.fromEntries(
        [...nps.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([tp, c]) => [
          tp, { responses: c.promoters + c.passives + c.detractors, ...c, nps: netPromoterScore(c) },
        ]),
      ),
    },
  };
}
export type ReportSummary = ReturnType<typeof buildSummary>;
