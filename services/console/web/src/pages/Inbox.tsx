import { useCallback, useEffect, useState } from 'react';
import { ConsoleConfig, Me, Ticket, api } from '../api';
import { useLive } from '../live';
import { link } from '../router';
import { useDebounced, useNow } from '../hooks';
import { ErrorNote, SeverityBadge, SlaCell, StatusBadge } from '../components';
import { customerLabel, shownText } from '../format';
import { errorText, useI18n, when } from '../i18n';
import { inboxOrder, initialTeam } from '../inbox-team';

interface Filters {
  status: string;
  team: string;
  touchpoint: string;
  severity: string;
  assignee: string;
  /** customer id (exact, as the agent API filters) */
  customer: string;
  /** comma-separated ticket ids: a trend alert's "open all in the console" link (SPEC §12) */
  ids: string;
}

export function ticketQuery(f: Filters, cursor?: string | null): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
  q.set('limit', '50');
  if (cursor) q.set('cursor', cursor);
  return `/api/tickets?${q}`;
}

const TEAM_KEY = 'closeloop.inbox.team';
/** Agents and leads work their own team's tickets first; ops and admins read every team's (SPEC §12). */
const ownTeamFirst = (me: Me) => (me.agent.role === 'agent' || me.agent.role === 'lead' ? me.agent.team : null);

/** Follow-up tickets, newest first, filtered like the agent API allows; search narrows by customer. */
export function Inbox({ config, me }: { config: ConsoleConfig; me: Me }) {
  const i18n = useI18n();
  // a trend alert links here with ?ids=: its tickets, whatever their status and team
  const trendIds = new URLSearchParams(location.search).get('ids') ?? '';
  const [filters, setFilters] = useState<Filters>(() => ({
    status: trendIds ? '' : 'open', team: trendIds ? '' : initialTeam(sessionStorage.getItem(TEAM_KEY), ownTeamFirst(me), config.teams),
    touchpoint: '', severity: '', assignee: '', customer: '', ids: trendIds,
  }));
  const [search, setSearch] = useState('');
  const [items, setItems] = useState<Ticket[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const now = useNow();

  const load = useCallback(async () => {
    try {
      const page = await api<{ items: Ticket[]; nextCursor: string | null }>(ticketQuery(filters));
      setItems(page.items);
      setCursor(page.nextCursor);
      setError(null);
    } catch (err) {
      setError(errorText(i18n, err));
    } finally {
      setLoading(false);
    }
  }, [filters, i18n]);

  useEffect(() => {
    setLoading(true);
    void load();
  }, [load]);

  const reload = useDebounced(() => void load(), 300);
  useLive(useCallback((m) => void (m.event === 'ticket' && reload()), [reload]));

  const more = async () => {
    const page = await api<{ items: Ticket[]; nextCursor: string | null }>(ticketQuery(filters, cursor));
    setItems((xs) => [...xs, ...page.items.filter((t) => !xs.some((x) => x.id === t.id))]);
    setCursor(page.nextCursor);
  };

  // the search box filters server-side once typing pauses
  const applySearch = useDebounced(() => setFilters((f) => ({ ...f, customer: search.trim() })), 300);
  useEffect(() => applySearch(), [search, applySearch]);
  const shown = inboxOrder(items, me.agent.role);

  const set = (k: keyof Filters) => (e: React.ChangeEvent<HTMLSelectElement>) => {
    if (k === 'team') sessionStorage.setItem(TEAM_KEY, e.target.value);
    setFilters((f) => ({ ...f, [k]: e.target.value }));
  };
  const touchpoints = config.touchpoints.filter((t) => !filters.team || t.team === filters.team);

  return (
    <section>
      <h1>{i18n.t('console.nav.inbox')}</h1>
      <div className="filters" data-testid="filters">
        <label>{i18n.t('console.filter.status')}<select name="status" value={filters.status} onChange={set('status')}><option value="">{i18n.t('console.filter.any')}</option>{config.statuses.map((s) => <option key={s} value={s}>{i18n.t('console.status', { status: s })}</option>)}</select></label>
        <label>{i18n.t('console.filter.team')}<select name="team" value={filters.team} onChange={set('team')}><option value="">{i18n.t('console.filter.allTeams')}</option>{config.teams.map((t) => <option key={t.id} value={t.id}>{t.id === me.agent.team ? i18n.t('console.filter.myTeam', { team: t.id }) : t.id}</option>)}</select></label>
        <label>{i18n.t('console.filter.touchpoint')}<select name="touchpoint" value={filters.touchpoint} onChange={set('touchpoint')}><option value="">{i18n.t('console.filter.any')}</option>{touchpoints.map((t) => <option key={t.id}>{t.id}</option>)}</select></label>
        <label>{i18n.t('console.filter.severity')}<select name="severity" value={filters.severity} onChange={set('severity')}><option value="">{i18n.t('console.filter.any')}</option>{config.severities.map((s) => <option key={s} value={s}>{i18n.t('console.severity', { severity: s })}</option>)}</select></label>
        <label>{i18n.t('console.filter.assignee')}<select name="assignee" value={filters.assignee} onChange={set('assignee')}>
          <option value="">{i18n.t('console.filter.anyone')}</option>
          <option value={me.agent.id}>{i18n.t('console.filter.me')}</option>
          {config.agents.filter((a) => a.id !== me.agent.id).map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
        </select></label>
        <label className="grow">{i18n.t('console.filter.customer')}<input type="search" name="customer" placeholder={i18n.t('console.filter.customerPlaceholder')} value={search} onChange={(e) => setSearch(e.target.value)} /></label>
      </div>
      {filters.ids && (
        <p className="muted" data-testid="ids-filter">
          {i18n.t('console.inbox.trend', { count: filters.ids.split(',').length })} · <a href="/" onClick={(e) => { link('/')(e); setFilters((f) => ({ ...f, ids: '' })); }}>{i18n.t('console.inbox.showAll')}</a>
        </p>
      )}
      <ErrorNote error={error} />
      <table className="grid" data-testid="inbox">
        <thead><tr>{(['severity', 'status', 'customer', 'touchpoint', 'score', 'comment', 'assignee', 'sla', 'opened'] as const).map((c) => <th key={c}>{i18n.t(`console.col.${c}`)}</th>)}</tr></thead>
        <tbody>
          {shown.map((t) => (
            <tr key={t.id} data-testid="ticket-row" data-ticket-id={t.id}>
              <td><SeverityBadge severity={t.severity} /></td>
              <td><StatusBadge status={t.status} /></td>
              <td><a href={`/tickets/${t.id}`} onClick={link(`/tickets/${t.id}`)}>{customerLabel(i18n, t)}</a>{t.customer.name && <div className="muted small">{t.customer.id}</div>}</td>
              <td>{t.touchpoint}<div className="muted small">{t.team}</div></td>
              <td>{t.metric.toUpperCase()} {t.score}{t.feedbackCount > 1 && <span className="muted small"> ×{t.feedbackCount}</span>}</td>
              <td className="comment" dir="auto" lang={t.customer.locale ?? undefined}>{t.comment !== null ? shownText(i18n, t.comment) : <span className="muted">{i18n.t('console.none')}</span>}</td>
              <td>{t.assignee?.name ?? <span className="muted">{i18n.t('console.ticket.unassigned')}</span>}</td>
              <td><SlaCell ticket={t} now={now} /></td>
              <td className="small" data-testid="opened-at" data-at={t.openedAt}>{when(i18n, t.openedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!loading && !shown.length && <p className="muted" data-testid="inbox-empty">{i18n.t('console.inbox.empty')}</p>}
      {cursor && <button onClick={() => void more()}>{i18n.t('console.inbox.more')}</button>}
    </section>
  );
}
