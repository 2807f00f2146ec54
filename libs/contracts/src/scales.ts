export type Metric = 'nps' | 'csat' | 'ces';
export const METRICS: readonly Metric[] = ['nps', 'csat', 'ces'];

/** Inclusive score scale of each metric (SPEC §4, §5). */
export const METRIC_SCALES: Record<Metric, { min: number; max: number }> = {
  nps: { min: 0, max: 10 },
  csat: { min: 1, max: 5 },
  ces: { min: 1, max: 7 },
};

export type Severity = 'normal' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['normal', 'high', 'critical'];
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}
export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

export type TicketStatus = 'open' | 'claimed' | 'resolved';
export const TICKET_STATUSES: readonly TicketStatus[] = ['open', 'claimed', 'resolved'];

export type Classification = 'detractor' | 'passive' | 'promoter' | 'negative' | 'neutral' | 'positive';
export const CLASSIFICATIONS: readonly Classification[] = ['detractor', 'passive', 'promoter', 'negative', 'neutral', 'positive'];

export const E164 = /^\+[1-9]\d{6,14}$/;
