import { buildTimeseries, daysOf } from './timeseries';

const at = (iso: string) => new Date(iso);

describe('daysOf (every UTC day the window touches)', () => {
  it.each([
    ['2026-11-01T00:00:00Z', '2026-11-04T00:00:00Z', ['2026-11-01', '2026-11-02', '2026-11-03']],
    ['2026-11-01T22:00:00Z', '2026-11-02T01:00:00Z', ['2026-11-01', '2026-11-02']],
    ['2026-11-01T10:00:00Z', '2026-11-01T10:00:01Z', ['2026-11-01']],
    ['2026-02-28T00:00:00Z', '2026-03-02T00:00:00Z', ['2026-02-28', '2026-03-01']],
  ])('%s → %s', (from, to, days) => {
    expect(daysOf(at(from), at(to))).toEqual(days);
  });
});

describe('buildTimeseries (from the counts the database groups)', () => {
  const base = { from: at('2026-11-01T00:00:00Z'), to: at('2026-11-04T00:00:00Z'), team: null, opened: [], resolved: [], nps: [], claimTimes: [] };

  it('opened and resolved per day, days without tickets as zeros, with totals', () => {
    const s = buildTimeseries({ ...base, opened: [{ day: '2026-11-01', n: 3 }, { day: '2026-11-03', n: 1 }], resolved: [{ day: '2026-11-03', n: 2 }] });
    expect(s.days).toEqual([
      { day: '2026-11-01', opened: 3, resolved: 0 },
      { day: '2026-11-02', opened: 0, resolved: 0 },
      { day: '2026-11-03', opened: 1, resolved: 2 },
    ]);
    expect(s.totals).toEqual({ opened: 4, resolved: 2 });
  });

  it('NPS per touchpoint and week, ordered by touchpoint then week', () => {
    const s = buildTimeseries({
      ...base,
      nps: [
        { week: '2026-11-02', touchpoint: 'web', classification: 'detractor', n: 1 },
        { week: '2026-10-26', touchpoint: 'web', classification: 'promoter', n: 3 },
        { week: '2026-10-26', touchpoint: 'web', classification: 'passive', n: 1 },
        { week: '2026-10-26', touchpoint: 'checkout', classification: 'detractor', n: 2 },
      ],
    });
    expect(s.npsByWeek).toEqual([
      { week: '2026-10-26', touchpoint: 'checkout', promoters: 0, passives: 0, detractors: 2, responses: 2, nps: -100 },
      { week: '2026-10-26', touchpoint: 'web', promoters: 3, passives: 1, detractors: 0, responses: 4, nps: 75 },
      { week: '2026-11-02', touchpoint: 'web', promoters: 0, passives: 0, detractors: 1, responses: 1, nps: -100 },
    ]);
  });

  it.each([
    ['no claims', [], [0, 0, 0]],
    ['below the first edge, between, beyond the last', [{ bucket: 0, n: 2 }, { bucket: 1, n: 1 }, { bucket: 2, n: 4 }], [2, 1, 4]],
  ])('time-to-claim buckets: %s', (_what, claimTimes, tickets) => {
    const s = buildTimeseries({ ...base, claimTimes, edgesMs: [60_000, 600_000] });
    expect(s.timeToClaim).toEqual([
      { fromMs: 0, toMs: 60_000, tickets: tickets[0] },
      { fromMs: 60_000, toMs: 600_000, tickets: tickets[1] },
      { fromMs: 600_000, toMs: null, tickets: tickets[2] },
    ]);
  });

  it('the default buckets run from under 5 minutes to a day or more', () => {
    expect(buildTimeseries(base).timeToClaim.map((b) => b.toMs)).toEqual([300_000, 900_000, 1_800_000, 3_600_000, 14_400_000, 86_400_000, null]);
  });
});
