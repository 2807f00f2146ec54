import { useState } from 'react';
import { ApiError, api } from '../api';
import { HourlyColumns } from '../charts';
import { ErrorNote } from '../components';
import { usePoll } from '../hooks';
import { when } from '../format';

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
      setError((err as Error).message);
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
        ? { status: 202, text: r.duplicate ? `already accepted as ${r.feedbackId}` : `accepted as feedback ${r.feedbackId}` }
        : { status: 200, text: `ignored: ${r.ignored ?? ''}` };
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
      <h1>Sources</h1>
      <ErrorNote error={error} />
      <table className="grid" data-testid="sources-table">
        <thead>
          <tr>
            <th>Source</th><th>Kind</th><th>Webhook</th><th>Received (24 h)</th>
            {OUTCOMES.map((o) => <th key={o}>{o}</th>)}
            <th>Kept</th>
          </tr>
        </thead>
        <tbody>
          {sources.map((s) => (
            <tr key={s.id} data-testid={`source-${s.id}`} className={s.id === current ? 'selected' : ''}>
              <td><button className="link" onClick={() => setSelected(s.id)}>{s.id}</button></td>
              <td>{s.kind}</td>
              <td className="small mono">{s.webhook}</td>
              <td data-testid={`count-${s.id}-received`}>{s.last24h.received}</td>
              {OUTCOMES.map((o) => <td key={o} data-testid={`count-${s.id}-${o}`} className={o === 'unmappable' && s.last24h[o] ? 'warn' : ''}>{s.last24h[o]}</td>)}
              <td data-testid={`kept-${s.id}`} title={`${s.kept.waiting} waiting for a replay, ${s.kept.dropped} dropped by the bounds`}>
                {s.kept.kept}{s.kept.dropped ? <span className="muted small"> ({s.kept.dropped} dropped)</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!sources.length && !error && <p className="muted">No sources in the routing file.</p>}

      {source && (
        <div data-testid="source-detail">
          <h2>{source.id} <span className="badge">{source.kind}</span> <span className="muted small">{source.touchpoint ?? ''} · {source.metric}</span></h2>
          <div className="filters">
            <label>Window
              <select value={hours} onChange={(e) => setHours(Number(e.target.value))}>
                {HOURS.map((h) => <option key={h} value={h}>{h} hours</option>)}
              </select>
            </label>
            {totals && (
              <span className="stats" data-testid="window-totals">
                {(['received', ...OUTCOMES] as const).map((o) => (
                  <span key={o} className="stat"><span className="stat-value" data-testid={`total-${o}`}>{totals[o]}</span><span className="stat-label"> {o}</span></span>
                ))}
              </span>
            )}
          </div>
          <div className="chart-box"><HourlyColumns buckets={buckets} series={OUTCOMES} /></div>

          <h2>Latest deliveries</h2>
          <table className="grid" data-testid="deliveries">
            <thead><tr><th>Received</th><th>Outcome</th><th>Status</th><th>Reason</th><th>Feedback</th><th>Bytes</th></tr></thead>
            <tbody>
              {deliveries.map((d, i) => (
                <tr key={`${d.receivedAt}-${i}`} data-testid="delivery">
                  <td>{when(d.receivedAt)}</td>
                  <td><span className={`badge out-${d.outcome}`}>{d.outcome}</span></td>
                  <td>{d.status}</td>
                  <td className="reason">{d.reason ?? ''}</td>
                  <td className="small mono">{d.feedbackId ?? (d.keptId ? `kept ${d.keptId.slice(0, 8)}` : '')}</td>
                  <td>{d.bytes}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {!deliveries.length && <p className="muted">No deliveries recorded.</p>}

          <h2>Kept payloads <span className="muted small">(authentic but unmappable: fix the routing file, restart ingest, then Replay)</span></h2>
          <table className="grid" data-testid="kept">
            <thead><tr><th>Received</th><th>Reason</th><th>Size</th><th>Replay</th></tr></thead>
            <tbody>
              {kept.map((k) => (
                <tr key={k.id} data-testid={`kept-${k.id}`}>
                  <td>{when(k.receivedAt)}</td>
                  <td className="reason">
                    {k.reason}
                    <ul className="errors">{k.errors.map((e, i) => <li key={i}><strong>{e.field}</strong> {e.message}</li>)}</ul>
                  </td>
                  <td>{k.size}</td>
                  <td>
                    {k.replayedAt
                      ? <span data-testid="replayed">replayed {when(k.replayedAt)}{k.feedbackId ? ` → ${k.feedbackId}` : ` (${k.replayOutcome ?? ''})`}</span>
                      : <button data-testid="replay" onClick={() => void replay(k)}>Replay</button>}
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
          {!kept.length && <p className="muted">Nothing kept.</p>}
        </div>
      )}
    </section>
  );
}
