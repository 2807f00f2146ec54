/**
 * Messages per second from a growing counter (a topic's summed end offsets, a group's summed committed offsets):
 * the slope between the oldest and newest sample inside a sliding window. A counter that went backwards
 * (topic recreated) restarts the window instead of reporting a negative rate.
 */
export class RateTracker {
  private readonly samples = new Map<string, { at: number; value: number }[]>();

  constructor(private readonly windowMs = 10_000) {}

  add(key: string, value: number, at: number): void {
    let s = this.samples.get(key);
    if (!s) this.samples.set(key, (s = []));
    if (s.length && value < s[s.length - 1].value) s.length = 0;
    s.push({ at, value });
    // keep one sample older than the window so the slope covers the whole window
    while (s.length > 2 && s[1].at <= at - this.windowMs) s.shift();
  }

  /** Per second over the window, or null until two samples exist. */
  perSecond(key: string): number | null {
    const s = this.samples.get(key);
    if (!s || s.length < 2) return null;
    const first = s[0];
    const last = s[s.length - 1];
    const dt = (last.at - first.at) / 1000;
    return dt > 0 ? (last.value - first.value) / dt : null;
  }

  /** Forgets keys not seen in `keep` (deleted topics, expired groups). */
  retain(keep: Set<string>): void {
    for (const k of this.samples.keys()) if (!keep.has(k)) this.samples.delete(k);
  }
}
