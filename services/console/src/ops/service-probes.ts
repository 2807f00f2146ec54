import { Inject, Injectable } from '@nestjs/common';
import { sharedResult } from '@closeloop/platform';
import type { ConsoleConfig } from '../config';
import { CONSOLE_CONFIG } from '../tokens';
import { HistogramSeries, histogramQuantile, histograms, parsePrometheusText } from './prometheus';

export interface ServiceHealth {
  service: string;
  url: string;
  status: 'up' | 'down' | 'unreachable';
  httpStatus: number | null;
  /** per-dependency status from /health/ready (terminus `details`), or the error */
  details: Record<string, { status: string; message?: string }> | null;
  error: string | null;
  checkedAt: string;
}

export type LatencyRow = { source: string; series: string; labels: Record<string, string>; count: number; p50: number | null; p90: number | null; p99: number | null };

/** How long one round of probes answers for (the ops page polls every 2 s). */
export const PROBE_TTL_MS = 5_000;

async function fetchWithTimeout(url: string, ms: number): Promise<Response> {
  return fetch(url, { signal: AbortSignal.timeout(ms), headers: { accept: 'application/json, text/plain' } });
}

/** Asks every service of the stack (SERVICE_URLS) how it is: readiness and Prometheus metrics. */
@Injectable()
export class ServiceProbes {
  constructor(@Inject(CONSOLE_CONFIG) private readonly cfg: ConsoleConfig) {}

  /**
   * Every service's readiness, asked at most once per PROBE_TTL_MS whatever the number of open dashboards (each
   * readiness check reaches Kafka and the database of that service): callers within that time share one fan-out.
   */
  readonly health = sharedResult(PROBE_TTL_MS, () => this.probeHealth());
  readonly latency = sharedResult(PROBE_TTL_MS, () => this.scrapeLatency());

  private async probeHealth(): Promise<ServiceHealth[]> {
    return Promise.all(
      Object.entries(this.cfg.serviceUrls).map(async ([service, url]): Promise<ServiceHealth> => {
        const checkedAt = new Date().toISOString();
        try {
          const res = await fetchWithTimeout(`${url}/health/ready`, 3_500);
          const body = (await res.json().catch(() => null)) as { details?: ServiceHealth['details'] } | null;
          return { service, url, status: res.ok ? 'up' : 'down', httpStatus: res.status, details: body?.details ?? null, error: null, checkedAt };
        } catch (err) {
          return { service, url, status: 'unreachable', httpStatus: null, details: null, error: (err as Error).message, checkedAt };
        }
      }),
    );
  }

  /**
   * Latency percentiles from the services' own histograms (since each process started):
   * `closeloop_stage_latency_seconds{stage}` where a service exposes it, and the handle time of every consumer
   * (`closeloop_message_handle_seconds{topic,group}`, from the messaging library).
   */
  private async scrapeLatency(): Promise<LatencyRow[]> {
    const scraped = await Promise.all(
      Object.entries(this.cfg.serviceUrls).map(async ([service, url]) => {
        try {
          const res = await fetchWithTimeout(`${url}/metrics`, 3_500);
          return res.ok ? { service, samples: parsePrometheusText(await res.text()) } : null;
        } catch {
          return null;
        }
      }),
    );
    const out: LatencyRow[] = [];
    const seen = new Set<string>();
    const add = (source: string, series: string, h: HistogramSeries) => {
      // several services in one process (tests, a single-node demo) share one registry: count each series once
      const k = `${series}|${JSON.stringify(h.labels)}`;
      if (!h.count || seen.has(k)) return;
      seen.add(k);
      const q = (x: number) => {
        const v = histogramQuantile(x, h.buckets);
        return v === null ? null : Math.round(v * 1000 * 10) / 10;
      };
      out.push({ source, series, labels: h.labels, count: h.count, p50: q(0.5), p90: q(0.9), p99: q(0.99) });
    };
    for (const s of scraped) {
      if (!s) continue;
      for (const h of histograms(s.samples, 'closeloop_stage_latency_seconds', ['service', 'stage'])) add(s.service, 'stage', h);
      for (const h of histograms(s.samples, 'closeloop_message_handle_seconds', ['service', 'group', 'topic'])) add(s.service, 'handle', h);
    }
    return out;
  }
}
