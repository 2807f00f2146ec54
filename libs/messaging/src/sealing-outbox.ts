import type { EntityManager } from 'typeorm';
import { Topic, TopicEvents } from '@closeloop/contracts';
import type { Privacy } from '@closeloop/platform';
import { Outbox } from './outbox';

/**
 * The outbox every service writes through (MessagingModule): each event's personal fields are encrypted under its
 * customer's key before the row is written (ADR 0024), so no call site can forget to, and Kafka never holds them in clear.
 */
export class SealingOutbox extends Outbox {
  constructor(schema: string, private readonly privacy: Pick<Privacy, 'seal'>) {
    super(schema);
  }

  override async add<T extends Topic>(m: EntityManager, topic: T, key: string, event: TopicEvents[T]): Promise<void> {
    await super.add(m, topic, key, await this.privacy.seal(topic, event, m));
  }
}
