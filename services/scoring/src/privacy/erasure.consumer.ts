import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { ErasureProgressEvent, ErasureRequestedEvent, Topic } from '@closeloop/contracts';
import { Inbox, MESSAGING_LOGGER, Outbox, eraseOnce } from '@closeloop/messaging';
import { SERVICE } from '../config';
import { SCHEMA } from '../tokens';
import { anonymiseHistory } from './anonymise-history';

/**
 * Scoring as a participant of an erasure (SPEC §13, ADR 0024 "Next"), store `scoring`: on `customer.erasure_requested`
 * it anonymises the customer's history (anonymise-history.ts) and answers `customer.erasure_progress` done, with the
 * rows it anonymised, through the outbox: inbox claim, the anonymising and the answer in one transaction (its batch's,
 * ADR 0023). A redelivered request finds its inbox row and changes nothing; a failure rolls all three back and the
 * request is retried. Progress events on the topic (its own and the other stores') are not scoring's business.
 */
@Controller()
export class ErasureConsumer {
  constructor(
    private readonly ds: DataSource,
    private readonly inbox: Inbox,
    private readonly outbox: Outbox,
    @Inject(SCHEMA) private readonly schema: string,
    @Inject(MESSAGING_LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern(Topic.PrivacyEvents)
  async onPrivacyEvent(@Payload() event: ErasureRequestedEvent | ErasureProgressEvent): Promise<void> {
    if (event.type !== 'customer.erasure_requested') return;
    const participant = { ds: this.ds, inbox: this.inbox, outbox: this.outbox, consumer: SERVICE, by: SERVICE };
    const erased = await eraseOnce(participant, event, 'scoring', (m) => anonymiseHistory(m, this.schema, { customerId: event.data.customerId }));
    // the erasure id and a count: never the customer id (it may be an email)
    if (erased !== undefined) this.logger.info({ erasureId: event.data.erasureId, store: 'scoring', erased }, 'customer erased from the scoring history');
    else this.logger.debug({ eventId: event.eventId, erasureId: event.data.erasureId }, 'erasure request already handled; redelivery ignored');
  }
}
