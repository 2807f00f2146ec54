import { Counter, Histogram, register } from 'prom-client';

function once<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const deliveriesTotal = once('closeloop_notification_deliveries_total', () => new Counter({
  name: 'closeloop_notification_deliveries_total',
  help: 'Delivery attempts and their outcome (sent, retrying, failed, held, skipped, reconciled), by channel and purpose',
  labelNames: ['channel', 'purpose', 'outcome'],
}));

export const deliveryLatencySeconds = once('closeloop_notification_delivery_latency_seconds', () => new Histogram({
  name: 'closeloop_notification_delivery_latency_seconds',
  help: 'From a delivery being planned to the provider accepting it (retries and waits included)',
  labelNames: ['channel', 'purpose'],
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
}));

/**
 * Shared by every stage of the pipeline (label `stage`; same name, labels and buckets as the other services, so
 * it aggregates). Notification observes stage="alerted": from the ticket's `openedAt` to the top-level alert
 * being posted.
 */
export const stageLatencySeconds = once('closeloop_stage_latency_seconds', () => new Histogram({
  name: 'closeloop_stage_latency_seconds',
  help: 'Seconds from feedback receipt (receivedAt) to the commit of a pipeline stage',
  labelNames: ['stage'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
}));

export const slackInteractionsTotal = once('closeloop_slack_interactions_total', () => new Counter({
  name: 'closeloop_slack_interactions_total',
  help: 'Slack interactions received, by type and outcome (command, modal, unknown_user, rejected_signature, invalid, ignored, failed)',
  labelNames: ['type', 'outcome'],
}));

export const twilioCallbacksTotal = once('closeloop_twilio_status_callbacks_total', () => new Counter({
  name: 'closeloop_twilio_status_callbacks_total',
  help: 'Twilio status callbacks received, by outcome (recorded, unchanged, unknown_message, rejected_signature, invalid)',
  labelNames: ['outcome'],
}));
