import { classify, isNegative, repeatNegativeWindow } from './rules';

/**
 * The repeat-negative rule's lookup (SPEC §5), pure: which earlier-recorded negative of the customer makes this one a
 * repeat. Times are microseconds since the epoch (bigint, exact): what Postgres holds for a `timestamptz`, so the
 * rule reads the same whether the history comes from the table (one customer's rows per statement, or a whole
 * batch's at once) or from a batch's own negatives not written yet (persistence/negative-history.ts).
 */

/** One recorded negative of a customer. */
export interface HistoryNegative {
  feedbackId: string;
  /** responded_at in microseconds since the epoch. */
  at: bigint;
  /** responded_at as read back from Postgres (millisecond ISO): what the decision quotes. */
  respondedAt: string;
}

/** One negative feedback to score: whose, which, when, and where a previous one would make it a repeat. */
export interface NegativeToScore {
  customerId: string;
  feedbackId: string;
  /** As received: recorded as written (Postgres parses it). */
  respondedAt: string;
  /** repeatNegativeWindow(respondedAt): 30 days either side, ends included. */
  window: { from: Date; to: Date };
  /** respondedAt as a Date: distances are measured from it. */
  at: Date;
}

export const micros = (d: Date): bigint => BigInt(d.getTime()) * 1000n;

/** A negative of `customerId` to score; throws RangeError for a respondedAt that is not a date (as repeatNegativeWindow). */
export function negativeToScore(customerId: string, feedbackId: string, respondedAt: string): NegativeToScore {
  return { customerId, feedbackId, respondedAt, window: repeatNegativeWindow(respondedAt), at: new Date(respondedAt) };
}

/**
 * The closest other negative (another feedbackId) with `at` within the window, both ends included; on equal distances
 * the earlier response, then the smaller feedbackId (code point order). Null: this negative is not a repeat.
 */
export function closestNegative(history: Iterable<HistoryNegative>, n: Pick<NegativeToScore, 'feedbackId' | 'window' | 'at'>): HistoryNegative | null {
  const from = micros(n.window.from);
  const to = micros(n.window.to);
  const at = micros(n.at);
  let best: { row: HistoryNegative; distance: bigint } | null = null;
  for (const row of history) {
    if (row.feedbackId === n.feedbackId || row.at < from || row.at > to) continue;
    const distance = row.at >= at ? row.at - at : at - row.at;
    if (!best || distance < best.distance || (distance === best.distance && isBefore(row, best.row))) best = { row, distance };
  }
  return best?.row ?? null;
}

function isBefore(a: HistoryNegative, b: HistoryNegative): boolean {
  if (a.at !== b.at) return a.at < b.at;
  return compareCodePoints(a.feedbackId, b.feedbackId) < 0;
}

function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i].codePointAt(0) ?? 0) - (y[i].codePointAt(0) ?? 0);
    if (d) return d;
  }
  return x.length - y.length;
}

// YYYY-MM-DDTHH:MM:SS, up to 3 fractional digits, Z or ±HH:MM: what ingest writes, and what JS and Postgres read alike
const EXACT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-](\d{2}):(\d{2}))$/;

/**
 * `respondedAt` in microseconds, computed here, when its form is one JavaScript and Postgres read to the same instant
 * (above: an explicit offset, at most millisecond precision, a real calendar date and time); else null, and only
 * Postgres may say what it means (no offset: the session's time zone; microseconds; rounding of more digits).
 */
export function exactMicros(respondedAt: string): bigint | null {
  const m = EXACT.exec(respondedAt);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, , zone, oh, om] = m;
  if (+y < 1000 || +mo < 1 || +mo > 12 || +d < 1 || +h > 23 || +mi > 59 || +s > 59) return null;
  if (zone !== 'Z' && (+oh > 14 || +om > 59)) return null;
  if (new Date(Date.UTC(+y, +mo - 1, +d)).getUTCDate() !== +d) return null; // 2026-02-30
  const ms = Date.parse(respondedAt);
  return Number.isNaN(ms) ? null : BigInt(ms) * 1000n;
}

/**
 * The negative a batch's message will score, read from its decoded event before its handler runs (ids, scores and
 * respondedAt are never sealed, ADR 0024): null when it is not a negative, or not readable so, or its respondedAt is
 * not exact (its handler then reads its own history, as outside a batch). Never throws: a bad event fails its own
 * handler, not the batch's first negative.
 */
export function announcedNegative(event: unknown): NegativeToScore | null {
  const data = (event as { data?: unknown } | null | undefined)?.data as
    | { customer?: { id?: unknown }; feedbackId?: unknown; metric?: unknown; score?: unknown; respondedAt?: unknown }
    | undefined;
  const customerId = data?.customer?.id;
  const { feedbackId, metric, score, respondedAt } = data ?? {};
  if (typeof customerId !== 'string' || typeof feedbackId !== 'string' || typeof respondedAt !== 'string' || typeof score !== 'number') return null;
  try {
    if (!isNegative(classify(metric as never, score))) return null;
  } catch {
    return null;
  }
  return exactMicros(respondedAt) === null ? null : negativeToScore(customerId, feedbackId, respondedAt);
}
