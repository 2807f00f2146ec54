import { Counter, Histogram } from 'prom-client';
import { metric } from '@closeloop/platform';
export { stageLatencySeconds } from '@closeloop/platform';

export const deliveriesTotal = metric('closeloop_notification_deliveries_total', () => new Counter({
  name: 'closeloop_notification_deliveries_total',
  help: 'Delivery attempts and their outcome (sent, retrying, failed, held, skipped, reconciled), by channel and purpose',
  labelNames: ['channel', 'purpose', 'outcome'],
}));

export const deliveryLatencySeconds = metric('closeloop_notification_delivery_latency_seconds', () => new Histogram({
  name: 'closeloop_notification_delivery_latency_seconds',
  help: 'From a delivery being planned to the provider accepting it (retries and waits included)',
  labelNames: ['channel', 'purpose'],
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
}));


export const slackInteractionsTotal = metric('closeloop_slack_interactions_total', () => new Counter({
  name: 'closeloop_slack_interactions_total',
  help: 'Slack interactions received, by type and outcome (command, modal, unknown_user, rejected_signature, invalid, ignored, failed)',
  labelNames: ['type', 'outcome'],
}));

export const twilioCallbacksTotal = metric('closeloop_twilio_status_callbacks_total', () => new Counter({
  name: 'closeloop_twilio_status_callbacks_total',
  help: 'Twilio status callbacks received, by outcome (recorded, unchanged, unknown_message, rejected_signature, invalid)',
  labelNames: ['outcome'],
}));

export const recheckAnswersTotal = metric('closeloop_recheck_answers_total', () => new Counter({
  name: 'closeloop_recheck_answers_total',
  help: 'Answers posted to recheck pages, by outcome (recorded, bad_score, answered, expired, invalid)',
  labelNames: ['outcome'],
}));
