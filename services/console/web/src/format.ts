/** Pure helpers for what the pages show. */

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
