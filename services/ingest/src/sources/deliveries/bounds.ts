/**
 * How much ingest keeps about deliveries (SPEC §10 asks for "bounded: size and age"). Enforced when a row is written
 * (per source, so a busy source cannot push out a quiet one) and by an hourly sweep for sources that went quiet.
 */
export interface DeliveryBounds {
  /** Latest deliveries kept per source. */
  deliveriesPerSource: number;
  /** …and none older than this. */
  deliveryMaxAgeMs: number;
  /** Unmappable payloads kept per source (the oldest is dropped, and the drop counted). */
  keptPerSource: number;
  /** …and none older than this (dropped and counted too). */
  keptMaxAgeMs: number;
  /** A fetched answers document (qualtrics, surveymonkey) larger than this is not kept: a replay fetches it again. */
  keptFetchedMaxBytes: number;
  /** Hourly counts older than this are deleted (the stats window cannot ask for more). */
  countsMaxAgeMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The longest stats window `GET /v1/sources/{id}/stats?hours=` takes. */
export const MAX_STATS_HOURS = 30 * 24;

export function deliveryBounds(o: { deliveriesPerSource: number; deliveryMaxAgeDays: number; keptPerSource: number; keptMaxAgeDays: number }, requestLimitBytes: number): DeliveryBounds {
  return {
    deliveriesPerSource: o.deliveriesPerSource,
    deliveryMaxAgeMs: o.deliveryMaxAgeDays * DAY_MS,
    keptPerSource: o.keptPerSource,
    keptMaxAgeMs: o.keptMaxAgeDays * DAY_MS,
    // the body is at most the request limit already; its fetched answers get the same allowance
    keptFetchedMaxBytes: requestLimitBytes,
    countsMaxAgeMs: MAX_STATS_HOURS * 60 * 60 * 1000 + DAY_MS,
  };
}

/** Rows received before this are past their age. */
export function cutoff(now: Date, maxAgeMs: number): Date {
  return new Date(now.getTime() - maxAgeMs);
}

/** The fetched answers as kept: their JSON text when it fits, else null (a replay fetches them again). */
export function keptFetched(fetched: unknown, maxBytes: number): string | null {
  if (fetched === undefined) return null;
  const text = JSON.stringify(fetched);
  return Buffer.byteLength(text, 'utf8') <= maxBytes ? text : null;
}
