import { useRef, useState } from 'react';
import { api } from '../api';
import { usePoll } from '../hooks';
import { BarChart, Sparkline } from '../charts';
import { ErrorNote } from '../components';
import { formatCount, num, when } from '../format';
import { link } from '../router';

interface TopicStats { topic: string; partitions: number; endOffset: number; retained: number; inPerSec: number | null; out: { group: string; perSec: number | null }[] }
interface LagRow { group: string; topic: string; partition: number; committed: number | null; end: number; lag: number }
interface GroupLag { group: string; lag: number; topics: { topic: string; lag: number }[]; history: { at: string; lag: number }[] }
interface DeadLetter {
  topic: string; partition: number; offset: string; timestamp: string; key: string | null; reason: string | null; originalTopic: string | null;
  consumerGroup: string | null; attempts: number | null; failedAt: string | null; eventType: string | null; preview: string | null;
  replay: { replayedBy: string; replayedAt: string; replayedOffset: string | null } | null;
}
interface Health { service: string; url: string; status: string; httpStatus: number | null; details: Record<string, { status: string; message?: string }> | null; error: string | null }
interface Latency { endToEnd: { key: string; count: number; p50: number | null; p90: number | null; p99: number | null }[]; services: { source: string; series: string; labels: Record<string, string>; count: number; p50: number | null; p90: number | null; p99: number | null }[] }

/** Topics, consumer lag, dead letters (with replay), service health, deliveries and latency; refreshed every 2 s. */
export function Ops() {
  const [topics, setTopics] = useState<TopicStats[]>([]);
  const [lag, setLag] = useState<{ groups: GroupLag[]; partitions: LagRow[] }>({ groups: [], partitions: [] });
  const [dlq, setDlq] = useState<{ topic: string; depth: number | null; latest: DeadLetter[] }[]>([]);
  const [health, setHealth] = useState<Health[]>([]);
  const [deliveries, setDeliveries] = useState<{ byChannelAndOutcome: { channel: string; status: string; count: number }[]; recentFailures: { deliveryId: string; channel: string; recipient: string; error?: string; at: string; ticketId: string }[] }>({ byChannelAndOutcome: [], recentFailures: [] });
  const [latency, setLatency] = useState<Latency>({ endToEnd: [], services: [] });
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const history = useRef(new Map<string, number[]>());

  const refresh = async () => {
    try {
      const [t, l, d, h, del, lat] = await Promise.all([
        api<{ topics: TopicStats[] }>('/api/ops/topics'),
        api<typeof lag>('/api/ops/lag'),
        api<{ topics: typeof dlq }>('/api/ops/dlq'),
        api<{ services: Health[] }>('/api/ops/health'),
        api<typeof deliveries>('/api/ops/deliveries'),
        api<Latency>('/api/ops/latency'),
      ]);
      for (const x of t.topics) {
        const h2 = history.current.get(x.topic) ?? [];
        h2.push(x.inPerSec ?? 0);
        history.current.set(x.topic, h2.slice(-30));
      }
      setTopics(t.topics);
      setLag(l);
      setDlq(d.topics);
      setHealth(h.services);
      setDeliveries(del);
      setLatency(lat);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  usePoll(refresh, 2_000, []);

  const replay = async (d: DeadLetter) => {
    try {
      const r = await api<{ replayed: boolean; replay: { originalTopic: string; replayedBy: string; replayedAt: string } }>('/api/ops/dlq/replay', { method: 'POST', body: { topic: d.topic, partition: d.partition, offset: d.offset } });
      setNotice(r.replayed ? `Replayed ${d.topic}/${d.partition}/${d.offset} to ${r.replay.originalTopic}.` : `Already replayed by ${r.replay.replayedBy} at ${when(r.replay.replayedAt)}; not sent again.`);
      await refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const dataTopics = topics.filter((t) => !t.topic.endsWith('.dlq'));
  return (
    <section className="ops">
      <h1>Ops</h1>
      <ErrorNote error={error} />
      {notice && <p className="notice" role="status" data-testid="replay-notice">{notice}</p>}

      <h2>Services</h2>
      <div className="cards" data-testid="health">
        {health.map((s) => (
          <div key={s.service} className={`card health-${s.status}`} data-service={s.service}>
            <strong>{s.service}</strong> <span className="badge">{s.status}</span>
            <div className="small muted">{s.url}</div>
            {s.details && <div className="small">{Object.entries(s.details).map(([k, v]) => `${k}: ${v.status}`).join(' · ')}</div>}
            {s.error && <div className="small error">{s.error}</div>}
          </div>
        ))}
      </div>

      <h2>Topics</h2>
      <table className="grid" data-testid="topics">
        <thead><tr><th>Topic</th><th>Partitions</th><th>Messages</th><th>In /s</th><th></th><th>Out /s by group</th></tr></thead>
        <tbody>
          {dataTopics.map((t) => (
            <tr key={t.topic} data-topic={t.topic}>
              <td>{t.topic}</td><td>{t.partitions}</td><td>{t.endOffset}</td><td>{num(t.inPerSec)}</td>
              <td><Sparkline values={history.current.get(t.topic) ?? []} /></td>
              <td>{t.out.map((o) => <span key={o.group} className="pill">{o.group}: {num(o.perSec)}</span>)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Consumer lag</h2>
      <p className="small muted">Messages each consumer group has not processed yet, per group with its total; the line is the total over the last samples.</p>
      <div data-testid="lag">
        {!lag.groups.length && <p className="muted">No consumer group has committed anything yet.</p>}
        {lag.groups.map((g) => (
          <div key={g.group} className="card lag-group" data-testid="lag-group" data-group={g.group} data-lag={g.lag}>
            <h3>
              {g.group} <span className={`badge ${g.lag > 0 ? 'breach' : ''}`} data-testid="lag-total">{formatCount(g.lag)} behind</span>{' '}
              <Sparkline values={g.history.map((h) => h.lag)} label={`lag of ${g.group} over the last ${g.history.length} samples, now ${g.lag}`} />
            </h3>
            <table className="grid">
              <thead><tr><th>Topic</th><th>Lag</th></tr></thead>
              <tbody>
                {g.topics.map((t) => (
                  <tr key={t.topic} data-total-group={g.group} data-total-topic={t.topic} data-lag={t.lag}>
                    <td>{t.topic}</td><td className={t.lag > 0 ? 'warn' : ''}>{formatCount(t.lag)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <details>
              <summary>Partitions</summary>
              <table className="grid">
                <thead><tr><th>Topic</th><th>Partition</th><th>Committed</th><th>End</th><th>Lag</th></tr></thead>
                <tbody>
                  {lag.partitions.filter((r) => r.group === g.group).map((r) => (
                    <tr key={`${r.topic}/${r.partition}`} data-group={r.group} data-topic={r.topic} data-partition={r.partition} data-lag={r.lag}>
                      <td>{r.topic}</td><td>{r.partition}</td><td>{r.committed ?? '—'}</td><td>{r.end}</td>
                      <td className={r.lag > 0 ? 'warn' : ''}>{r.lag}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </div>
        ))}
      </div>

      <h2>Dead letters</h2>
      <p className="small muted">Messages a service could not process, with the reason it gave. What the survey tools sent (and what was kept unmappable) is on the <a href="/sources" onClick={link('/sources')}>Sources</a> page.</p>
      {dlq.map((q) => (
        <div key={q.topic} className="dlq" data-testid="dlq" data-topic={q.topic} data-depth={q.depth ?? ''}>
          <h3>{q.topic} <span className={`badge ${q.depth ? 'breach' : ''}`}>depth {q.depth ?? '—'}</span></h3>
          {q.latest.length > 0 && (
            <table className="grid">
              <thead><tr><th>Offset</th><th>Failed</th><th>Group</th><th>Reason</th><th>Event</th><th></th></tr></thead>
              <tbody>
                {q.latest.map((d) => (
                  <tr key={`${d.partition}/${d.offset}`} data-testid="dead-letter" data-offset={d.offset}>
                    <td>{d.partition}/{d.offset}</td>
                    <td className="small">{when(d.failedAt ?? d.timestamp)}</td>
                    <td>{d.consumerGroup ?? '—'}</td>
                    <td className="reason">{d.reason ?? '—'}</td>
                    <td className="small"><code title={d.preview ?? ''}>{d.eventType ?? '?'}</code></td>
                    <td>
                      {d.replay
                        ? <span className="small" data-testid="replayed">replayed by {d.replay.replayedBy} {when(d.replay.replayedAt)}</span>
                        : <button data-testid="replay" onClick={() => void replay(d)}>Replay</button>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ))}

      <div className="columns">
        <div>
          <h2>Alert deliveries</h2>
          <BarChart title="deliveries by channel and outcome" bars={deliveries.byChannelAndOutcome.map((d) => ({ label: `${d.channel} · ${d.status}`, value: d.count, color: d.status === 'failed' ? '#dc2626' : d.status === 'retrying' || d.status === 'held' ? '#f59e0b' : '#16a34a' }))} />
          {deliveries.recentFailures.length > 0 && (
            <ul className="small">{deliveries.recentFailures.map((f) => <li key={f.deliveryId}>{when(f.at)} · {f.channel} → {f.recipient}: {f.error ?? 'failed'}</li>)}</ul>
          )}
        </div>
        <div>
          <h2>Latency (ms)</h2>
          <table className="grid" data-testid="latency">
            <thead><tr><th>Stage</th><th>n</th><th>p50</th><th>p90</th><th>p99</th></tr></thead>
            <tbody>
              {latency.endToEnd.map((s) => <tr key={s.key}><td>{s.key}</td><td>{s.count}</td><td>{num(s.p50, 0)}</td><td>{num(s.p90, 0)}</td><td>{num(s.p99, 0)}</td></tr>)}
              {latency.services.map((s) => (
                <tr key={`${s.series}/${JSON.stringify(s.labels)}`}>
                  <td>{s.series === 'stage' ? s.labels.stage : `${s.labels.group || s.labels.service} handles ${s.labels.topic}`}</td>
                  <td>{s.count}</td><td>{num(s.p50)}</td><td>{num(s.p90)}</td><td>{num(s.p99)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <BarChart title="p90 by stage" unit=" ms" bars={latency.endToEnd.flatMap((s) => (s.p90 === null ? [] : [{ label: s.key.slice(0, 22), value: s.p90 }]))} />
        </div>
      </div>
    </section>
  );
}
