import { ReportInput, TicketGroup, buildSummary } from './report';

const T0 = new Date('2026-11-01T00:00:00.000Z');
const min = (m: number) => new Date(T0.getTime() + m * 60_000);
const g = (over: Partial<TicketGroup> & { n: number }): TicketGroup => ({
  status: 'open', severity: 'normal', touchpoint: 'checkout', team: 'cx', firstResponseBreaches: 0, resolveBreaches: 0, breached: 0, ...over,
});

describe('buildSummary (from the aggregates the database computes)', () => {
  const input: ReportInput = {
    from: T0,
    to: min(30 * 24 * 60),
    groups: [
      g({ n: 1 }),
      g({ n: 1, status: 'claimed', severity: 'high', touchpoint: 'web', team: 'support' }),
      g({ n: 2, status: 'resolved', firstResponseBreaches: 1, resolveBreaches: 1, breached: 2 }),
      g({ n: 1, status: 'resolved', severity: 'critical' }),
    ],
    durations: [
      { team: null, timeToClaim: { count: 4, medianMs: 25 * 60_000 + 0.4, p90Ms: 72 * 60_000 }, timeToResolve: { count: 3, medianMs: 180 * 60_000, p90Ms: 1284 * 60_000 - 0.6 } },
      { team: 'cx', timeToClaim: { count: 3, medianMs: 20 * 60_000, p90Ms: 30 * 60_000 }, timeToResolve: { count: 3, medianMs: 180 * 60_000, p90Ms: 200 * 60_000 } },
      { team: 'support', timeToClaim: { count: 1, medianMs: 72 * 60_000, p90Ms: 72 * 60_000 }, timeToResolve: { count: 0, medianMs: null, p90Ms: null } },
    ],
    rootCauseCounts: [{ rootCause: 'billing', n: 2 }, { rootCause: 'legacy-cause', n: 1 }],
    recovery: [{ team: null, rescored: 2, recovered: 1 }, { team: 'cx', rescored: 2, recovered: 1 }],
    npsCounts: [
      { touchpoint: 'checkout', classification: 'promoter', n: 5 }, { touchpoint: 'checkout', classification: 'passive', n: 3 },
      { touchpoint: 'checkout', classification: 'detractor', n: 2 }, { touchpoint: 'web', classification: 'detractor', n: 1 },
    ],
    rootCauses: ['billing', 'wait-time'],
  };
  const s = buildSummary(input);

  it('counts by status, severity, touchpoint and team', () => {
    expect(s.tickets).toEqual({
      total: 5,
      byStatus: { open: 1, claimed: 1, resolved: 3 },
      bySeverity: { normal: 3, high: 1, critical: 1 },
      byTouchpoint: { checkout: 4, web: 1 },
      byTeam: { cx: 4, support: 1 },
    });
  });

  it('times to claim and to resolve, in whole ms', () => {
    expect(s.timeToClaim).toEqual({ count: 4, medianMs: 25 * 60_000, p90Ms: 72 * 60_000 });
    expect(s.timeToResolve).toEqual({ count: 3, medianMs: 180 * 60_000, p90Ms: 1284 * 60_000 - 1 });
  });

  it('SLA breach rate counts tickets with any breach', () => {
    expect(s.sla).toEqual({ breachedTickets: 2, breachRate: 0.4, firstResponseBreaches: 1, resolveBreaches: 1 });
  });

  it('root causes: every configured one (0 when unused) plus any still found on tickets', () => {
    expect(s.rootCauses).toEqual({ billing: 2, 'legacy-cause': 1, 'wait-time': 0 });
  });

  it('recovery: among resolved tickets whose customer scored again, the share not negative', () => {
    expect(s.recovery).toEqual({ resolvedTickets: 3, rescored: 2, recovered: 1, rate: 0.5 });
  });

  it('one row per team: unresolved, breached, median claim and resolve, recovery (none measured → nulls)', () => {
    expect(s.teams).toEqual([
      {
        team: 'cx', tickets: 4, unresolved: 1, open: 1, claimed: 0, resolved: 3, breached: 2, breachRate: 0.5,
        timeToClaim: { count: 3, medianMs: 20 * 60_000, p90Ms: 30 * 60_000 }, timeToResolve: { count: 3, medianMs: 180 * 60_000, p90Ms: 200 * 60_000 },
        recovery: { rescored: 2, recovered: 1, rate: 0.5 },
      },
      {
        team: 'support', tickets: 1, unresolved: 1, open: 0, claimed: 1, resolved: 0, breached: 0, breachRate: 0,
        timeToClaim: { count: 1, medianMs: 72 * 60_000, p90Ms: 72 * 60_000 }, timeToResolve: { count: 0, medianMs: null, p90Ms: null },
        recovery: { rescored: 0, recovered: 0, rate: null },
      },
    ]);
  });

  it('NPS per touchpoint', () => {
    expect(s.nps.byTouchpoint).toEqual({
      checkout: { responses: 10, promoters: 5, passives: 3, detractors: 2, nps: 30 },
      web: { responses: 1, promoters: 0, passives: 0, detractors: 1, nps: -100 },
    });
  });

  it('an empty window has nulls, not zeros, where nothing can be measured', () => {
    const none = { count: 0, medianMs: null, p90Ms: null };
    const e = buildSummary({ from: T0, to: min(1), groups: [], durations: [], rootCauseCounts: [], recovery: [], npsCounts: [], rootCauses: ['billing'] });
    expect(e).toMatchObject({
      tickets: { total: 0 }, timeToClaim: none, sla: { breachRate: null },
      recovery: { rate: null }, rootCauses: { billing: 0 }, nps: { byTouchpoint: {} }, teams: [],
    });
  });
});
