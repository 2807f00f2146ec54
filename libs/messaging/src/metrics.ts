import { Counter, Gauge, Histogram } from 'prom-client';
import { metric } from '@closeloop/platform';


export const consumedTotal = metric('closeloop_messages_consumed_total', () => new Counter({
  name: 'closeloop_messages_consumed_total',
  help: 'Messages handled by a consumer, by topic and outcome (ok, dead_lettered, retried)',
  labelNames: ['topic', 'group', 'outcome'],
}));
export const handleSeconds = metric('closeloop_message_handle_seconds', () => new Histogram({
  name: 'closeloop_message_handle_seconds',
  help: 'Time to handle one message until its effects committed (with its batch), retries included',
  labelNames: ['topic', 'group'],
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
}));
export const producedTotal = metric('closeloop_messages_produced_total', () => new Counter({
  name: 'closeloop_messages_produced_total',
  help: 'Messages acknowledged by Kafka, by topic',
  labelNames: ['topic'],
}));
export const outboxPublishedTotal = metric('closeloop_outbox_published_total', () => new Counter({
  name: 'closeloop_outbox_published_total',
  help: 'Outbox rows relayed to Kafka',
  labelNames: ['schema'],
}));
export const outboxPending = metric('closeloop_outbox_pending', () => new Gauge({
  name: 'closeloop_outbox_pending',
  help: 'Outbox rows seen unpublished at the last relay pass',
  labelNames: ['schema'],
}));
