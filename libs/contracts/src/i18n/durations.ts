/**
 * A duration a person reads at a glance, two units at most, in the reader's locale: "42 sec", "25 min",
 * "3 hr 20 min", "2 days 4 hr" (en); "3 sa. 20 dk." (tr); "3小时20分钟" (zh). Rounded to the smallest unit shown;
 * "—" when nothing was measured. Node 20 has no Intl.DurationFormat, so units come from Intl.NumberFormat and are
 * joined with Intl.ListFormat (type "unit"), both localised by ICU.
 */
const MIN_MS = 60_000;

function unit(locale: string | undefined, u: 'day' | 'hour' | 'minute' | 'second', n: number): string {
  return new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: n === 1 && u === 'day' ? 'long' : 'short' }).format(n);
}

export function formatDuration(ms: number | null | undefined, locale?: string): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  const abs = Math.abs(ms);
  if (abs < MIN_MS - 500) return unit(locale, 'second', Math.round(abs / 1000));
  const minutes = Math.max(1, Math.round(abs / MIN_MS));
  if (minutes < 60) return unit(locale, 'minute', minutes);
  const parts: string[] = [];
  if (minutes < 24 * 60) {
    parts.push(unit(locale, 'hour', Math.floor(minutes / 60)));
    if (minutes % 60) parts.push(unit(locale, 'minute', minutes % 60));
  } else {
    const hours = Math.round(minutes / 60);
    parts.push(unit(locale, 'day', Math.floor(hours / 24)));
    if (hours % 24) parts.push(unit(locale, 'hour', hours % 24));
  }
  return new Intl.ListFormat(locale, { type: 'unit', style: 'narrow' }).format(parts);
}
