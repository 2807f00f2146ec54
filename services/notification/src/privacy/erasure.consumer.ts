import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { Topic, type ErasureProgressEvent, type ErasureRequestedEvent } from '@closeloop/contracts';
import { Inbox, Outbox, eraseOnce } from '@closeloop/messaging';
import { SERVICE } from '../config';
import { LOGGER } from '../tokens';
import { ErasureRepository } from './erase-customer';
import { RedactionWorker } from './redaction-worker';

/**
 * cx.privacy.events.v1 → notification's part of an erasure (SPEC §13, ADR 0024 "Next"), once per eventId (inbox),
 * in one transaction: the work list of the customer's records outside Postgres (Slack messages, Twilio message
 * records, the email log) is recorded first — it is found through the rows about to be anonymised — then the
 * customer's copies in this schema are anonymised and `notification` reports done through the outbox. The Slack,
 * Twilio and email stores report when the redaction worker has drained their rows. Progress events are ignored.
 */
@Controller()
export class ErasureConsumer {
  constructor(
    private readonly ds: DataSource,
    private readonly inbox: Inbox,
    private readonly outbox: Outbox,
    private readonly repo: ErasureRepository,
    private readonly worker: RedactionWorker,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  @EventPattern(Topic.PrivacyEvents)
  async onPrivacyEvent(@Payload() event: ErasureRequestedEvent | ErasureProgressEvent): Promise<void> {
    if (event.type !== 'customer.erasure_requested') return;
    const { erasureId, customerId } = event.data;
    let tickets = 0;
    const participant = { ds: this.ds, inbox: this.inbox, outbox: this.outbox, consumer: SERVICE, by: SERVICE };
    const erased = await eraseOnce(participant, event, 'notification', async (m) => {
      const ticketIds = await this.repo.customerTickets(m, customerId);
      tickets = ticketIds.length;
      await this.repo.recordWorkList(m, erasureId, customerId, ticketIds, event.eventId);
      await this.repo.cancelWaitingToCustomer(m, ticketIds);
      return this.repo.anonymiseTickets(m, ticketIds, 'not_email');
    });
    if (erased === undefined) return;
    // ids and counts only, never the customer id (a source may fall back to an email as the id)
    this.log.info({ erasureId, tickets, erased }, 'customer erased from notification; redacting Slack, Twilio and email records');
    this.worker.wake();
  }
}
