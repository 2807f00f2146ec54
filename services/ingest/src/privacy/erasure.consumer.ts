import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { ErasureProgressEvent, ErasureRequestedEvent, Topic } from '@closeloop/contracts';
import { Inbox, Outbox, eraseOnce } from '@closeloop/messaging';
import { Logger, SERVICE_LOGGER } from '@closeloop/platform';
import { SERVICE } from '../config';
import { INGEST_SCHEMA } from './erasure-messaging';
import { anonymiseKeptPayloads } from './anonymise-payloads';

/**
 * Ingest as a participant of an erasure (SPEC §13, ADR 0024 "Next"), store `sourcePayloads`: on
 * `customer.erasure_requested` it anonymises the source payloads it kept for the customer (anonymise-payloads.ts) and
 * answers `customer.erasure_progress` done, with the payloads it anonymised, through its outbox: inbox claim, the
 * anonymising and the answer in one transaction (its batch's, ADR 0023). A redelivered request finds its inbox row and
 * changes nothing; a failure rolls all three back and the request is retried. Progress events are ignored.
 */
@Controller()
export class ErasureConsumer {
  constructor(
    private readonly ds: DataSource,
    private readonly inbox: Inbox,
    private readonly outbox: Outbox,
    @Inject(INGEST_SCHEMA) private readonly schema: string,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern(Topic.PrivacyEvents)
  async onPrivacyEvent(@Payload() event: ErasureRequestedEvent | ErasureProgressEvent): Promise<void> {
    if (event.type !== 'customer.erasure_requested') return;
    const participant = { ds: this.ds, inbox: this.inbox, outbox: this.outbox, consumer: SERVICE, by: SERVICE };
    const erased = await eraseOnce(participant, event, 'sourcePayloads', (m) => anonymiseKeptPayloads(m, this.schema, { customerId: event.data.customerId }));
    // the erasure id and a count: never the customer id (it may be an email)
    if (erased !== undefined) this.logger.info({ erasureId: event.data.erasureId, store: 'sourcePayloads', erased }, 'customer erased from the kept source payloads');
    else this.logger.debug({ eventId: event.eventId, erasureId: event.data.erasureId }, 'erasure request already handled; redelivery ignored');
  }
}
