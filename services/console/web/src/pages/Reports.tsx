import { FormEvent, useEffect, useState } from 'react';
import { api } from '../api';
import { BarChart, Ring } from '../charts';
import { ErrorNote } from '../components';
import { duration, num } from '../format';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isCounts = (v: Json): v is Record<string, number> =>
  !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0 && Object.values(v).every((x) => typeof x === 'number');
const isRate = (k: string) => /rate$/i.test(k);
const isDurationMs = (k: string) => /(ms|millis)$/i.test(k);
const isDurationS = (k: string) => /seconds?$/i.test(k);
const title = (k: string) => k.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());

function Value({ k, v }: { k: string; v: Json }) {
  if (typeof v === 'number') {
    if (isRate(k)) return <Ring ratio={v} label={title(k)} />;
    return <div className="stat"><div className="stat-value">{isDurationMs(k) ? duration(v) : isDurationS(k) ? duration(v * 1000) : num(v, 2)}</div><div className="stat-label">{title(k)}</div></div>;
  }
  if (v === null) return <div className="stat"><div className="stat-value">—</div><div className="stat-label">{title(k)}</div></div>;
  if (isCounts(v)) return <div className="chart-box"><h3>{title(k)}</h3><BarChart title={k} bars={Object.entries(v).map(([label, value]) => ({ label, value }))} /></div>;
  if (Array.isArray(v)) {
    // [{ key/name/rootCause…, count }] → bars
    const bars = v.flatMap((x) => {
      if (!x || typeof x !== 'object' || Array.isArray(x)) return [];
      const label = Object.values(x).find((y) => typeof y === 'string');
      const value = Object.values(x).find((y) => typeof y === 'number');
      return typeof label === 'string' && typeof value === 'number' ? [{ label, value }] : [];
    });
    return <div className="chart-box"><h3>{title(k)}</h3><BarChart title={k} bars={bars} /></div>;
  }
  if (typeof v === 'object') {
    return <div className="group"><h3>{title(k)}</h3><div className="stats">{Object.entries(v).map(([k2, v2]) => <Value key={k2} k={k2} v={v2} />)}</div></div>;
  }
  return <div className="stat"><div className="stat-value">{String(v)}</div><div className="stat-label">{title(k)}</div></div>;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** GET /api/reports/summary (tickets' report) as stat cards, rings for rates and bar charts for breakdowns. */
export function Reports() {
  const [from, setFrom] = useState(isoDay(new Date(Date.now() - 30 * 86400_000)));
  const [to, setTo] = useState(isoDay(new Date(Date.now() + 86400_000)));
  const [summary, setSummary] = useState<Record<string, Json> | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    try {
      const q = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
      setSummary(await api<Record<string, Json>>(`/api/reports/summary?${q}`));
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => void load(), []); // once, on mount: later loads are the form's

  return (
    <section className="reports" data-testid="reports">
      <h1>Reports</h1>
      <form className="filters" onSubmit={(e: FormEvent) => { e.preventDefault(); void load(); }}>
        <label>From<input type="date" value={from} onChange={(e) => setFrom(e.target.value)} /></label>
        <label>To<input type="date" value={to} onChange={(e) => setTo(e.target.value)} /></label>
        <button type="submit">Show</button>
      </form>
      <ErrorNote error={error} />
      {summary && (
        <div className="stats">
          {Object.entries(summary).filter(([k]) => k !== 'from' && k !== 'to').map(([k, v]) => <Value key={k} k={k} v={v} />)}
        </div>
      )}
    </section>
  );
}
