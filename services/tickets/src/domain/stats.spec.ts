import { durationStats, median, netPromoterScore, p90, quantile, rate } from './stats';

describe('quantile (linear interpolation, like percentile_cont)', () => {
  it.each<[number[], number, number | null]>([
    [[], 0.5, null],
    [[7], 0.5, 7],
    [[7], 0.9, 7],
    [[1, 2, 3, 4], 0.5, 2.5],
    [[4, 1, 3, 2], 0.5, 2.5],
    [[1, 2, 3, 4, 5], 0.5, 3],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9.1],
    [[10, 20], 0.9, 19],
    [[1, 2, 3], 0, 1],
    [[1, 2, 3], 1, 3],
  ])('quantile(%j, %d) = %p', (values, q, expected) => {
    const v = quantile(values, q);
    if (expected === null) expect(v).toBeNull();
    else expect(v).toBeCloseTo(expected, 10);
  });

  it('rejects q outside [0, 1] and does not mutate the input', () => {
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
    const input = [3, 1, 2];
    median(input);
    expect(input).toEqual([3, 1, 2]);
  });

  it('median and p90', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(p90([0, 100])).toBe(90);
  });
});

describe('rate, durationStats, netPromoterScore', () => {
  it.each<[number, number, number | null]>([[1, 3, 0.3333], [0, 0, null], [2, 2, 1], [0, 5, 0]])('rate(%d, %d) = %p', (a, b, r) => {
    expect(rate(a, b)).toBe(r);
  });
  it('durationStats rounds to whole ms', () => {
    expect(durationStats([1, 2])).toEqual({ count: 2, medianMs: 2, p90Ms: 2 });
    expect(durationStats([])).toEqual({ count: 0, medianMs: null, p90Ms: null });
  });
  it.each<[number, number, number, number | null]>([
    [0, 0, 0, null], [5, 3, 2, 30], [0, 0, 4, -100], [1, 1, 1, 0], [2, 0, 1, 33.3],
  ])('NPS of %d promoters, %d passives, %d detractors = %p', (promoters, passives, detractors, nps) => {
    expect(netPromoterScore({ promoters, passives, detractors })).toBe(nps);
  });
});
