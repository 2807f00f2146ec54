import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { TICKET_COMMAND_TYPES, Topic, ticketIdOf, type RoutingConfig, type TicketCommandType, type TicketEvent } from '@closeloop/contracts';
import { Inbox } from '@closeloop/messaging';
import { emailDomainOf, slackConfigured, twilioConfigured, SERVICE, type NotificationConfig } from '../config';
import { DeliveryPublisher } from '../delivery/delivery-publisher';
import { DeliveryWorker } from '../delivery/delivery-worker';
import { deliveriesTotal } from '../metrics';
import { NotificationRepository, deliveryIdFor } from '../persistence/notification.repository';
import { NOTIFICATION_CONFIG, ROUTING } from '../tokens';
import { planAlerts, type PlanOptions } from './alert-planner';

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
    @Inject(ROUTING) private readonly routing: RoutingConfig,
    @Inject(NOTIFICATION_CONFIG) cfg: NotificationConfig,
  ) {
    this.planOptions = {
      chat: slackConfigured(cfg) ? 'slack' : 'log',
      sms: twilioConfigured(cfg) ? 'sms' : 'log',
      email: cfg.email.smtpUrl ? 'email' : 'log',
      emailDomain: emailDomainOf(cfg.email.from) ?? 'localhost',
      consoleUrl: cfg.consoleUrl,
    };
  }

  @EventPattern(Topic.TicketEvents)
  async onTicketEvent(@Payload() event: TicketEvent): Promise<void> {
    const ran = await this.inbox.processOnce(this.ds, SERVICE, event.eventId, async (m) => {
      // a refused command for an unknown ticket comes without a snapshot: it names the ticket by id only
      const ticket = event.data.ticket;
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
        const created = await this.repo.createAlertMessage(m, ref.id, plan.alert.channel, plan.alert.provider, alertId);
        // Another ticket.opened for the same ticket (replayed with a new eventId): the alert exists, never post a second.
        // Nor a second first message of its email thread.
        if (!created) deliveries = deliveries.filter((d) => d.purpose !== 'alert' && !(d.payload.kind === 'email' && d.payload.inReplyTo === undefined));
      }
      const inserted = await this.repo.insertDeliveries(m, event.eventId, event.type, ref, deliveries);
      for (const row of inserted) {
        if (row.status === 'held') {
          deliveriesTotal.inc({ channel: row.channel, purpose: row.purpose, outcome: 'held' });
          await this.publisher.publishIfChanged(m, row);
        }
      }
    });
    if (ran) this.worker.wake();
  }
}
