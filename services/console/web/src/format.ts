/**
 * Pure helpers for what the pages show, in the agent's language (SPEC §14): shares, counts, NPS, report days and
 * time-to-claim buckets, made with the translator of contracts' i18n module (its numbers, durations and catalog), the
 * one way texts, numbers, dates and durations are made in Closeloop.
 */
import type { Translator } from '@closeloop/contracts/i18n';

/** A share (0…1) as a whole percentage: 0.1234 → "12%" (en), "%12" (tr); "—" when there was nothing to divide by. */
export function formatPercent(i18n: Translator, ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return i18n.t('console.none');
  return i18n.number(ratio, { style: 'percent', maximumFractionDigits: 0 });
}

/** A count with the locale's grouping: 12345 → "12,345" (en), "12.345" (tr, id). */
export function formatCount(i18n: Translator, n: number): string {
  return i18n.number(n, { maximumFractionDigits: 0 });
}

/** A Net Promoter Score (−100…100) with its sign: "+33.3", "−100", "0"; "—" without answers. */
export function formatNps(i18n: Translator, nps: number | null | undefined): string {
  if (nps === null || nps === undefined || Number.isNaN(nps)) return i18n.t('console.none');
  return i18n.number(nps, { maximumFractionDigits: 1, signDisplay: 'exceptZero' });
}

/**
 * A day of the reports (YYYY-MM-DD) as a short date: "2026-11-02" → "Nov 2". Report days are whole UTC days (not
 * instants), so this one date is read in UTC whatever the reader's time zone.
 */
export function formatDay(i18n: Translator, day: string): string {
  return new Intl.DateTimeFormat(i18n.locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

/** A time-to-claim bucket's label: "under 5 min", "5 min – 15 min", "1 day or more" (en). */
export function formatRange(i18n: Translator, fromMs: number, toMs: number | null): string {
  if (fromMs === 0 && toMs !== null) return i18n.t('console.range.under', { limit: i18n.duration(toMs) });
  if (toMs === null) return i18n.t('console.range.atLeast', { from: i18n.duration(fromMs) });
  return i18n.t('console.range.between', { from: i18n.duration(fromMs), to: i18n.duration(toMs) });
}

export interface SlaState {
  kind: 'firstResponse' | 'resolve';
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
  return { kind, dueAt: due, remainingMs, breached };
}

/**
 * What tickets stores in place of an erased customer's texts (SPEC §13: an erasure or retention; libs/platform's
 * `ERASED`). The console never shows the mark: it says "erased" in the agent's language.
 */
export const ERASED_MARK = '‹erased›';

/** A customer's text as shown: the text, or the translated "erased" when it was erased. */
export function shownText(i18n: Translator, text: string): string {
  return text === ERASED_MARK ? i18n.t('console.ticket.erased') : text;
}

/** The customer as a ticket names them: their name, "Erased customer" when erased, else their id. */
export function customerLabel(i18n: Translator, t: { customerErased?: boolean; customer: { id: string; name?: string | null } }): string {
  if (t.customerErased || t.customer.name === ERASED_MARK) return i18n.t('console.ticket.erasedCustomer');
  return t.customer.name ?? t.customer.id;
}
