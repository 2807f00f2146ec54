import { SEVERITIES, Severity, TICKET_STATUSES, TicketStatus } from '@closeloop/contracts';
import { netPromoterScore, rate } from './stats';

/** Tickets opened in [from, to), counted per (status, severity, touchpoint, team) — what the database aggregates. */
export interface TicketGroup {
  status: TicketStatus;
  severity: Severity;
  touchpoint: string;
  team: string;
  n: number;
  firstResponseBreaches: number;
  resolveBreaches: number;
  /** tickets with either breach */
  breached: number;
}

export interface DurationSummary {
  count: number;
  /** type-7 quantiles (Postgres percentile_cont) in ms, null without values */
  medianMs: number | null;
  p90Ms: number | null;
}

/** Durations of the whole window (team null) or of one team. */
export interface DurationRow {
  team: string | null;
  timeToClaim: DurationSummary;
  timeToResolve: DurationSummary;
}

/** Recovery of the whole window (team null) or of one team. */
export interface RecoveryRow {
  team: string | null;
  rescored: number;
  recovered: number;
}

export interface ReportInput {
  from: Date;
  to: Date;
  groups: readonly TicketGroup[];
  /** from opening to the claim (tickets of the window that were claimed) and to the resolution (resolved ones): overall and per team */
  durations: readonly DurationRow[];
  /** resolved tickets of the window, per root cause */
  rootCauseCounts: readonly { rootCause: string; n: number }[];
  /** resolved tickets of the window whose customer scored again, and how many of those next scores were not negative: overall and per team */
  recovery: readonly RecoveryRow[];
  /** NPS answers given in [from, to), per touchpoint and class */
  npsCounts: readonly { touchpoint: string; classification: string; n: number }[];
  /** the routing file's root causes, listed even when nothing was resolved with them */
  rootCauses: readonly string[];
}

const sortedRecord = (m: Map<string, number>) => Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)));
const add = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);
const NONE: DurationSummary = { count: 0, medianMs: null, p90Ms: null };
const rounded = (d: DurationSummary): DurationSummary => ({
  count: d.count,
  medianMs: d.medianMs === null ? null : Math.round(d.medianMs),
  p90Ms: d.p90Ms === null ? null : Math.round(d.p90Ms),
});

/**
 * GET /v1/reports/summary: everything about the tickets OPENED in [from, to), plus the NPS of the answers
 * given in that window. The database aggregates (counts, quantiles): a window of any size costs the same memory.
 * Times are in milliseconds from opening; breach rate is the share of those tickets with any SLA breach; the
 * recovery rate is counted per resolved ticket whose customer scored again. `teams` repeats those figures per team.
 */
export function buildSummary(r: ReportInput) {
  const byStatus = Object.fromEntries(TICKET_STATUSES.map((s) => [s, 0])) as Record<TicketStatus, number>;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const byTouchpoint = new Map<string, number>();
  const byTeam = new Map<string, number>();
  const teams = new Map<string, { tickets: number; open: number; claimed: number; resolved: number; breached: number }>();
  const rootCauses = new Map<string, number>(r.rootCauses.map((c) => [c, 0]));
  let total = 0;
  let firstResponseBreaches = 0;
  let resolveBreaches = 0;
  let breachedTickets = 0;

  for (const g of r.groups) {
    total += g.n;
    byStatus[g.status] += g.n;
    bySeverity[g.severity] += g.n;
    add(byTouchpoint, g.touchpoint, g.n);
    add(byTeam, g.team, g.n);
    const team = teams.get(g.team) ?? { tickets: 0, open: 0, claimed: 0, resolved: 0, breached: 0 };
    team.tickets += g.n;
    team[g.status] += g.n;
    team.breached += g.breached;
    teams.set(g.team, team);
    firstResponseBreaches += g.firstResponseBreaches;
    resolveBreaches += g.resolveBreaches;
    breachedTickets += g.breached;
  }
  for (const c of r.rootCauseCounts) add(rootCauses, c.rootCause, c.n);

  const nps = new Map<string, { promoters: number; passives: number; detractors: number }>();
  for (const c of r.npsCounts) {
    const row = nps.get(c.touchpoint) ?? { promoters: 0, passives: 0, detractors: 0 };
    if (c.classification === 'promoter') row.promoters += c.n;
    else if (c.classification === 'passive') row.passives += c.n;
    else if (c.classification === 'detractor') row.detractors += c.n;
    nps.set(c.touchpoint, row);
  }

  const durationsOf = (team: string | null) => r.durations.find((d) => d.team === team) ?? { team, timeToClaim: NONE, timeToResolve: NONE };
  const recoveryOf = (team: string | null) => r.recovery.find((x) => x.team === team) ?? { team, rescored: 0, recovered: 0 };
  const overall = durationsOf(null);
  const overallRecovery = recoveryOf(null);

  return {
    from: r.from.toISOString(),
    to: r.to.toISOString(),
    tickets: {
      total,
      byStatus,
      bySeverity,
      byTouchpoint: sortedRecord(byTouchpoint),
      byTeam: sortedRecord(byTeam),
    },
    timeToClaim: rounded(overall.timeToClaim),
    timeToResolve: rounded(overall.timeToResolve),
    sla: {
      breachedTickets,
      breachRate: rate(breachedTickets, total),
      firstResponseBreaches,
      resolveBreaches,
    },
    rootCauses: sortedRecord(rootCauses),
    recovery: {
      resolvedTickets: byStatus.resolved,
      rescored: overallRecovery.rescored,
      recovered: overallRecovery.recovered,
      rate: rate(overallRecovery.recovered, overallRecovery.rescored),
    },
    // one row per team with tickets opened in the window, by team id: what a lead compares
    teams: [...teams.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([team, t]) => {
      const d = durationsOf(team);
      const rec = recoveryOf(team);
      return {
        team,
        tickets: t.tickets,
        /** not resolved yet: open or claimed */
        unresolved: t.open + t.claimed,
        open: t.open,
        claimed: t.claimed,
        resolved: t.resolved,
        breached: t.breached,
        breachRate: rate(t.breached, t.tickets),
        timeToClaim: rounded(d.timeToClaim),
        timeToResolve: rounded(d.timeToResolve),
        recovery: { rescored: rec.rescored, recovered: rec.recovered, rate: rate(rec.recovered, rec.rescored) },
      };
    }),
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
