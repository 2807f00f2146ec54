import { RateTracker } from './rate';
import { percentile, SlidingSample } from './percentiles';

describe('RateTracker', () => {
  it('is null until two samples exist, then the slope per second', () => {
    const r = new RateTracker(10_000);
    r.add('t', 100, 0);
    expect(r.perSecond('t')).toBeNull();
    r.add('t', 150, 1_000);
    r.add('t', 300, 2_000);
    expect(r.perSecond('t')).toBe(100);
  });

  it('only looks at the last window', () => {
    const r = new RateTracker(2_000);
    for (let s = 0; s <= 10; s++) r.add('t', s < 5 ? s * 1000 : 4000 + (s - 4) * 10, s * 1000); // fast, then slow
    expect(r.perSecond('t')).toBe(10);
  });

  it('restarts when the counter goes backwards (topic recreated)', () => {
    const r = new RateTracker();
    r.add('t', 1_000, 0);
    r.add('t', 2_000, 1_000);
    r.add('t', 5, 2_000);
    expect(r.perSecond('t')).toBeNull();
    r.add('t', 25, 3_000);
    expect(r.perSecond('t')).toBe(20);
  });

  it('forgets keys it is not told to keep', () => {
    const r = new RateTracker();
    r.add('a', 1, 0);
    r.add('a', 2, 1000);
    r.retain(new Set(['b']));
    expect(r.perSecond('a')).toBeNull();
  });
});

describe('percentile (nearest rank)', () => {
  it.each([
    [[], 50, null],
    [[7], 99, 7],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9],
    [[10, 1, 5], 100, 10],
    [[10, 1, 5], 0, 1],
  ])('%j p%d = %p', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it('keeps only the latest values of a sample', () => {
    const s = new SlidingSample(3);
    [100, 1, 2, 3].forEach((v) => s.add('k', v));
    expect(s.summary()).toEqual([{ key: 'k', count: 3, p50: 2, p90: 3, p99: 3 }]);
  });
});
