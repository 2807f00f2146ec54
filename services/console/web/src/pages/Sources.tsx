import { useState } from 'react';
import { ApiError, api } from '../api';
import { HourlyColumns } from '../charts';
import { ErrorNote } from '../components';
import { usePoll } from '../hooks';
import { formatCount } from '../format';
import { errorText, useI18n, when } from '../i18n';

/** SPEC §10 "what ops see": the outcomes ingest records, in the order the page shows them. */
const OUTCOMES = ['accepted', 'duplicate', 'ignored', 'rejected', 'unmappable', 'unavailable'] as const;
type Outcome = (typeof OUTCOMES)[number];
type Counts = Record<Outcome, number> & { received: number };

interface SourceSummary {
  id: string; kind: string; touchpoint: string | null; metric: string; webhook: string;
  last24h: Counts; kept: { kept: number; waiting: number; dropped: number };
}
interface Bucket extends Counts { hour: string }
interface Delivery { receivedAt: string; outcome: Outcome; status: number; reason: string | null; feedbackId: string | null; keptId: string | null; bytes: number }
interface Kept {
  id: string; kind: string; receivedAt: string; contentType: string; reason: string; errors: { field: string; message: string }[];
  size: number; replayedAt: string | null; replayOutcome: string | null; feedbackId: string | null;
}
interface ReplayAnswer { status: number; text: string }

const HOURS = [24, 72, 168];

/** Per source: counts over time, the latest deliveries with their outcome, the kept payloads with Replay. Every 5 s. */
export function Sources() {
  const i18n = useI18n();
  const outcome = (o: string) => i18n.t('console.sources.outcome', { outcome: o });
  const [sources, setSources] = useState<SourceSummary[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [hours, setHours] = useState(24);
  const [buckets, setBuckets] = useState<Bucket[]>([]);
  const [totals, setTotals] = useState<Counts | null>(null);
  const [deliveries, setDeliveries] = useState<Delivery[]>([]);
  const [kept, setKept] = useState<Kept[]>([]);
  const [answers, setAnswers] = useState<Record<string, ReplayAnswer>>({});
  const [error, setError] = useState<string | null>(null);

  const current = selected ?? sources[0]?.id ?? null;

  const refresh = async () => {
    try {
      const list = await api<{ sources: SourceSummary[] }>('/api/sources');
      setSources(list.sources);
      const id = selected ?? list.sources[0]?.id;
      if (id) {
        const path = `/api/sources/${encodeURIComponent(id)}`;
        const [stats, latest, k] = await Promise.all([
          api<{ buckets: Bucket[]; totals: Counts }>(`${path}/stats?hours=${hours}`),
          api<{ deliveries: Delivery[] }>(`${path}/deliveries?limit=50`),
          api<{ kept: Kept[] }>(`${path}/kept`),
        ]);
        setBuckets(stats.buckets);
        setTotals(stats.totals);
        setDeliveries(latest.deliveries);
        setKept(k.kept);
      }
      setError(null);
    } catch (err) {
      setError(errorText(i18n, err));
    }
  };
  usePoll(refresh, 5_000, [selected, hours]);

  const replay = async (k: Kept) => {
    if (!current) return;
    let answer: ReplayAnswer;
    try {
      const r = await api<{ feedbackId?: string; duplicate?: boolean; ignored?: string }>(
        `/api/sources/${encodeURIComponent(current)}/kept/${encodeURIComponent(k.id)}/replay`, { method: 'POST' },
      );
      answer = r.feedbackId
        ? { status: 202, text: i18n.t(r.duplicate ? 'console.sources.acceptedAgain' : 'console.sources.accepted', { feedbackId: r.feedbackId }) }
        : { status: 200, text: i18n.t('console.sources.ignored', { reason: r.ignored ?? '' }) };
    } catch (err) {
      const e = err as ApiError;
      const fields = e.problem?.errors?.map((x) => `${x.field} ${x.message}`).join('; ');
      answer = { status: e.status ?? 0, text: fields ? `${e.message} (${fields})` : e.message };
    }
    setAnswers((a) => ({ ...a, [k.id]: answer }));
    await refresh();
  };

  const source = sources.find((s) => s.id === current);
  return (
    <section className="sources" data-testid="sources">
      <h1>{i18n.t('console.nav.sources')}</h1>
      <ErrorNote error={error} />
      <table className="grid" data-testid="sources-table">
        <thead>
          <tr>
            <th>{i18n.t('console.sources.source')}</th><th>{i18n.t('console.sources.kind')}</th><th>{i18n.t('console.sources.webhook')}</th><th>{i18n.t('console.sources.received24h')}</th>
            {OUTCOMES.map((o) => <th key={o}>{outcome(o)}</th>)}
            <th>{i18n.t('console.sources.kept')}</th>
          </tr>
        </thead>
        <tbody>
          {sources.map((s) => (
            <tr key={s.id} data-testid={`source-${s.id}`} className={s.id === current ? 'selected' : ''}>
              <td><button className="link" onClick={() => setSelected(s.id)}>{s.id}</button></td>
              <td>{s.kind}</td>
              <td className="small mono" dir="ltr">{s.webhook}</td>
              <td data-testid={`count-${s.id}-received`}>{s.last24h.received}</td>
              {OUTCOMES.map((o) => <td key={o} data-testid={`count-${s.id}-${o}`} className={o === 'unmappable' && s.last24h[o] ? 'warn' : ''}>{s.last24h[o]}</td>)}
              <td data-testid={`kept-${s.id}`} title={i18n.t('console.sources.keptTitle', { waiting: formatCount(i18n, s.kept.waiting), dropped: formatCount(i18n, s.kept.dropped) })}>
                {s.kept.kept}{s.kept.dropped ? <span className="muted small"> {i18n.t('console.sources.dropped', { dropped: formatCount(i18n, s.kept.dropped) })}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!sources.length && !error && <p className="muted">{i18n.t('console.sources.none')}</p>}

      {source && (
        <div data-testid="source-detail">
          <h2>{source.id} <span className="badge">{source.kind}</span> <span className="muted small">{source.touchpoint ?? ''} · {source.metric}</span></h2>
          <div className="filters">
            <label>{i18n.t('console.sources.window')}
              <select value={hours} onChange={(e) => setHours(Number(e.target.value))}>
                {HOURS.map((h) => <option key={h} value={h}>{i18n.t('console.sources.hours', { hours: formatCount(i18n, h) })}</option>)}
              </select>
            </label>
            {totals && (
              <span className="stats" data-testid="window-totals">
                {(['received', ...OUTCOMES] as const).map((o) => (
                  <span key={o} className="stat"><span className="stat-value" data-testid={`total-${o}`}>{totals[o]}</span><span className="stat-label"> {outcome(o)}</span></span>
                ))}
              </span>
            )}
          </div>
          <div className="chart-box"><HourlyColumns buckets={buckets} series={OUTCOMES} name={outcome} /></div>

          <h2>{i18n.t('console.sources.latest')}</h2>
          <table className="grid" data-testid="deliveries">
            <thead><tr>{(['received', 'outcomeColumn', 'status', 'reason', 'feedback', 'bytes'] as const).map((c) => <th key={c}>{i18n.t(`console.sources.${c}`)}</th>)}</tr></thead>
            <tbody>
              {deliveries.map((d, i) => (
                <tr key={`${d.receivedAt}-${i}`} data-testid="delivery">
                  <td>{when(i18n, d.receivedAt)}</td>
                  <td><span className={`badge out-${d.outcome}`}>{outcome(d.outcome)}</span></td>
                  <td>{d.status}</td>
                  <td className="reason" dir="ltr">{d.reason ?? ''}</td>
                  <td className="small mono">{d.feedbackId ?? (d.keptId ? i18n.t('console.sources.keptRef', { id: d.keptId.slice(0, 8) }) : '')}</td>
                  <td>{formatCount(i18n, d.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {!deliveries.length && <p className="muted">{i18n.t('console.sources.noDeliveries')}</p>}

          <h2>{i18n.t('console.sources.keptHeading')} <span className="muted small">{i18n.t('console.sources.keptIntro')}</span></h2>
          <table className="grid" data-testid="kept">
            <thead><tr><th>{i18n.t('console.sources.received')}</th><th>{i18n.t('console.sources.reason')}</th><th>{i18n.t('console.sources.size')}</th><th>{i18n.t('console.sources.replay')}</th></tr></thead>
            <tbody>
              {kept.map((k) => (
                <tr key={k.id} data-testid={`kept-${k.id}`}>
                  <td>{when(i18n, k.receivedAt)}</td>
                  <td className="reason" dir="ltr">
                    {k.reason}
                    <ul className="errors">{k.errors.map((e, i) => <li key={i}><strong>{e.field}</strong> {e.message}</li>)}</ul>
                  </td>
                  <td>{formatCount(i18n, k.size)}</td>
                  <td>
                    {k.replayedAt
                      ? <span data-testid="replayed">{k.feedbackId
                        ? i18n.t('console.sources.replayedTo', { at: when(i18n, k.replayedAt), feedbackId: k.feedbackId })
                        : i18n.t('console.sources.replayedOutcome', { at: when(i18n, k.replayedAt), outcome: k.replayOutcome ?? '' })}</span>
                      : <button data-testid="replay" onClick={() => void replay(k)}>{i18n.t('console.sources.replay')}</button>}
                    {answers[k.id] && (
                      <p className={answers[k.id].status >= 400 ? 'error' : 'notice'} role="status" data-testid="replay-answer">
                        {answers[k.id].status} {answers[k.id].text}
                      </p>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {!kept.length && <p className="muted">{i18n.t('console.sources.nothingKept')}</p>}
        </div>
      )}
    </section>
  );
}
