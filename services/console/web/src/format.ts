/**
 * Pure helpers for what the pages show. Numbers a person reads (durations, shares, counts, days, NPS) go through
 * the Intl-based formatters below, so one locale argument localises them all (SPEC §14; `undefined` = the browser's).
 */

const MIN_MS = 60_000;

function unit(locale: string | undefined, u: 'day' | 'hour' | 'minute' | 'second', n: number): string {
  return new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: n === 1 && u === 'day' ? 'long' : 'short' }).format(n);
}

/**
 * A duration a lead reads at a glance, two units at most: "42 sec", "25 min", "3 hr 20 min", "2 days 4 hr"
 * (rounded to the smallest unit shown); "—" when there is nothing measured.
 */
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

/** A share (0…1) as a whole percentage: 0.1234 → "12%"; "—" when there was nothing to divide by. */
export function formatPercent(ratio: number | null | undefined, locale?: string): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return '—';
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(ratio);
}

/** A count with the locale's grouping: 12345 → "12,345". */
export function formatCount(n: number, locale?: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(n);
}

/** A Net Promoter Score (−100…100) with its sign: "+33.3", "−100", "0"; "—" without answers. */
export function formatNps(nps: number | null | undefined, locale?: string): string {
  if (nps === null || nps === undefined || Number.isNaN(nps)) return '—';
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(nps);
}

/** A day of the reports (YYYY-MM-DD, UTC) as a short date: "2026-11-02" → "Nov 2". */
export function formatDay(day: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

/** A time-to-claim bucket's label: "under 5 min", "5 min – 15 min", "1 day or more". */
export function formatRange(fromMs: number, toMs: number | null, locale?: string): string {
  if (fromMs === 0 && toMs !== null) return `under ${formatDuration(toMs, locale)}`;
  if (toMs === null) return `${formatDuration(fromMs, locale)} or more`;
  return `${formatDuration(fromMs, locale)} – ${formatDuration(toMs, locale)}`;
}

/** 3 700 000 ms → "1h 01m"; 42 000 → "42s". */
export function duration(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s % 60}s`;
}

export interface SlaState {
  kind: 'firstResponse' | 'resolve';
  label: string;
  dueAt: string;
  remainingMs: number;
  breached: boolean;
}

/**
 * The SLA that matters now: first response until the ticket is claimed, then resolution; none once resolved.
 * Breached when tickets says so (breach timestamps) or the due time has passed.
 */
export function currentSla(t: { status: string; firstResponseDue: string | null; resolveDue: string | null; firstResponseBreachedAt: string | null; resolveBreachedAt: string | null }, now: number): SlaState | null {
  if (t.status === 'resolved') return null;
  const kind = t.status === 'open' ? 'firstResponse' : 'resolve';
  const due = kind === 'firstResponse' ? t.firstResponseDue : t.resolveDue;
  if (!due) return null;
  const remainingMs = Date.parse(due) - now;
  const breached = remainingMs < 0 || !!(kind === 'firstResponse' ? t.firstResponseBreachedAt : t.resolveBreachedAt);
  return { kind, label: kind === 'firstResponse' ? 'first response' : 'resolve', dueAt: due, remainingMs, breached };
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function num(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return Number.isInteger(v) ? String(v) : v.toFixed(digits);
}

/** Text direction for a comment shown in its original language. */
export function dirFor(locale: string | null | undefined): 'rtl' | 'auto' {
  return locale && /^(he|ar|fa|ur)\b/i.test(locale) ? 'rtl' : 'auto';
}
