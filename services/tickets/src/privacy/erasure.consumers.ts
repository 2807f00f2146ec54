import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { ErasureProgressEvent, ErasureRequestedEvent, Topic } from '@closeloop/contracts';
import { Inbox, Outbox, eraseOnce } from '@closeloop/messaging';
import { SERVICE } from '../config';
import { LOGGER } from '../tokens';
import { ErasureScheduler } from './erasure.scheduler';
import { ErasureService } from './erasure.service';

/** Inbox consumer names of cx.privacy.events.v1: tickets as a participant, and as the orchestrator reading progress. */
export const ERASURE_CONSUMER = {
  requested: 'tickets.erasure-requested',
  progress: 'tickets.erasure-progress',
} as const;

/**
 * cx.privacy.events.v1 (group `tickets`): `customer.erasure_requested` erases the tickets store (a participant like any
 * other, through its inbox, reporting through its outbox in the same transaction); `customer.erasure_progress` of
 * every store is folded into the erasure, then the key step is nudged. Ids and counts only reach the log.
 */
@Controller()
export class ErasureConsumers {
  constructor(
    private readonly ds: DataSource,
    private readonly inbox: Inbox,
    private readonly outbox: Outbox,
    private readonly erasures: ErasureService,
    private readonly scheduler: ErasureScheduler,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern(Topic.PrivacyEvents)
  async onPrivacyEvent(@Payload() event: ErasureRequestedEvent | ErasureProgressEvent): Promise<void> {
    if (event.type === 'customer.erasure_requested') return this.onRequested(event);
    return this.onProgress(event);
  }

  private async onRequested(event: ErasureRequestedEvent): Promise<void> {
    const participant = { ds: this.ds, inbox: this.inbox, outbox: this.outbox, consumer: ERASURE_CONSUMER.requested, by: SERVICE };
    const erased = await eraseOnce(participant, event, 'tickets', (m) => this.erasures.eraseTicketsStore(m, event.data.customerId));
    if (erased !== undefined) this.logger.info({ erasureId: event.data.erasureId, store: 'tickets', erased }, 'erasure: tickets store erased');
  }

  private async onProgress(event: ErasureProgressEvent): Promise<void> {
    const d = event.data;
    let outcome: 'recorded' | 'unknown' | 'ignored' | undefined;
    await this.inbox.processOnce(this.ds, ERASURE_CONSUMER.progress, event.eventId, async (m) => {
      outcome = await this.erasures.recordProgress(m, d, new Date(event.occurredAt));
    });
    if (outcome === 'unknown') this.logger.warn({ erasureId: d.erasureId, store: d.store, eventId: event.eventId }, 'erasure progress for an unknown erasure ignored');
    if (outcome === 'recorded') {
      this.logger.info({ erasureId: d.erasureId, store: d.store, status: d.status, erased: d.erased, by: d.by }, 'erasure progress');
      this.scheduler.nudge();
    }
  }
}
