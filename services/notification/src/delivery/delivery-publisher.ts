import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Topic } from '@closeloop/contracts';
import { Outbox } from '@closeloop/messaging';
import { NotificationRepository, type DeliveryRow, type FinishedDelivery } from '../persistence/notification.repository';
import { deliveryEvent, publishedStatus } from './delivery-events';

/** `notification.delivery` once per status change, written through the outbox in the transaction that made the change. */
@Injectable()
export class DeliveryPublisher {
  constructor(
    private readonly outbox: Outbox,
    private readonly repo: NotificationRepository,
  ) {}

  async publishIfChanged(m: EntityManager, row: DeliveryRow): Promise<void> {
    const status = publishedStatus(row.status);
    if (!status || status === row.published_status) return;
    await this.outbox.add(m, Topic.NotificationEvents, row.ticket_id, deliveryEvent(row, status));
    await this.repo.markPublished(m, row.id, status);
  }

  /** The same for a row `NotificationRepository.finish` just recorded: it marked the status published already. */
  async publishFinished(m: EntityManager, row: FinishedDelivery): Promise<void> {
    const status = publishedStatus(row.status);
    if (!status || status === row.previous_published_status) return;
    await this.outbox.add(m, Topic.NotificationEvents, row.ticket_id, deliveryEvent(row, status));
  }
}
