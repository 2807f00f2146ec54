/** Plain SVG charts: enough for counts and percentiles, no chart library. Texts and numbers in the agent's language. */
import { useI18n, when } from './i18n';

export interface Bar {
  label: string;
  value: number;
  color?: string;
}

const PALETTE = ['#2563eb', '#16a34a', '#f59e0b', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d'];

export function BarChart({ bars, unit = '', width = 420, title }: { bars: Bar[]; unit?: string; width?: number; title: string }) {
  const i18n = useI18n();
  const rowH = 24;
  const labelW = 140;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const h = Math.max(rowH, bars.length * rowH) + 4;
  if (!bars.length) return <p className="muted">{i18n.t('console.noData')}</p>;
  return (
    <svg className="chart" width={width} height={h} role="img" aria-label={title}>
      {bars.map((b, i) => {
        const w = ((width - labelW - 70) * b.value) / max;
        return (
          <g key={b.label} transform={`translate(0, ${i * rowH + 2})`}>
            <text x={labelW - 6} y={15} textAnchor="end" className="chart-label">{b.label}</text>
            <rect x={labelW} y={3} width={Math.max(1, w)} height={rowH - 8} rx={3} fill={b.color ?? PALETTE[i % PALETTE.length]} />
            <text x={labelW + w + 6} y={15} className="chart-value">{i18n.number(b.value, { maximumFractionDigits: 1 })}{unit}</text>
          </g>
        );
      })}
    </svg>
  );
}

/** A small line of the last samples (messages per second, lag); `label` names it for screen readers and as a tooltip. */
export function Sparkline({ values, width = 120, height = 28, label }: { values: number[]; width?: number; height?: number; label?: string }) {
  if (values.length < 2) return <svg width={width} height={height} role={label ? 'img' : undefined} aria-label={label} />;
  const max = Math.max(1, ...values);
  const pts = values.map((v, i) => `${(i / (values.length - 1)) * width},${height - 2 - (v / max) * (height - 4)}`).join(' ');
  return (
    <svg width={width} height={height} className="spark" role={label ? 'img' : undefined} aria-label={label}>
      {label && <title>{label}</title>}
      <polyline points={pts} fill="none" stroke="#2563eb" strokeWidth={1.5} />
    </svg>
  );
}

/** Colours of the delivery outcomes (the Sources page). */
export const OUTCOME_COLORS: Record<string, string> = {
  accepted: '#16a34a', duplicate: '#65a30d', ignored: '#9ca3af', rejected: '#dc2626', unmappable: '#f59e0b', unavailable: '#7c3aed',
};

/** One stacked column per hour (oldest left), a segment per series: counts over time. */
export function HourlyColumns<S extends string>({ buckets, series, name, height = 140 }: { buckets: ({ hour: string } & Record<S, number>)[]; series: readonly S[]; name: (s: S) => string; height?: number }) {
  const i18n = useI18n();
  if (!buckets.length) return <p className="muted">{i18n.t('console.noData')}</p>;
  const colW = Math.max(4, Math.min(24, Math.floor(840 / buckets.length)));
  const width = colW * buckets.length + 40;
  const total = (b: (typeof buckets)[number]) => series.reduce((n, s) => n + b[s], 0);
  const max = Math.max(1, ...buckets.map(total));
  const plotH = height - 20;
  return (
    <figure className="hourly" data-testid="hourly-chart">
      <svg className="chart" width={width} height={height} role="img" aria-label={i18n.t('console.sources.hourlyChart')}>
        <text x={0} y={10} className="chart-label">{max}</text>
        {buckets.map((b, i) => {
          let y = plotH;
          return (
            <g key={b.hour} transform={`translate(${30 + i * colW}, 0)`}>
              <title>{`${when(i18n, b.hour)}: ${series.map((s) => `${name(s)} ${i18n.number(b[s])}`).join(', ')}`}</title>
              {series.map((s) => {
                const h = (b[s] / max) * (plotH - 12);
                y -= h;
                return h > 0 ? <rect key={s} x={1} y={y} width={colW - 2} height={h} fill={OUTCOME_COLORS[s] ?? '#2563eb'} /> : null;
              })}
            </g>
          );
        })}
        <line x1={30} x2={width} y1={plotH} y2={plotH} stroke="#d1d5db" />
        <text x={30} y={height - 4} className="chart-label">{when(i18n, buckets[0].hour)}</text>
        <text x={width} y={height - 4} textAnchor="end" className="chart-label">{i18n.t('console.sources.now')}</text>
      </svg>
      <figcaption className="legend">
        {series.map((s) => <span key={s}><i style={{ background: OUTCOME_COLORS[s] }} /> {name(s)}</span>)}
      </figcaption>
    </figure>
  );
}

/**
 * One pair of columns per day (first series left), with the day's numbers in each column's tooltip; the caller shows
 * the same numbers as text as well. `label` formats a day for the axis.
 */
export function DailyColumns({ days, series, title, label, height = 160 }: {
  days: ({ day: string } & Record<string, number | string>)[];
  series: readonly { key: string; name: string; color: string }[];
  title: string;
  label: (day: string) => string;
  height?: number;
}) {
  const i18n = useI18n();
  if (!days.length) return <p className="muted">{i18n.t('console.noData')}</p>;
  const groupW = Math.max(6, Math.min(36, Math.floor(840 / days.length)));
  const barW = Math.max(2, Math.floor((groupW - 2) / series.length));
  const width = groupW * days.length + 40;
  const value = (d: (typeof days)[number], k: string) => Number(d[k] ?? 0);
  const max = Math.max(1, ...days.flatMap((d) => series.map((s) => value(d, s.key))));
  const plotH = height - 20;
  return (
    <figure className="daily">
      <svg className="chart" width={width} height={height} role="img" aria-label={title}>
        <title>{title}</title>
        <text x={0} y={10} className="chart-label">{max}</text>
        {days.map((d, i) => (
          <g key={d.day} transform={`translate(${30 + i * groupW}, 0)`}>
            <title>{`${label(d.day)}: ${series.map((s) => `${s.name} ${i18n.number(value(d, s.key))}`).join(', ')}`}</title>
            {series.map((s, j) => {
              const h = (value(d, s.key) / max) * (plotH - 12);
              return <rect key={s.key} x={1 + j * barW} y={plotH - h} width={barW - 1} height={Math.max(0, h)} fill={s.color} />;
            })}
          </g>
        ))}
        <line x1={30} x2={width} y1={plotH} y2={plotH} stroke="#d1d5db" />
        <text x={30} y={height - 4} className="chart-label">{label(days[0].day)}</text>
        <text x={width} y={height - 4} textAnchor="end" className="chart-label">{label(days[days.length - 1].day)}</text>
      </svg>
      <figcaption className="legend">
        {series.map((s) => <span key={s.key}><i style={{ background: s.color }} /> {s.name}</span>)}
      </figcaption>
    </figure>
  );
}
