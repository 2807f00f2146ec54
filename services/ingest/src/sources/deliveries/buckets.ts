import { DELIVERY_OUTCOMES, type DeliveryOutcome } from './outcome';

const HOUR_MS = 60 * 60 * 1000;

/** The UTC hour a delivery is counted in (hours are the same everywhere, so every instance adds to the same row). */
export function hourOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}

/** The first hour of a window of `hours` hours that ends with the current (partial) hour. */
export function windowStart(now: Date, hours: number): Date {
  return new Date(hourOf(now).getTime() - (hours - 1) * HOUR_MS);
}

export type OutcomeCounts = Record<DeliveryOutcome, number> & { received: number };

export function emptyCounts(): OutcomeCounts {
  const c = { received: 0 } as OutcomeCounts;
  for (const o of DELIVERY_OUTCOMES) c[o] = 0;
  return c;
}

export interface CountRow {
  hour: Date;
  outcome: string;
  count: number;
}

/** Adds rows into counts; `received` is every delivery of the source, whatever its outcome. Unknown outcomes are skipped. */
export function addCounts(into: OutcomeCounts, rows: readonly { outcome: string; count: number }[]): OutcomeCounts {
  for (const r of rows) {
    if (!(DELIVERY_OUTCOMES as readonly string[]).includes(r.outcome)) continue;
    into[r.outcome as DeliveryOutcome] += r.count;
    into.received += r.count;
  }
  return into;
}

/**
 * Hourly buckets, oldest first, one per hour of the window ending with the current hour (an hour without deliveries
 * is a bucket of zeros, so a chart's x axis is time, not "hours that had traffic"). Rows outside the window are left out.
 */
export function hourlySeries(rows: readonly CountRow[], now: Date, hours: number): ({ hour: string } & OutcomeCounts)[] {
  const start = windowStart(now, hours).getTime();
  const buckets = Array.from({ length: hours }, (_, i) => ({ hour: new Date(start + i * HOUR_MS).toISOString(), ...emptyCounts() }));
  for (const r of rows) {
    const i = Math.round((hourOf(r.hour).getTime() - start) / HOUR_MS);
    if (i >= 0 && i < hours) addCounts(buckets[i], [r]);
  }
  return buckets;
}
