import { TokenBucketLimiter } from './rate-limiter';

function clock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('TokenBucketLimiter', () => {
  it('lets a burst through, then refuses with the seconds until the next token', () => {
    const c = clock();
    const l = new TokenBucketLimiter(2, 3, c.now);
    expect([l.take('k'), l.take('k'), l.take('k')].every((d) => d.allowed)).toBe(true);
    expect(l.take('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    c.advance(499);
    expect(l.take('k').allowed).toBe(false);
    c.advance(1); // 500 ms at 2/s = one token
    expect(l.take('k').allowed).toBe(true);
    expect(l.take('k').allowed).toBe(false);
  });

  it('keeps one bucket per key', () => {
    const c = clock();
    const l = new TokenBucketLimiter(1, 1, c.now);
    expect(l.take('a').allowed).toBe(true);
    expect(l.take('a').allowed).toBe(false);
    expect(l.take('b').allowed).toBe(true);
  });

  it('refills no higher than the burst after a long idle time', () => {
    const c = clock();
    const l = new TokenBucketLimiter(10, 5, c.now);
    l.take('k');
    c.advance(60_000);
    const allowed = Array.from({ length: 8 }, () => l.take('k').allowed).filter(Boolean).length;
    expect(allowed).toBe(5);
  });

  it.each([
    // rate, burst, takes before the refused one, expected Retry-After (whole seconds, at least 1)
    [0.5, 1, 1, 2],
    [0.1, 1, 1, 10],
    [100, 100, 100, 1],
    [1, 1, 1, 1],
  ])('rate %p/s burst %p: Retry-After after %p requests is %p s', (rate, burst, n, retryAfter) => {
    const c = clock();
    const l = new TokenBucketLimiter(rate, burst, c.now);
    for (let i = 0; i < n; i++) expect(l.take('k').allowed).toBe(true);
    expect(l.take('k')).toEqual({ allowed: false, retryAfterSeconds: retryAfter });
  });

  it('is off when the rate is 0', () => {
    const l = new TokenBucketLimiter(0, 0, () => 0);
    expect(Array.from({ length: 10_000 }, () => l.take('k').allowed).every(Boolean)).toBe(true);
  });

  it('ignores a clock that goes backwards (no refill, no crash)', () => {
    const c = clock(10_000);
    const l = new TokenBucketLimiter(1, 1, c.now);
    expect(l.take('k').allowed).toBe(true);
    c.advance(-5_000);
    expect(l.take('k').allowed).toBe(false);
  });
});
