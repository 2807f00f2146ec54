// SPEC §12 digest: when "09:00 in Europe/Istanbul" is, as an instant, on any day — DST included. Pure: Intl does
// the zone arithmetic, nothing here assumes a fixed offset.

const DAY_MS = 86_400_000;

/** The zone's offset at instant `t`: local wall-clock time minus UTC, in ms. */
export function offsetMs(t: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(t / 1000) * 1000;
}

/** The local date (`YYYY-MM-DD`) of instant `t` in the zone. */
export function localDate(t: Date, timeZone: string): string {
  return new Date(t.getTime() + offsetMs(t.getTime(), timeZone)).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` ± days, on the calendar (no zone involved). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The instant at which the zone's clocks show `hhmm` on local date `day`. A time the clocks skip (spring forward)
 * is taken as the same minutes after the jump (02:30 → 03:30); a time they show twice (fall back) is its first
 * occurrence.
 */
export function zonedInstant(day: string, hhmm: string, timeZone: string): Date {
  const [h, m] = hhmm.split(':').map(Number);
  const wall = Date.parse(`${day}T00:00:00Z`) + (h * 60 + m) * 60_000;
  // a zone changes its offset at most once within a day either side: these two offsets are the only candidates
  const before = offsetMs(wall - DAY_MS, timeZone);
  const after = offsetMs(wall + DAY_MS, timeZone);
  const valid = [...new Set([before, after])].map((o) => wall - o).filter((t) => wall - t === offsetMs(t, timeZone));
  return new Date(valid.length > 0 ? Math.min(...valid) : wall - before);
}

/** The last digest time at or before `now`: today's `at` if it has come, else yesterday's. */
export function latestDigestAt(now: Date, at: string, timeZone: string): { day: string; at: Date } {
  const today = localDate(now, timeZone);
  const t = zonedInstant(today, at, timeZone);
  if (t.getTime() <= now.getTime()) return { day: today, at: t };
  const yesterday = addDays(today, -1);
  return { day: yesterday, at: zonedInstant(yesterday, at, timeZone) };
}

/** The next digest time strictly after `now`. */
export function nextDigestAt(now: Date, at: string, timeZone: string): Date {
  const latest = latestDigestAt(now, at, timeZone);
  return zonedInstant(addDays(latest.day, 1), at, timeZone);
}

/** What a digest sent on local date `day` reports: the day before, midnight to midnight local time, as instants. */
export function digestWindow(day: string, timeZone: string): { day: string; from: Date; to: Date } {
  const yesterday = addDays(day, -1);
  return { day: yesterday, from: zonedInstant(yesterday, '00:00', timeZone), to: zonedInstant(day, '00:00', timeZone) };
}
