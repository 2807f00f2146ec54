import { Histogram, register } from 'prom-client';

/**
 * Get-or-create on prom-client's default registry (the one `/metrics` serves): tests run several services in one
 * process, and a second `new Counter` with the same name would throw.
 */
export function metric<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

/**
 * One histogram for the whole pipeline, by `stage`: `scored` (from ingest's receivedAt to scoring's commit) and
 * `alerted` (from the ticket's openedAt to the Slack post). The console and Grafana read it across services.
 */
export const stageLatencySeconds = metric('closeloop_stage_latency_seconds', () => new Histogram({
  name: 'closeloop_stage_latency_seconds',
  help: 'Seconds to reach a pipeline stage: scored (from receipt by ingest), alerted (from ticket opened to Slack post)',
  labelNames: ['stage'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
}));
