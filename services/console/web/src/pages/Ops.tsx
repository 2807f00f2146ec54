import { useRef, useState } from 'react';
import { api } from '../api';
import { usePoll } from '../hooks';
import { BarChart, Sparkline } from '../charts';
import { ErrorNote } from '../components';
import { formatCount } from '../format';
import { errorText, useI18n, when } from '../i18n';
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
  const i18n = useI18n();
  /** a rate or a percentile: one decimal at most (or none), "—" when not measured yet */
  const num = (v: number | null | undefined, digits = 1) => (v === null || v === undefined || Number.isNaN(v) ? i18n.t('console.none') : i18n.number(v, { maximumFractionDigits: digits }));
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
      setError(errorText(i18n, err));
    }
  };
  usePoll(refresh, 2_000, []);

  const replay = async (d: DeadLetter) => {
    try {
      const r = await api<{ replayed: boolean; replay: { originalTopic: string; replayedBy: string; replayedAt: string } }>('/api/ops/dlq/replay', { method: 'POST', body: { topic: d.topic, partition: d.partition, offset: d.offset } });
      setNotice(r.replayed
        ? i18n.t('console.ops.replayed', { message: `${d.topic}/${d.partition}/${d.offset}`, topic: r.replay.originalTopic })
        : i18n.t('console.ops.alreadyReplayed', { name: r.replay.replayedBy, at: when(i18n, r.replay.replayedAt) }));
      await refresh();
    } catch (err) {
      setError(errorText(i18n, err));
    }
  };

  const dataTopics = topics.filter((t) => !t.topic.endsWith('.dlq'));
  return (
    <section className="ops">
      <h1>{i18n.t('console.nav.ops')}</h1>
      <ErrorNote error={error} />
      {notice && <p className="notice" role="status" data-testid="replay-notice">{notice}</p>}

      <h2>{i18n.t('console.ops.services')}</h2>
      <div className="cards" data-testid="health">
        {health.map((s) => (
          <div key={s.service} className={`card health-${s.status}`} data-service={s.service}>
            <strong>{s.service}</strong> <span className="badge">{i18n.t('console.ops.health', { status: s.status })}</span>
            <div className="small muted">{s.url}</div>
            {s.details && <div className="small">{Object.entries(s.details).map(([k, v]) => `${k}: ${i18n.t('console.ops.health', { status: v.status })}`).join(' · ')}</div>}
            {s.error && <div className="small error">{s.error}</div>}
          </div>
        ))}
      </div>

      <h2>{i18n.t('console.ops.topics')}</h2>
      <table className="grid" data-testid="topics">
        <thead><tr><th>{i18n.t('console.ops.topic')}</th><th>{i18n.t('console.ops.partitions')}</th><th>{i18n.t('console.ops.messages')}</th><th>{i18n.t('console.ops.inPerSec')}</th><th></th><th>{i18n.t('console.ops.outPerSec')}</th></tr></thead>
        <tbody>
          {dataTopics.map((t) => (
            <tr key={t.topic} data-topic={t.topic}>
              <td>{t.topic}</td><td>{formatCount(i18n, t.partitions)}</td><td>{formatCount(i18n, t.endOffset)}</td><td>{num(t.inPerSec)}</td>
              <td><Sparkline values={history.current.get(t.topic) ?? []} label={i18n.t('console.ops.rateLine')} /></td>
              <td>{t.out.map((o) => <span key={o.group} className="pill">{o.group}: {num(o.perSec)}</span>)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>{i18n.t('console.ops.lag')}</h2>
      <p className="small muted">{i18n.t('console.ops.lagIntro')}</p>
      <div data-testid="lag">
        {!lag.groups.length && <p className="muted">{i18n.t('console.ops.noLag')}</p>}
        {lag.groups.map((g) => (
          <div key={g.group} className="card lag-group" data-testid="lag-group" data-group={g.group} data-lag={g.lag}>
            <h3>
              {g.group} <span className={`badge ${g.lag > 0 ? 'breach' : ''}`} data-testid="lag-total">{i18n.t('console.ops.behind', { lag: formatCount(i18n, g.lag) })}</span>{' '}
              <Sparkline values={g.history.map((h) => h.lag)} label={i18n.t('console.ops.lagLine', { group: g.group, samples: formatCount(i18n, g.history.length), lag: formatCount(i18n, g.lag) })} />
            </h3>
            <table className="grid">
              <thead><tr><th>{i18n.t('console.ops.topic')}</th><th>{i18n.t('console.ops.lagColumn')}</th></tr></thead>
              <tbody>
                {g.topics.map((t) => (
                  <tr key={t.topic} data-total-group={g.group} data-total-topic={t.topic} data-lag={t.lag}>
                    <td>{t.topic}</td><td className={t.lag > 0 ? 'warn' : ''}>{formatCount(i18n, t.lag)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <details>
              <summary>{i18n.t('console.ops.partitions')}</summary>
              <table className="grid">
                <thead><tr><th>{i18n.t('console.ops.topic')}</th><th>{i18n.t('console.ops.partition')}</th><th>{i18n.t('console.ops.committed')}</th><th>{i18n.t('console.ops.end')}</th><th>{i18n.t('console.ops.lagColumn')}</th></tr></thead>
                <tbody>
                  {lag.partitions.filter((r) => r.group === g.group).map((r) => (
                    <tr key={`${r.topic}/${r.partition}`} data-group={r.group} data-topic={r.topic} data-partition={r.partition} data-lag={r.lag}>
                      <td>{r.topic}</td><td>{r.partition}</td><td>{r.committed === null ? i18n.t('console.none') : formatCount(i18n, r.committed)}</td><td>{formatCount(i18n, r.end)}</td>
                      <td className={r.lag > 0 ? 'warn' : ''}>{formatCount(i18n, r.lag)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </div>
        ))}
      </div>

      <h2>{i18n.t('console.ops.deadLetters')}</h2>
      <p className="small muted">{i18n.t('console.ops.deadLettersIntro')} <a href="/sources" onClick={link('/sources')}>{i18n.t('console.nav.sources')}</a></p>
      {dlq.map((q) => (
        <div key={q.topic} className="dlq" data-testid="dlq" data-topic={q.topic} data-depth={q.depth ?? ''}>
          <h3>{q.topic} <span className={`badge ${q.depth ? 'breach' : ''}`}>{i18n.t('console.ops.depth', { depth: q.depth === null ? i18n.t('console.none') : formatCount(i18n, q.depth) })}</span></h3>
          {q.latest.length > 0 && (
            <table className="grid">
              <thead><tr><th>{i18n.t('console.ops.offset')}</th><th>{i18n.t('console.ops.failed')}</th><th>{i18n.t('console.ops.group')}</th><th>{i18n.t('console.ops.reason')}</th><th>{i18n.t('console.ops.event')}</th><th></th></tr></thead>
              <tbody>
                {q.latest.map((d) => (
                  <tr key={`${d.partition}/${d.offset}`} data-testid="dead-letter" data-offset={d.offset}>
                    <td>{d.partition}/{d.offset}</td>
                    <td className="small">{when(i18n, d.failedAt ?? d.timestamp)}</td>
                    <td>{d.consumerGroup ?? i18n.t('console.none')}</td>
                    <td className="reason" dir="ltr">{d.reason ?? i18n.t('console.none')}</td>
                    <td className="small"><code title={d.preview ?? ''}>{d.eventType ?? '?'}</code></td>
                    <td>
                      {d.replay
                        ? <span className="small" data-testid="replayed">{i18n.t('console.ops.replayedBy', { name: d.replay.replayedBy, at: when(i18n, d.replay.replayedAt) })}</span>
                        : <button data-testid="replay" onClick={() => void replay(d)}>{i18n.t('console.ops.replay')}</button>}
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
          <h2>{i18n.t('console.ops.deliveries')}</h2>
          <BarChart title={i18n.t('console.ops.deliveriesChart')} bars={deliveries.byChannelAndOutcome.map((d) => ({ label: `${d.channel} · ${i18n.t('console.ops.deliveryStatus', { status: d.status })}`, value: d.count, color: d.status === 'failed' ? '#dc2626' : d.status === 'retrying' || d.status === 'held' ? '#f59e0b' : '#16a34a' }))} />
          {deliveries.recentFailures.length > 0 && (
            <ul className="small">{deliveries.recentFailures.map((f) => <li key={f.deliveryId}>{when(i18n, f.at)} · {f.channel} → <bdi>{f.recipient}</bdi>: <span dir="auto">{f.error ?? i18n.t('console.ops.failedDelivery')}</span></li>)}</ul>
          )}
        </div>
        <div>
          <h2>{i18n.t('console.ops.latency')}</h2>
          <table className="grid" data-testid="latency">
            <thead><tr><th>{i18n.t('console.ops.stage')}</th><th>{i18n.t('console.ops.count')}</th><th>p50</th><th>p90</th><th>p99</th></tr></thead>
            <tbody>
              {latency.endToEnd.map((s) => <tr key={s.key}><td dir="ltr">{s.key}</td><td>{formatCount(i18n, s.count)}</td><td>{num(s.p50, 0)}</td><td>{num(s.p90, 0)}</td><td>{num(s.p99, 0)}</td></tr>)}
              {latency.services.map((s) => (
                <tr key={`${s.series}/${JSON.stringify(s.labels)}`}>
                  <td>{s.series === 'stage' ? s.labels.stage : i18n.t('console.ops.handles', { group: s.labels.group || s.labels.service, topic: s.labels.topic })}</td>
                  <td>{formatCount(i18n, s.count)}</td><td>{num(s.p50)}</td><td>{num(s.p90)}</td><td>{num(s.p99)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <BarChart title={i18n.t('console.ops.p90Chart')} unit=" ms" bars={latency.endToEnd.flatMap((s) => (s.p90 === null ? [] : [{ label: s.key.slice(0, 22), value: s.p90 }]))} />
        </div>
      </div>
    </section>
  );
}
