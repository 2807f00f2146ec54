import { isInQuietHours, type QuietHours } from '@closeloop/contracts';

const MINUTE = 60_000;

/**
 * When the quiet hours around `at` end: `at` itself when it is not quiet, else the first whole minute that is not.
 * Walks minute by minute in the window's own time zone (at most a day), so DST changes need no special case.
 */
export function quietHoursEnd(quietHours: QuietHours | undefined, at: Date): Date {
  if (!isInQuietHours(quietHours, at)) return at;
  let t = Math.ceil((at.getTime() + 1) / MINUTE) * MINUTE;
  for (let i = 0; i <= 26 * 60; i++, t += MINUTE) {
    if (!isInQuietHours(quietHours, new Date(t))) return new Date(t);
  }
  // A window that never ends (start = end is "never quiet", so this is unreachable for a validated file).
  return new Date(at.getTime() + 24 * 60 * MINUTE);
}
