import { netPromoterScore } from './stats';

/** A count per UTC day, `day` = YYYY-MM-DD — what the database groups. */
export interface DayCount {
  day: string;
  n: number;
}
/** NPS answers per ISO week (`week` = its Monday, YYYY-MM-DD, UTC), touchpoint and class. */
export interface NpsWeekCount {
  week: string;
  touchpoint: string;
  classification: string;
  n: number;
}
/** Claimed tickets per time-to-claim bucket: `bucket` = how many edges the time reached (Postgres width_bucket). */
export interface ClaimTimeCount {
  bucket: number;
  n: number;
}

const MIN = 60_000;
/** The time-to-claim buckets' edges: under 5 min, 5–15 min, 15–30 min, 30 min–1 h, 1–4 h, 4–24 h, a day or more. */
export const CLAIM_BUCKET_EDGES_MS: readonly number[] = [5 * MIN, 15 * MIN, 30 * MIN, 60 * MIN, 240 * MIN, 1440 * MIN];

export interface TimeseriesInput {
  from: Date;
  to: Date;
  team: string | null;
  opened: readonly DayCount[];
  resolved: readonly DayCount[];
  nps: readonly NpsWeekCount[];
  claimTimes: readonly ClaimTimeCount[];
  edgesMs?: readonly number[];
}

const DAY_MS = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/** Every UTC day that [from, to) touches, oldest first. */
export function daysOf(from: Date, to: Date): string[] {
  const days: string[] = [];
  const last = to.getTime() - 1;
  for (let t = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()); t <= last; t += DAY_MS) days.push(isoDay(t));
  return days;
}

/**
 * GET /v1/reports/timeseries: per UTC day of [from, to) the tickets opened and the tickets resolved that day (whichever
 * day they were opened; a ticket reopened since counts no longer), days without any as zeros; the NPS per touchpoint and
 * ISO week; the time-to-claim distribution of the tickets opened in the window (edges in ms, the last bucket open-ended).
 */
export function buildTimeseries(r: TimeseriesInput) {
  const edges = r.edgesMs ?? CLAIM_BUCKET_EDGES_MS;
  const opened = new Map(r.opened.map((d) => [d.day, d.n]));
  const resolved = new Map(r.resolved.map((d) => [d.day, d.n]));
  const days = daysOf(r.from, r.to).map((day) => ({ day, opened: opened.get(day) ?? 0, resolved: resolved.get(day) ?? 0 }));

  const weeks = new Map<string, { week: string; touchpoint: string; promoters: number; passives: number; detractors: number }>();
  for (const c of r.nps) {
    const k = `${c.touchpoint}\u0000${c.week}`;
    const row = weeks.get(k) ?? { week: c.week, touchpoint: c.touchpoint, promoters: 0, passives: 0, detractors: 0 };
    if (c.classification === 'promoter') row.promoters += c.n;
    else if (c.classification === 'passive') row.passives += c.n;
    else if (c.classification === 'detractor') row.detractors += c.n;
    weeks.set(k, row);
  }
  const npsByWeek = [...weeks.values()]
    .sort((a, b) => a.touchpoint.localeCompare(b.touchpoint) || a.week.localeCompare(b.week))
    .map((w) => ({ ...w, responses: w.promoters + w.passives + w.detractors, nps: netPromoterScore(w) }));

  const counts = new Map(r.claimTimes.map((c) => [c.bucket, c.n]));
  const timeToClaim = [0, ...edges].map((fromMs, i) => ({ fromMs, toMs: i < edges.length ? edges[i] : null, tickets: counts.get(i) ?? 0 }));

  return {
    from: r.from.toISOString(),
    to: r.to.toISOString(),
    team: r.team,
    days,
    totals: { opened: days.reduce((s, d) => s + d.opened, 0), resolved: days.reduce((s, d) => s + d.resolved, 0) },
    npsByWeek,
    timeToClaim,
  };
}
export type ReportTimeseries = ReturnType<typeof buildTimeseries>;
