import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { Topic, type ErasureProgressEvent, type ErasureRequestedEvent } from '@closeloop/contracts';
import { Inbox, Outbox } from '@closeloop/messaging';
import { SERVICE } from '../config';
import { LOGGER } from '../tokens';
import { ErasureRepository } from './erase-customer';
import { progressEvent } from './progress';
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
    let erased = 0;
    const ran = await this.inbox.processOnce(this.ds, SERVICE, event.eventId, async (m) => {
      const ticketIds = await this.repo.customerTickets(m, customerId);
      tickets = ticketIds.length;
      await this.repo.recordWorkList(m, erasureId, customerId, ticketIds, event.eventId);
      await this.repo.cancelWaitingToCustomer(m, ticketIds);
      erased = await this.repo.anonymiseTickets(m, ticketIds, 'not_email');
      await this.outbox.add(m, Topic.PrivacyEvents, customerId, progressEvent({ erasureId, customerId, store: 'notification', status: 'done', erased }, event.eventId));
    });
    if (!ran) return;
    // ids and counts only: the customer id is the pseudonymous key (ADR 0024)
    this.log.info({ erasureId, customerId, tickets, erased }, 'customer erased from notification; redacting Slack, Twilio and email records');
    this.worker.wake();
  }
}
