/** Nearest-rank percentile of a sample (p in 0..100); null for an empty sample. */
export function percentile(values: readonly number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** A bounded sample per key: the latest `capacity` values (older ones fall out). */
export class SlidingSample {
  private readonly values = new Map<string, number[]>();
  constructor(private readonly capacity = 2_000) {}

  add(key: string, value: number): void {
    let v = this.values.get(key);
    if (!v) this.values.set(key, (v = []));
    v.push(value);
    if (v.length > this.capacity) v.splice(0, v.length - this.capacity);
  }

  summary(): { key: string; count: number; p50: number | null; p90: number | null; p99: number | null }[] {
    return [...this.values].map(([key, v]) => ({ key, count: v.length, p50: percentile(v, 50), p90: percentile(v, 90), p99: percentile(v, 99) }));
  }
}
