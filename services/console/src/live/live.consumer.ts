import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DeliveryEvent, TicketEvent, Topic, ticketIdOf } from '@closeloop/contracts';
import { DeliveryStats } from '../ops/delivery-stats';
import { StageLatency } from '../ops/stage-latency';
import { LiveHub } from './live-hub';

/**
 * The console's consumer (group `console`): ticket events and delivery events, already validated by the
 * messaging library, fanned out to signed-in browsers and folded into the ops tallies. Nothing is stored,
 * so redelivery is harmless.
 */
@Controller()
export class LiveConsumer {
  constructor(private readonly hub: LiveHub, private readonly deliveries: DeliveryStats, private readonly latency: StageLatency) {}

  @EventPattern(Topic.TicketEvents)
  onTicketEvent(@Payload() e: TicketEvent): void {
    this.latency.onTicketEvent(e, Date.now());
    // a refused command for an unknown ticket has no snapshot, only the id the command named
    const t = e.data.ticket;
    this.hub.broadcast('ticket', { type: e.type, eventId: e.eventId, occurredAt: e.occurredAt, ticketId: ticketIdOf(e), status: t?.status, severity: t?.severity, version: t?.version });
  }

  @EventPattern(Topic.NotificationEvents)
  onDelivery(@Payload() e: DeliveryEvent): void {
    this.deliveries.record(e.data);
    this.latency.onDelivery(e, Date.now());
    const d = e.data;
    this.hub.broadcast('delivery', { eventId: e.eventId, ticketId: d.ticketId, channel: d.channel, purpose: d.purpose, status: d.status, at: d.at });
  }
}
