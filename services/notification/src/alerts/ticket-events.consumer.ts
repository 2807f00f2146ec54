import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DataSource, type EntityManager } from 'typeorm';
import { TICKET_COMMAND_TYPES, Topic, ticketIdOf, type RoutingConfig, type TicketCommandType, type TicketEvent } from '@closeloop/contracts';
import { Inbox } from '@closeloop/messaging';
import { Privacy } from '@closeloop/platform';
import { emailDomainOf, slackConfigured, twilioConfigured, SERVICE, type NotificationConfig } from '../config';
import { DeliveryPublisher } from '../delivery/delivery-publisher';
import { DeliveryWorker } from '../delivery/delivery-worker';
import { deliveriesTotal } from '../metrics';
import { NotificationRepository, deliveryIdFor } from '../persistence/notification.repository';
import { RecheckLinks } from '../recheck/recheck-links';
import { ErasureRepository } from '../privacy/erase-customer';
import { NOTIFICATION_CONFIG, ROUTING } from '../tokens';
import { UnsubscribeLinks, withUnsubscribe } from '../outreach/unsubscribe-links';
import { planAlerts, type PlannedDelivery, type PlanOptions } from './alert-planner';

/**
 * cx.ticket.events.v1 → planned deliveries, recorded once per eventId (inbox) in one transaction with the ticket's
 * newest snapshot and its alert message row. Sending happens in the delivery worker, never in the consumer: a
 * slow or failing Slack never holds up the partition.
 */
@Controller()
export class TicketEventsConsumer {
  private readonly planOptions: Omit<PlanOptions, 'rejectedCommandType'>;

  constructor(
    private readonly ds: DataSource,
    private readonly inbox: Inbox,
    private readonly repo: NotificationRepository,
    private readonly publisher: DeliveryPublisher,
    private readonly worker: DeliveryWorker,
    private readonly unsubscribe: UnsubscribeLinks,
    private readonly recheckLinks: RecheckLinks,
    @Inject(ROUTING) private readonly routing: RoutingConfig,
    @Inject(NOTIFICATION_CONFIG) private readonly cfg: NotificationConfig,
    private readonly privacy: Privacy,
    private readonly erasure: ErasureRepository,
  ) {
    this.planOptions = {
      chat: slackConfigured(cfg) ? 'slack' : 'log',
      sms: twilioConfigured(cfg) ? 'sms' : 'log',
      email: cfg.email.smtpUrl ? 'email' : 'log',
      emailDomain: emailDomainOf(cfg.email.from) ?? 'localhost',
      consoleUrl: cfg.consoleUrl,
    };
  }

  @EventPattern(Topic.TicketEvents, { inbox: SERVICE })
  async onTicketEvent(@Payload() received: TicketEvent): Promise<void> {
    const ran = await this.inbox.processOnce(this.ds, SERVICE, received.eventId, async (m) => {
      // personal fields opened in the handler's (batch's) transaction: ADR 0024
      const event = await this.privacy.open(Topic.TicketEvents, received, m);
      // a refused command for an unknown ticket comes without a snapshot: it names the ticket by id only
      const ticket = event.data.ticket;
      // a ticket already anonymised (erasure, retention) stays so: an event sent before tickets erased its own copy
      // (the customer's key still exists until every participant is done) must not bring the words back
      const anonymised = ticket ? await this.erasure.isAnonymised(m, ticket.id) : false;
      if (ticket) await this.repo.saveSnapshot(m, ticket);
      const ref = { id: ticketIdOf(event), version: ticket?.version ?? 0 };

      const rejectedType = event.type === 'ticket.command_rejected' && event.data.commandId ? await this.repo.slackCommandType(m, event.data.commandId) : undefined;
      const plan = planAlerts(event, this.routing, new Date(), {
        ...this.planOptions,
        ...((TICKET_COMMAND_TYPES as readonly string[]).includes(rejectedType ?? '') ? { rejectedCommandType: rejectedType as TicketCommandType } : {}),
      });

      let deliveries = plan.deliveries;
      if (plan.alert) {
        const alertId = deliveryIdFor(event.eventId, plan.alert.provider, plan.alert.channel, 'alert');
        const created = await this.repo.createAlertMessage(m, ref.id, plan.alert.channel, plan.alert.provider, alertId, ticket?.customerId);
        // Another ticket.opened for the same ticket (replayed with a new eventId): the alert exists, never post a second.
        // Nor a second first message of its email thread.
        if (!created) deliveries = deliveries.filter((d) => d.purpose !== 'alert' && !(d.payload.kind === 'email' && d.payload.inReplyTo === undefined));
      }
      // SPEC §11: every email to a customer carries its own unsubscribe link (stored here, in the inbox transaction)
      deliveries = await Promise.all(deliveries.map((d) => (d.purpose === 'customer_email' ? this.withUnsubscribeLink(m, d, event) : d)));
      // a recheck message's link works before the SMS carrying it can arrive (ADR 0018)
      const recheck = event.type === 'ticket.customer_message_requested' ? event.data.message?.recheck : undefined;
      if (recheck) {
        await this.recheckLinks.record(m, {
          id: recheck.id, tokenHash: recheck.tokenHash, ticketId: ref.id, customerId: recheck.customerId, touchpoint: recheck.touchpoint,
          ...(recheck.locale ? { locale: recheck.locale } : {}), expiresAt: new Date(recheck.expiresAt),
        }, new Date());
      }
      const inserted = await this.repo.insertDeliveries(m, event.eventId, event.type, ref, deliveries);
      if (anonymised) {
        await this.erasure.cancelWaitingToCustomer(m, [ref.id]);
        await this.erasure.anonymiseTickets(m, [ref.id], 'all');
      }
      for (const row of inserted) {
        if (row.status === 'held') {
          deliveriesTotal.inc({ channel: row.channel, purpose: row.purpose, outcome: 'held' });
          await this.publisher.publishIfChanged(m, row);
        }
      }
    });
    if (ran) this.worker.wake();
  }

  /** Without PUBLIC_BASE_URL there is no link to give: the email is recorded as it is and the worker fails it, saying why. */
  private async withUnsubscribeLink(m: EntityManager, d: PlannedDelivery, event: TicketEvent): Promise<PlannedDelivery> {
    const base = this.cfg.publicBaseUrl;
    const ticket = event.data.ticket;
    if (!base || !ticket || d.payload.kind !== 'email') return d;
    // a customer email is only ever planned from its message: the message says the language it was written in
    const locale = event.data.message?.locale ?? ticket.locale;
    const { token } = await this.unsubscribe.issue(m, { ticketId: ticket.id, customerId: ticket.customerId, ...(locale ? { locale } : {}) }, new Date());
    const footer = withUnsubscribe(d.payload.text, `${base}/u/${token}`, locale);
    return { ...d, payload: { ...d.payload, text: footer.text, headers: footer.headers } };
  }
}
