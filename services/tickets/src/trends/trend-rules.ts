// SPEC §12 trends, the pure part (ADR 0020): which groups spike now, and what that means for the trends already open.

/** The previous 7 days the usual rate is taken over. */
export const BASELINE_MS = 7 * 24 * 3_600_000;

export interface TrendRule {
  windowMs: number;
  minNegatives: number;
  factor: number;
}

/** One group's action-required feedback as a pass counts it at `now`. */
export interface GroupCount {
  /** stable text of (team, the `by` values): what makes two passes talk about the same group */
  key: string;
  team: string;
  group: Record<string, string>;
  /** in (now − window, now] */
  count: number;
  /** in (now − window − 7 days, now − window] */
  baselineCount: number;
  /** tickets of the feedback in the window, oldest first */
  ticketIds: string[];
}

export interface OpenTrend {
  id: string;
  key: string;
  count: number;
  peak: number;
  ticketIds: string[];
}

export type TrendDecision =
  | { kind: 'open'; group: GroupCount; baseline: number }
  | { kind: 'update'; trend: OpenTrend; group: GroupCount; baseline: number; ticketIds: string[]; peak: number }
  | { kind: 'end'; trend: OpenTrend };

/** The usual rate: feedback per window, averaged over the 7 days before the window. */
export function baselinePerWindow(rule: TrendRule, baselineCount: number): number {
  return baselineCount / (BASELINE_MS / rule.windowMs);
}

/**
 * A group spikes when it has at least `minNegatives` in the window and at least `factor` × its usual rate. A zero
 * baseline makes the second condition hold for any count, so a quiet group spikes on `minNegatives` alone.
 */
export function spikes(rule: TrendRule, g: Pick<GroupCount, 'count' | 'baselineCount'>): boolean {
  return g.count >= rule.minNegatives && g.count >= rule.factor * baselinePerWindow(rule, g.baselineCount);
}

/**
 * One pass: a spiking group without an open trend opens one; an open trend whose group still spikes is updated when
 * its count or tickets changed (tickets accumulate over the spike's life); an open trend whose group stopped spiking
 * (or has no feedback left in the window) ends. A later spike of the same group is a new trend.
 */
export function decideTrends(rule: TrendRule, groups: readonly GroupCount[], open: readonly OpenTrend[]): TrendDecision[] {
  const byKey = new Map(groups.map((g) => [g.key, g]));
  const openKeys = new Set(open.map((t) => t.key));
  const out: TrendDecision[] = [];
  for (const trend of open) {
    const g = byKey.get(trend.key);
    if (!g || !spikes(rule, g)) {
      out.push({ kind: 'end', trend });
      continue;
    }
    const ticketIds = [...trend.ticketIds, ...g.ticketIds.filter((id) => !trend.ticketIds.includes(id))];
    if (g.count !== trend.count || ticketIds.length !== trend.ticketIds.length) {
      out.push({ kind: 'update', trend, group: g, baseline: baselinePerWindow(rule, g.baselineCount), ticketIds, peak: Math.max(trend.peak, g.count) });
    }
  }
  for (const g of groups) {
    if (!openKeys.has(g.key) && spikes(rule, g)) out.push({ kind: 'open', group: g, baseline: baselinePerWindow(rule, g.baselineCount) });
  }
  return out;
}
