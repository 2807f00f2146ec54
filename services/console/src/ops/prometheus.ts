/**
 * Just enough of the Prometheus text format to read the services' own /metrics: samples with labels,
 * and `histogram_quantile` over a histogram's cumulative buckets (linear interpolation inside a bucket,
 * as Prometheus does).
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    if (!Number.isNaN(value)) out.push({ name: m[1], labels, value });
  }
  return out;
}

export interface HistogramSeries {
  labels: Record<string, string>;
  count: number;
  sum: number;
  /** cumulative counts by upper bound, ascending, ending with +Inf */
  buckets: { le: number; count: number }[];
}

/** Groups `<name>_bucket|_count|_sum` samples into one series per label set (without `le`). */
export function histograms(samples: Sample[], name: string, groupBy: string[]): HistogramSeries[] {
  const series = new Map<string, HistogramSeries>();
  const keyOf = (labels: Record<string, string>) => groupBy.map((l) => labels[l] ?? '').join('\u0000');
  const get = (labels: Record<string, string>) => {
    const k = keyOf(labels);
    let s = series.get(k);
    if (!s) series.set(k, (s = { labels: Object.fromEntries(groupBy.map((l) => [l, labels[l] ?? ''])), count: 0, sum: 0, buckets: [] }));
    return s;
  };
  for (const s of samples) {
    if (s.name === `${name}_bucket`) {
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      const h = get(s.labels);
      const existing = h.buckets.find((b) => b.le === le);
      if (existing) existing.count += s.value;
      else h.buckets.push({ le, count: s.value });
    } else if (s.name === `${name}_count`) get(s.labels).count += s.value;
    else if (s.name === `${name}_sum`) get(s.labels).sum += s.value;
  }
  for (const h of series.values()) h.buckets.sort((a, b) => a.le - b.le);
  return [...series.values()];
}

/** Prometheus' histogram_quantile: q in 0..1; null when the histogram is empty. */
export function histogramQuantile(q: number, buckets: { le: number; count: number }[]): number | null {
  if (!buckets.length) return null;
  const total = buckets[buckets.length - 1].count;
  if (!(total > 0)) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      // the +Inf bucket has no upper bound: answer the highest finite bound, like Prometheus
      if (b.le === Infinity) return prevLe;
      const inBucket = b.count - prevCount;
      return inBucket > 0 ? prevLe + ((b.le - prevLe) * (rank - prevCount)) / inBucket : b.le;
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}
