// Durations here are SLA budgets ("answer within PT1H"), i.e. elapsed time. Years and months have no fixed
// length, so they are rejected rather than guessed; a day is exactly 24 h and a week 7 days (no DST or calendar maths).

const NUM = String.raw`(\d+(?:[.,]\d+)?)`;
const DURATION = new RegExp(`^P(?:${NUM}Y)?(?:${NUM}M)?(?:${NUM}W)?(?:${NUM}D)?(?:T(?:${NUM}H)?(?:${NUM}M)?(?:${NUM}S)?)?$`, 'i');

const MS = { W: 7 * 86_400_000, D: 86_400_000, H: 3_600_000, M: 60_000, S: 1_000 } as const;

/** Why `text` is not a duration this system accepts, or the duration in milliseconds. */
export function checkIsoDuration(text: string): { ok: true; ms: number } | { ok: false; message: string } {
  const m = DURATION.exec(text);
  const bad = { ok: false as const, message: `not an ISO-8601 duration (${JSON.stringify(text)}); expected e.g. PT30M, PT1H, P2D, P1W` };
  if (!m) return bad;
  const [, years, months, weeks, days, hours, minutes, seconds] = m;
  const parts = [years, months, weeks, days, hours, minutes, seconds];
  const present = parts.filter((p) => p !== undefined);
  if (present.length === 0) return bad; // "P" or "PT"
  if (/T$/i.test(text)) return bad; // "P1DT": a T must introduce at least one time component
  if (years !== undefined || months !== undefined) {
    return { ok: false, message: `years and months have no fixed length (${JSON.stringify(text)}); use days or weeks, e.g. P30D` };
  }
  if (weeks !== undefined && present.length > 1) {
    return { ok: false, message: `weeks cannot be combined with other units (${JSON.stringify(text)}); e.g. write P9D instead of P1W2D` };
  }
  // ISO-8601 allows a decimal fraction on the smallest component only.
  if (present.slice(0, -1).some((p) => /[.,]/.test(p))) {
    return { ok: false, message: `only the last component may have a fraction (${JSON.stringify(text)})` };
  }
  const num = (p: string | undefined) => (p === undefined ? 0 : Number(p.replace(',', '.')));
  const ms = Math.round(
    num(weeks) * MS.W + num(days) * MS.D + num(hours) * MS.H + num(minutes) * MS.M + num(seconds) * MS.S,
  );
  if (!Number.isSafeInteger(ms)) return { ok: false, message: `duration is too long (${JSON.stringify(text)})` };
  return { ok: true, ms };
}

/**
 * Parses an ISO-8601 duration (`PnW` or `PnDTnHnMnS`, fraction allowed on the last component, designators
 * case-insensitive) into milliseconds. Throws RangeError for anything else, including years and months.
 */
export function parseIsoDuration(text: string): number {
  const r = checkIsoDuration(text);
  if (!r.ok) throw new RangeError(r.message);
  return r.ms;
}
