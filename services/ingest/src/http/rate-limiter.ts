export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Monotonic milliseconds: a wall-clock jump (NTP, DST) must neither refill nor drain the buckets. */
export const monotonicMs = (): number => performance.now();

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * One token bucket per API key: `perSecond` tokens are added every second up to `burst`; a request takes one.
 * `perSecond = 0` turns limiting off. Buckets exist only for configured keys (the caller limits after authenticating),
 * so the map cannot grow with attacker-chosen names.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = monotonicMs,
  ) {
    if (perSecond < 0 || !Number.isFinite(perSecond)) throw new Error('perSecond must be 0 (off) or positive');
    if (perSecond > 0 && !(burst >= 1)) throw new Error('burst must be at least 1');
  }

  take(key: string): RateDecision {
    if (this.perSecond === 0) return { allowed: true };
    const now = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    } else if (now > b.at) {
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
      b.at = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true };
    }
    // whole seconds (Retry-After's unit), never 0: the token arrives at the earliest within that many seconds
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond)) };
  }
}
