import { FormEvent, Fragment, ReactNode, useEffect, useState } from 'react';
import { ConsoleConfig, api } from '../api';
import { BarChart, DailyColumns } from '../charts';
import { ErrorNote } from '../components';
import { formatCount, formatDay, formatNps, formatPercent, formatRange } from '../format';
import { errorText, useI18n } from '../i18n';

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

/** A translated sentence with elements in place of its markers (private-use characters no catalog holds). */
function sentenceAround(sentence: string, parts: Record<string, ReactNode>): ReactNode[] {
  return sentence.split(/([\uE000\uE001])/).map((piece, i) => parts[piece] ?? <Fragment key={i}>{piece}</Fragment>);
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
  const i18n = useI18n();
  if (!rows.length) return <p className="muted">{i18n.t('console.reports.noNps')}</p>;
  const weeks = [...new Set(rows.map((r) => r.week))].sort();
  const touchpoints = [...new Set(rows.map((r) => r.touchpoint))].sort();
  const cell = (tp: string, w: string) => rows.find((r) => r.touchpoint === tp && r.week === w);
  return (
    <table className="grid" data-testid="nps-weeks">
      <caption className="small muted">{i18n.t('console.reports.npsCaption')}</caption>
      <thead><tr><th>{i18n.t('console.reports.npsTouchpoint')}</th>{weeks.map((w) => <th key={w}>{formatDay(i18n, w)}</th>)}</tr></thead>
      <tbody>
        {touchpoints.map((tp) => (
          <tr key={tp} data-touchpoint={tp}>
            <th scope="row">{tp}</th>
            {weeks.map((w) => {
              const c = cell(tp, w);
              return <td key={w} className={c && c.nps !== null && c.nps < 0 ? 'warn' : ''}>{c ? <>{formatNps(i18n, c.nps)} <span className="muted small">({formatCount(i18n, c.responses)})</span></> : i18n.t('console.none')}</td>;
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Reports for leads: tickets' summary and time series for a period, in human units; every chart's numbers also as text. */
export function Reports({ config }: { config: ConsoleConfig }) {
  const i18n = useI18n();
  const duration = (ms: number | null) => i18n.duration(ms);
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
      setError(errorText(i18n, err));
    }
  };
  useEffect(() => void load(), []); // once, on mount: later loads are the form's

  const h = data && headline(data.summary, data.team);
  return (
    <section className="reports" data-testid="reports">
      <h1>{i18n.t('console.nav.reports')}</h1>
      <form className="filters" onSubmit={(e: FormEvent) => { e.preventDefault(); void load(); }}>
        <label>{i18n.t('console.reports.from')}<input type="date" name="from" value={from} onChange={(e) => setFrom(e.target.value)} /></label>
        <label>{i18n.t('console.reports.to')}<input type="date" name="to" value={to} onChange={(e) => setTo(e.target.value)} /></label>
        <label>{i18n.t('console.filter.team')}<select name="team" value={team} onChange={(e) => setTeam(e.target.value)}><option value="">{i18n.t('console.filter.allTeams')}</option>{config.teams.map((t) => <option key={t.id}>{t.id}</option>)}</select></label>
        <button type="submit">{i18n.t('console.reports.show')}</button>
      </form>
      <ErrorNote error={error} />
      {data && h && (
        <>
          <h2>{data.team ? i18n.t('console.reports.teamGlance', { team: data.team }) : i18n.t('console.reports.glance')}</h2>
          <div className="stats" data-testid="headline">
            <Figure id="opened" label={i18n.t('console.reports.opened')} value={formatCount(i18n, h.opened)} />
            <Figure id="unresolved" label={i18n.t('console.reports.unresolved')} value={formatCount(i18n, h.unresolved)} />
            <Figure id="claim" label={i18n.t('console.reports.claim')} value={duration(h.claim)} />
            <Figure id="resolve" label={i18n.t('console.reports.resolve')} value={duration(h.resolve)} />
            <Figure id="breached" label={i18n.t('console.reports.breached')} value={formatPercent(i18n, h.breachRate)} detail={i18n.t('console.reports.breachedOf', { breached: formatCount(i18n, h.breached), opened: formatCount(i18n, h.opened) })} />
            <Figure id="recovery" label={i18n.t('console.reports.recovery')} value={formatPercent(i18n, h.recovery)} detail={i18n.t('console.reports.recoveryOf', { rescored: formatCount(i18n, h.rescored) })} />
          </div>

          <h2>{i18n.t('console.reports.daily')}</h2>
          <p data-testid="daily-totals">
            {/* the totals stay their own elements (the test reads them), the sentence around them comes from the catalog */}
            {sentenceAround(
              data.team
                ? i18n.t('console.reports.dailyTotalsTeam', { opened: '\uE000', resolved: '\uE001', team: data.team })
                : i18n.t('console.reports.dailyTotals', { opened: '\uE000', resolved: '\uE001' }),
              {
                '\uE000': <strong key="o" data-testid="opened-total">{formatCount(i18n, data.series.totals.opened)}</strong>,
                '\uE001': <strong key="r" data-testid="resolved-total">{formatCount(i18n, data.series.totals.resolved)}</strong>,
              },
            )}
          </p>
          <DailyColumns
            title={i18n.t('console.reports.dailyChart')}
            days={data.series.days}
            label={(d) => formatDay(i18n, d)}
            series={[{ key: 'opened', name: i18n.t('console.reports.openedSeries'), color: '#f59e0b' }, { key: 'resolved', name: i18n.t('console.reports.resolvedSeries'), color: '#16a34a' }]}
          />
          <details>
            <summary>{i18n.t('console.reports.perDay')}</summary>
            <table className="grid" data-testid="daily">
              <thead><tr><th>{i18n.t('console.reports.day')}</th><th>{i18n.t('console.reports.dayOpened')}</th><th>{i18n.t('console.reports.dayResolved')}</th></tr></thead>
              <tbody>{data.series.days.map((d) => <tr key={d.day} data-day={d.day}><td>{formatDay(i18n, d.day)}</td><td>{formatCount(i18n, d.opened)}</td><td>{formatCount(i18n, d.resolved)}</td></tr>)}</tbody>
            </table>
          </details>

          <h2>{i18n.t('console.reports.teams')}</h2>
          <table className="grid" data-testid="teams">
            <thead><tr>{(['team', 'teamOpened', 'teamUnresolved', 'teamBreached', 'teamClaim', 'teamResolve', 'teamRecovery'] as const).map((c) => <th key={c}>{i18n.t(`console.reports.${c}`)}</th>)}</tr></thead>
            <tbody>
              {data.summary.teams.map((t) => (
                <tr key={t.team} data-team={t.team}>
                  <th scope="row">{t.team}</th>
                  <td data-col="opened">{formatCount(i18n, t.tickets)}</td>
                  <td data-col="unresolved">{formatCount(i18n, t.unresolved)}</td>
                  <td data-col="breached" className={t.breached ? 'warn' : ''}>{formatCount(i18n, t.breached)} <span className="muted small">({formatPercent(i18n, t.breachRate)})</span></td>
                  <td data-col="claim">{duration(t.timeToClaim.medianMs)}</td>
                  <td data-col="resolve">{duration(t.timeToResolve.medianMs)}</td>
                  <td data-col="recovery">{formatPercent(i18n, t.recovery.rate)} <span className="muted small">{i18n.t('console.reports.ofRescored', { rescored: formatCount(i18n, t.recovery.rescored) })}</span></td>
                </tr>
              ))}
            </tbody>
          </table>
          {!data.summary.teams.length && <p className="muted">{i18n.t('console.reports.noTickets')}</p>}

          <div className="columns">
            <div className="chart-box">
              <h2>{i18n.t('console.reports.claimHeading')}</h2>
              <BarChart title={i18n.t('console.reports.claimChart')} bars={data.series.timeToClaim.map((b) => ({ label: formatRange(i18n, b.fromMs, b.toMs), value: b.tickets }))} />
            </div>
            <div className="chart-box">
              <h2>{i18n.t('console.reports.rootCauses')}</h2>
              <BarChart title={i18n.t('console.reports.rootCausesChart')} bars={Object.entries(data.summary.rootCauses).map(([label, value]) => ({ label, value }))} />
            </div>
          </div>

          <h2>{i18n.t('console.reports.nps')}</h2>
          <NpsTable rows={data.series.npsByWeek} />

          <div className="columns">
            <div className="chart-box"><h2>{i18n.t('console.reports.bySeverity')}</h2><BarChart title={i18n.t('console.reports.bySeverity')} bars={Object.entries(data.summary.tickets.bySeverity).map(([severity, value]) => ({ label: i18n.t('console.severity', { severity }), value }))} /></div>
            <div className="chart-box"><h2>{i18n.t('console.reports.byTouchpoint')}</h2><BarChart title={i18n.t('console.reports.byTouchpoint')} bars={Object.entries(data.summary.tickets.byTouchpoint).map(([label, value]) => ({ label, value }))} /></div>
          </div>
        </>
      )}
    </section>
  );
}
