/** Every Kafka topic of the system (SPEC §8). Keys are documented next to each topic. */
export enum Topic {
  /** key: customer id */
  FeedbackReceived = 'cx.feedback.received.v1',
  /** key: customer id */
  FeedbackScored = 'cx.feedback.scored.v1',
  /** key: ticket id */
  TicketEvents = 'cx.ticket.events.v1',
  /** key: ticket id */
  TicketCommands = 'cx.ticket.commands.v1',
  /** key: ticket id */
  NotificationEvents = 'cx.notification.events.v1',
  /** key: trend id (SPEC §12 trend alerts) */
  TrendEvents = 'cx.trend.events.v1',
  /** key: team id (SPEC §12 daily digest) */
  TeamDigests = 'cx.team.digests.v1',
  /** key: customer id (SPEC §13 erasure: requests and each store's progress) */
  PrivacyEvents = 'cx.privacy.events.v1',
}

export const ALL_TOPICS: readonly Topic[] = Object.values(Topic);

export const DLQ_SUFFIX = '.dlq';

/** The dead-letter topic of a consumed topic. */
export function dlqTopicOf(topic: string): string {
  return `${topic}${DLQ_SUFFIX}`;
}

/** Every topic and its dead-letter topic, i.e. what must exist before any consumer starts. */
export function allTopicsWithDlq(): string[] {
  return ALL_TOPICS.flatMap((t) => [t, dlqTopicOf(t)]);
}

/** Headers put on a dead letter. */
export const DlqHeader = {
  Reason: 'x-dlq-reason',
  OriginalTopic: 'x-dlq-original-topic',
  OriginalPartition: 'x-dlq-original-partition',
  OriginalOffset: 'x-dlq-original-offset',
  Attempts: 'x-dlq-attempts',
  FailedAt: 'x-dlq-failed-at',
  ConsumerGroup: 'x-dlq-consumer-group',
} as const;
