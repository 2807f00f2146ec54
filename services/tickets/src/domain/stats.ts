/**
 * Quantile by linear interpolation between the closest ranks (Hyndman & Fan type 7 — the default of numpy,
 * R and Postgres `percentile_cont`): the median of [1, 2, 3, 4] is 2.5. Null for no values.
 */
export function quantile(values: readonly number[], q: number): number | null {
  if (q < 0 || q > 1 || Number.isNaN(q)) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const median = (values: readonly number[]) => quantile(values, 0.5);
export const p90 = (values: readonly number[]) => quantile(values, 0.9);

/** Share of `part` in `whole`, rounded to 4 decimals; null when there is nothing to divide by. */
export function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

/** Durations summary in milliseconds (rounded to whole ms). */
export function durationStats(ms: readonly number[]): { count: number; medianMs: number | null; p90Ms: number | null } {
  const round = (v: number | null) => (v === null ? null : Math.round(v));
  return { count: ms.length, medianMs: round(median(ms)), p90Ms: round(p90(ms)) };
}

/** NPS from counts: % promoters − % detractors, rounded to one decimal; null without responses. */
export function netPromoterScore(c: { promoters: number; passives: number; detractors: number }): number | null {
  const n = c.promoters + c.passives + c.detractors;
  if (n === 0) return null;
  return Math.round(((c.promoters - c.detractors) / n) * 1_000) / 10;
}
