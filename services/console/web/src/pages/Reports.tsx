import { FormEvent, useEffect, useState } from 'react';
import { ConsoleConfig, api } from '../api';
import { BarChart, DailyColumns } from '../charts';
import { ErrorNote } from '../components';
import { formatCount, formatDay, formatDuration, formatNps, formatPercent, formatRange } from '../format';

/* ---- shapes of tickets' reports (services/tickets README: Report, Time series) ---- */
interface Durations { count: number; medianMs: number | null; p90Ms: number | null }
interface TeamRow {
  team: string; tickets: number; unresolved: number; open: number; claimed: number; resolved: number; breached: number; breachRate: number | null;
  timeToClaim: Durations; timeToResolve: Durations; recovery: { rescored: number; recovered: number; rate: number | null };
}
export interface Summary {
  from: string; to: string;
  tickets: { total: number; byStatus: Record<string, number>; bySeverity: Record<string, number>; byTouchpoint: Record<string, number>; byTeam: Record<string, number> };
  timeToClaim: Durations; timeToResolve: Durations;
  sla: { breachedTickets: number; breachRate: number | null; firstResponseBreaches: number; resolveBreaches: number };
  rootCauses: Record<string, number>;
  recovery: { resolvedTickets: number; rescored: number; recovered: number; rate: number | null };
  teams: TeamRow[];
}
export interface Timeseries {
  days: { day: string; opened: number; resolved: number }[];
  totals: { opened: number; resolved: number };
  npsByWeek: { week: string; touchpoint: string; responses: number; nps: number | null }[];
  timeToClaim: { fromMs: number; toMs: number | null; tickets: number }[];
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const nextDay = (day: string) => isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000));

function Figure({ id, label, value, detail }: { id: string; label: string; value: string; detail?: string }) {
  return (
    <div className="stat" data-testid={`figure-${id}`}>
      <div className="stat-value" data-testid="value">{value}</div>
      <div className="stat-label">{label}</div>
      {detail && <div className="small muted">{detail}</div>}
    </div>
  );
}

/** The headline figures: of every team, or of the chosen one (its row of the summary). */
function headline(s: Summary, team: string) {
  const row = team ? s.teams.find((t) => t.team === team) : undefined;
  if (team) {
    return {
      opened: row?.tickets ?? 0, unresolved: row?.unresolved ?? 0, breached: row?.breached ?? 0, breachRate: row?.breachRate ?? null,
      claim: row?.timeToClaim.medianMs ?? null, resolve: row?.timeToResolve.medianMs ?? null, recovery: row?.recovery.rate ?? null, rescored: row?.recovery.rescored ?? 0,
    };
  }
  return {
    opened: s.tickets.total, unresolved: (s.tickets.byStatus.open ?? 0) + (s.tickets.byStatus.claimed ?? 0), breached: s.sla.breachedTickets,
    breachRate: s.sla.breachRate, claim: s.timeToClaim.medianMs, resolve: s.timeToResolve.medianMs, recovery: s.recovery.rate, rescored: s.recovery.rescored,
  };
}

/** NPS per touchpoint (rows) and week (columns), as numbers: what a lead scans for a touchpoint going wrong. */
function NpsTable({ rows }: { rows: Timeseries['npsByWeek'] }) {
  if (!rows.length) return <p className="muted">No NPS answers in this period.</p>;
  const weeks = [...new Set(rows.map((r) => r.week))].sort();
  const touchpoints = [...new Set(rows.map((r) => r.touchpoint))].sort();
  const cell = (tp: string, w: string) => rows.find((r) => r.touchpoint === tp && r.week === w);
  return (
    <table className="grid" data-testid="nps-weeks">
      <caption className="small muted">NPS per touchpoint, week starting (answers in brackets)</caption>
      <thead><tr><th>Touchpoint</th>{weeks.map((w) => <th key={w}>{formatDay(w)}</th>)}</tr></thead>
      <tbody>
        {touchpoints.map((tp) => (
          <tr key={tp} data-touchpoint={tp}>
            <th scope="row">{tp}</th>
            {weeks.map((w) => {
              const c = cell(tp, w);
              return <td key={w} className={c && c.nps !== null && c.nps < 0 ? 'warn' : ''}>{c ? <>{formatNps(c.nps)} <span className="muted small">({formatCount(c.responses)})</span></> : '—'}</td>;
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Reports for leads: tickets' summary and time series for a period, in human units; every chart's numbers also as text. */
export function Reports({ config }: { config: ConsoleConfig }) {
  const [from, setFrom] = useState(isoDay(new Date(Date.now() - 29 * 86400_000)));
  const [to, setTo] = useState(isoDay(new Date()));
  const [team, setTeam] = useState('');
  const [data, setData] = useState<{ summary: Summary; series: Timeseries; team: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    try {
      // the period is whole UTC days, "to" included: the API's window ends at the start of the next day
      const q = new URLSearchParams({ from: `${from}T00:00:00.000Z`, to: `${nextDay(to)}T00:00:00.000Z` });
      const qs = new URLSearchParams(q);
      if (team) qs.set('team', team);
      const [summary, series] = await Promise.all([api<Summary>(`/api/reports/summary?${q}`), api<Timeseries>(`/api/reports/timeseries?${qs}`)]);
      setData({ summary, series, team });
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => void load(), []); // once, on mount: later loads are the form's

  const h = data && headline(data.summary, data.team);
  return (
    <section className="reports" data-testid="reports">
      <h1>Reports</h1>
      <form className="filters" onSubmit={(e: FormEvent) => { e.preventDefault(); void load(); }}>
        <label>From<input type="date" name="from" value={from} onChange={(e) => setFrom(e.target.value)} /></label>
        <label>To (including)<input type="date" name="to" value={to} onChange={(e) => setTo(e.target.value)} /></label>
        <label>Team<select name="team" value={team} onChange={(e) => setTeam(e.target.value)}><option value="">all teams</option>{config.teams.map((t) => <option key={t.id}>{t.id}</option>)}</select></label>
        <button type="submit">Show</button>
      </form>
      <ErrorNote error={error} />
      {data && h && (
        <>
          <h2>{data.team ? `Team ${data.team} at a glance` : 'At a glance'}</h2>
          <div className="stats" data-testid="headline">
            <Figure id="opened" label="Tickets opened" value={formatCount(h.opened)} />
            <Figure id="unresolved" label="Still open (not resolved)" value={formatCount(h.unresolved)} />
            <Figure id="claim" label="Median time until someone took it" value={formatDuration(h.claim)} />
            <Figure id="resolve" label="Median time to resolve" value={formatDuration(h.resolve)} />
            <Figure id="breached" label="Missed an SLA" value={formatPercent(h.breachRate)} detail={`${formatCount(h.breached)} of ${formatCount(h.opened)} tickets`} />
            <Figure id="recovery" label="Customers won back" value={formatPercent(h.recovery)} detail={`of ${formatCount(h.rescored)} who answered again`} />
          </div>

          <h2>Tickets opened and resolved per day</h2>
          <p data-testid="daily-totals">
            <strong data-testid="opened-total">{formatCount(data.series.totals.opened)}</strong> opened and{' '}
            <strong data-testid="resolved-total">{formatCount(data.series.totals.resolved)}</strong> resolved in this period{data.team ? ` by team ${data.team}` : ''}.
          </p>
          <DailyColumns
            title="tickets opened and resolved per day"
            days={data.series.days}
            label={(d) => formatDay(d)}
            series={[{ key: 'opened', name: 'opened', color: '#f59e0b' }, { key: 'resolved', name: 'resolved', color: '#16a34a' }]}
          />
          <details>
            <summary>The numbers per day</summary>
            <table className="grid" data-testid="daily">
              <thead><tr><th>Day</th><th>Opened</th><th>Resolved</th></tr></thead>
              <tbody>{data.series.days.map((d) => <tr key={d.day} data-day={d.day}><td>{formatDay(d.day)}</td><td>{d.opened}</td><td>{d.resolved}</td></tr>)}</tbody>
            </table>
          </details>

          <h2>Teams</h2>
          <table className="grid" data-testid="teams">
            <thead><tr><th>Team</th><th>Opened</th><th>Still open</th><th>Missed an SLA</th><th>Median time to claim</th><th>Median time to resolve</th><th>Customers won back</th></tr></thead>
            <tbody>
              {data.summary.teams.map((t) => (
                <tr key={t.team} data-team={t.team}>
                  <th scope="row">{t.team}</th>
                  <td data-col="opened">{formatCount(t.tickets)}</td>
                  <td data-col="unresolved">{formatCount(t.unresolved)}</td>
                  <td data-col="breached" className={t.breached ? 'warn' : ''}>{formatCount(t.breached)} <span className="muted small">({formatPercent(t.breachRate)})</span></td>
                  <td data-col="claim">{formatDuration(t.timeToClaim.medianMs)}</td>
                  <td data-col="resolve">{formatDuration(t.timeToResolve.medianMs)}</td>
                  <td data-col="recovery">{formatPercent(t.recovery.rate)} <span className="muted small">(of {formatCount(t.recovery.rescored)})</span></td>
                </tr>
              ))}
            </tbody>
          </table>
          {!data.summary.teams.length && <p className="muted">No tickets in this period.</p>}

          <div className="columns">
            <div className="chart-box">
              <h2>How long until someone took the ticket</h2>
              <BarChart title="tickets per time until claimed" bars={data.series.timeToClaim.map((b) => ({ label: formatRange(b.fromMs, b.toMs), value: b.tickets }))} />
            </div>
            <div className="chart-box">
              <h2>What went wrong (resolved tickets)</h2>
              <BarChart title="resolved tickets per root cause" bars={Object.entries(data.summary.rootCauses).map(([label, value]) => ({ label, value }))} />
            </div>
          </div>

          <h2>Customer satisfaction (NPS) per touchpoint and week</h2>
          <NpsTable rows={data.series.npsByWeek} />

          <div className="columns">
            <div className="chart-box"><h2>Tickets by severity</h2><BarChart title="tickets by severity" bars={Object.entries(data.summary.tickets.bySeverity).map(([label, value]) => ({ label, value }))} /></div>
            <div className="chart-box"><h2>Tickets by touchpoint</h2><BarChart title="tickets by touchpoint" bars={Object.entries(data.summary.tickets.byTouchpoint).map(([label, value]) => ({ label, value }))} /></div>
          </div>
        </>
      )}
    </section>
  );
}
