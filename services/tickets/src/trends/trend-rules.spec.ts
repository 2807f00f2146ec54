import { GroupCount, OpenTrend, TrendRule, baselinePerWindow, decideTrends, spikes } from './trend-rules';

const RULE: TrendRule = { windowMs: 3_600_000, minNegatives: 5, factor: 3 };
/** 168 one-hour windows in the 7 days before */
const perHour = (n: number) => n * 168;

const group = (over: Partial<GroupCount> = {}): GroupCount => ({
  key: 'cx|checkout', team: 'cx', group: { touchpoint: 'checkout' }, count: 5, baselineCount: 0, ticketIds: ['t1', 't2'], ...over,
});
const trend = (over: Partial<OpenTrend> = {}): OpenTrend => ({ id: 'tr1', key: 'cx|checkout', count: 5, peak: 5, ticketIds: ['t1', 't2'], ...over });

describe('trend rules', () => {
  it('the usual rate is the window average over the previous 7 days', () => {
    expect(baselinePerWindow(RULE, 168)).toBe(1);
    expect(baselinePerWindow({ ...RULE, windowMs: 86_400_000 }, 14)).toBe(2);
  });

  it.each<[string, number, number, boolean]>([
    ['minNegatives with a zero baseline spikes', 5, 0, true],
    ['one short of minNegatives never spikes, even from zero', 4, 0, false],
    ['exactly factor × the usual rate spikes', 6, perHour(2), true],
    ['just under factor × the usual rate does not', 5, perHour(2), false],
    ['a busy group needs more than minNegatives', 9, perHour(3), true],
    ['…and 8 is not 3 × 3', 8, perHour(3), false],
  ])('%s (count %d, baseline %d)', (_name, count, baselineCount, expected) => {
    expect(spikes(RULE, { count, baselineCount })).toBe(expected);
  });

  it.each<[string, GroupCount[], OpenTrend[], unknown[]]>([
    ['a spike opens one trend', [group()], [], [{ kind: 'open', group: group(), baseline: 0 }]],
    ['a group under the threshold opens nothing', [group({ count: 4 })], [], []],
    ['the same negatives spread over the baseline open nothing', [group({ count: 1, baselineCount: 5 })], [], []],
    ['a growing spike updates its trend, tickets accumulating in order', [group({ count: 7, ticketIds: ['t2', 't3'] })], [trend()], [
      { kind: 'update', trend: trend(), group: group({ count: 7, ticketIds: ['t2', 't3'] }), baseline: 0, ticketIds: ['t1', 't2', 't3'], peak: 7 },
    ]],
    ['a spike that did not change says nothing', [group()], [trend()], []],
    ['a shrinking spike still over the threshold updates the count, the peak stays', [group({ count: 6 })], [trend({ count: 8, peak: 8 })], [
      { kind: 'update', trend: trend({ count: 8, peak: 8 }), group: group({ count: 6 }), baseline: 0, ticketIds: ['t1', 't2'], peak: 8 },
    ]],
    ['below minNegatives ends the trend', [group({ count: 4 })], [trend()], [{ kind: 'end', trend: trend() }]],
    ['no feedback left in the window ends it', [], [trend()], [{ kind: 'end', trend: trend() }]],
    ['other groups are their own trends', [group(), group({ key: 'cx|lobby', group: { touchpoint: 'lobby' }, count: 2 })], [trend({ key: 'cx|lobby' })], [
      { kind: 'end', trend: trend({ key: 'cx|lobby' }) },
      { kind: 'open', group: group(), baseline: 0 },
    ]],
  ])('%s', (_name, groups, open, expected) => {
    expect(decideTrends(RULE, groups, open)).toEqual(expected);
  });
});
