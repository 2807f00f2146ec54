import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Topic, deterministicId, makeEnvelope, type ConsentCommand, type CustomerOptOutData } from '@closeloop/contracts';
import { Outbox } from '@closeloop/messaging';
import { SERVICE } from '../config';
import type { AttemptDecision } from '../delivery/retry-policy';
import type { DeliveryRow } from '../persistence/notification.repository';

/** Twilio's "Attempt to send to unsubscribed recipient": the number replied STOP to our sender. */
export const TWILIO_UNSUBSCRIBED = '21610';

/** The command telling tickets that a customer opted out of SMS; its id derives from what told us (a delivery, an inbound message). */
export function optOutCommand(ticketId: string, reason: CustomerOptOutData['reason'], at: Date, eventId: string, deliveryId?: string): ConsentCommand {
  return makeEnvelope('ticket.customer_opt_out', { ticketId, channel: 'sms', reason, ...(deliveryId ? { deliveryId } : {}), at: at.toISOString() }, SERVICE, {
    eventId,
    occurredAt: at,
  }) as ConsentCommand;
}

/**
 * Consent learned while sending (SPEC §11): a customer SMS that Twilio refused with 21610 has failed for good (the
 * provider-error table says so) and, in the same transaction, tickets is told the customer opted out — through the
 * outbox, so it is told exactly when the failure is recorded. Tickets keeps consent; notification keeps none.
 */
@Injectable()
export class CustomerConsent {
  constructor(private readonly outbox: Outbox) {}

  readonly afterCustomerSms = async (m: EntityManager, decision: AttemptDecision, row: DeliveryRow): Promise<void> => {
    if (decision.status !== 'failed' || decision.code !== TWILIO_UNSUBSCRIBED) return;
    const eventId = deterministicId('ticket.customer_opt_out', row.id);
    await this.outbox.add(m, Topic.TicketCommands, row.ticket_id, optOutCommand(row.ticket_id, 'provider_unsubscribed', new Date(), eventId, row.id));
  };
}
