import { Counter, Histogram, register } from 'prom-client';

// Get-or-create: the e2e tests run every service in one process, on prom-client's one default registry.
function once<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const feedbackScoredTotal = once('closeloop_feedback_scored_total', () => new Counter({
  name: 'closeloop_feedback_scored_total',
  help: 'Feedback scored, by class, whether action is required, and severity',
  labelNames: ['classification', 'action_required', 'severity'] as const,
}));

/**
 * Shared by every stage of the pipeline (label `stage`): seconds from the feedback's receipt by ingest
 * (`receivedAt`) to the commit of that stage. Scoring observes stage="scored".
 */
export const stageLatencySeconds = once('closeloop_stage_latency_seconds', () => new Histogram({
  name: 'closeloop_stage_latency_seconds',
  help: 'Seconds from feedback receipt (receivedAt) to the commit of a pipeline stage',
  labelNames: ['stage'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
}));
