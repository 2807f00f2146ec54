import { buildSummary } from './report';
import { Ticket, openTicket } from './ticket';

const T0 = new Date('2026-11-01T00:00:00.000Z');
const min = (m: number) => new Date(T0.getTime() + m * 60_000);
const SLA = { firstResponse: 60 * 60_000, resolve: 24 * 60 * 60_000 };

function t(id: string, over: Partial<Ticket> = {}): Ticket {
  const base = openTicket({ id, team: 'cx', sla: SLA, now: T0, feedback: { customer: { id: `c-${id}` }, touchpoint: 'checkout', metric: 'nps', score: 2, severity: 'normal' } });
  return { ...base, ...over };
}

describe('buildSummary', () => {
  const tickets = [
    t('a'),
    t('b', { status: 'claimed', assigneeId: 'x', claimedAt: min(10), severity: 'high', touchpoint: 'web', team: 'support' }),
    t('c', { status: 'resolved', assigneeId: 'x', claimedAt: min(30), resolvedAt: min(60), rootCause: 'billing', firstResponseBreachedAt: null }),
    t('d', { status: 'resolved', assigneeId: 'x', claimedAt: min(90), resolvedAt: min(180), rootCause: 'billing', firstResponseBreachedAt: min(60), severity: 'critical' }),
    t('e', { status: 'resolved', assigneeId: 'x', claimedAt: min(20), resolvedAt: min(26 * 60), rootCause: 'legacy-cause', resolveBreachedAt: min(24 * 60) }),
  ];
  const s = buildSummary({
    from: T0, to: min(30 * 24 * 60), tickets, rootCauses: ['billing', 'wait-time'],
    nextScores: [{ ticketId: 'c', negative: false }, { ticketId: 'd', negative: true }],
    npsCounts: [
      { touchpoint: 'checkout', classification: 'promoter', n: 5 }, { touchpoint: 'checkout', classification: 'passive', n: 3 },
      { touchpoint: 'checkout', classification: 'detractor', n: 2 }, { touchpoint: 'web', classification: 'detractor', n: 1 },
    ],
  });

  it('counts by status, severity, touchpoint and team', () => {
    expect(s.tickets).toEqual({
      total: 5,
      byStatus: { open: 1, claimed: 1, resolved: 3 },
      bySeverity: { normal: 3, high: 1, critical: 1 },
      byTouchpoint: { checkout: 4, web: 1 },
      byTeam: { cx: 4, support: 1 },
    });
  });

  it('times to claim (claimed and resolved tickets) and to resolve, in ms', () => {
    // claim: 10, 20, 30, 90 min → median 25 min, p90 = 30 + 0.7 * 60 = 72 min
    expect(s.timeToClaim).toEqual({ count: 4, medianMs: 25 * 60_000, p90Ms: 72 * 60_000 });
    // resolve: 60, 180, 1560 min → median 180, p90 = 180 + 0.8 * 1380 = 1284 min
    expect(s.timeToResolve).toEqual({ count: 3, medianMs: 180 * 60_000, p90Ms: 1284 * 60_000 });
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

  it('NPS per touchpoint', () => {
    expect(s.nps.byTouchpoint).toEqual({
      checkout: { responses: 10, promoters: 5, passives: 3, detractors: 2, nps: 30 },
      web: { responses: 1, promoters: 0, passives: 0, detractors: 1, nps: -100 },
    });
  });

  it('an empty window has nulls, not zeros, where nothing can be measured', () => {
    const e = buildSummary({ from: T0, to: min(1), tickets: [], nextScores: [], npsCounts: [], rootCauses: ['billing'] });
    expect(e).toMatchObject({
      tickets: { total: 0 }, timeToClaim: { count: 0, medianMs: null, p90Ms: null }, sla: { breachRate: null },
      recovery: { rate: null }, rootCauses: { billing: 0 }, nps: { byTouchpoint: {} },
    });
  });
});
