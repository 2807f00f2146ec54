import { Counter, Histogram } from 'prom-client';
import { metric } from '@closeloop/platform';

export type Endpoint = 'feedback' | 'batch';

export const requestsTotal = metric('closeloop_ingest_requests_total', () => new Counter({
  name: 'closeloop_ingest_requests_total',
  help: 'Ingest HTTP requests by endpoint (feedback, batch) and response status',
  labelNames: ['endpoint', 'status'] as const,
}));

export const requestSeconds = metric('closeloop_ingest_request_duration_seconds', () => new Histogram({
  name: 'closeloop_ingest_request_duration_seconds',
  help: 'Ingest request latency, from the first byte seen to the response (includes waiting for the Kafka acknowledgement)',
  labelNames: ['endpoint'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
}));

export const feedbackAccepted = metric('closeloop_feedback_accepted_total', () => new Counter({
  name: 'closeloop_feedback_accepted_total',
  help: 'Feedback items answered with a feedbackId after Kafka acknowledged them; duplicate="true" when the content was that of the latest revision (nothing sent)',
  labelNames: ['duplicate'] as const,
}));

export const feedbackInvalid = metric('closeloop_feedback_invalid_total', () => new Counter({
  name: 'closeloop_feedback_invalid_total',
  help: 'Feedback items refused for failing validation (single requests and batch items)',
}));

/**
 * SPEC §10 "what ops see": every delivery to `POST /v1/sources/{id}` by its outcome. `source` and `kind` come from the
 * routing file only (an unknown id is counted as `(unknown)`, so a scanner cannot grow the label set).
 */
export type SourceOutcome =
  | 'accepted' | 'duplicate' | 'ignored' | 'rejected' | 'unmappable'
  | 'unsupported_media_type' | 'too_large' | 'bad_request' | 'unknown_source' | 'kafka_unavailable' | 'database_unavailable' | 'fetch_failed';

export const sourceDeliveries = metric('closeloop_source_deliveries_total', () => new Counter({
  name: 'closeloop_source_deliveries_total',
  help: 'Deliveries from survey tools (POST /v1/sources/{id}) by source, kind and outcome (accepted, duplicate, ignored, rejected = 401, unmappable = 422, …)',
  labelNames: ['source', 'kind', 'outcome'] as const,
}));

/** Kept unmappable payloads dropped to stay within their bounds (count per source, age). */
export const keptDropped = metric('closeloop_source_kept_dropped_total', () => new Counter({
  name: 'closeloop_source_kept_dropped_total',
  help: 'Kept unmappable source payloads dropped to stay within the bounds, by source and why (count = the oldest past the per-source limit, age)',
  labelNames: ['source', 'why'] as const,
}));

/** Replays of kept payloads (POST /v1/sources/{id}/kept/{keptId}/replay) by source and answer. */
export const keptReplays = metric('closeloop_source_replays_total', () => new Counter({
  name: 'closeloop_source_replays_total',
  help: 'Replays of kept source payloads by source and outcome (accepted, duplicate, ignored, unmappable, unavailable, conflict)',
  labelNames: ['source', 'outcome'] as const,
}));
