import type { DeliveryEvent, TicketEvent } from '@closeloop/contracts';
import { SlidingSample } from './percentiles';

/**
 * End-to-end latencies the console can measure from the events it consumes itself:
 * - `ticket opened → first alert sent`: a `ticket.opened` event's occurredAt to the `notification.delivery`
 *   (purpose alert, status sent/delivered) whose ticketEventId is that event;
 * - `<topic> → console`: occurredAt of an event to the moment the console received it (outbox relay + Kafka hop).
 * Samples are bounded (latest N per stage); percentiles are nearest-rank over that window.
 */
export class StageLatency {
  readonly samples = new SlidingSample(2_000);
  private readonly opened = new Map<string, number>();
  private readonly alerted = new Set<string>();

  constructor(private readonly pending = 10_000) {}

  onTicketEvent(e: TicketEvent, receivedAt: number): void {
    const at = Date.parse(e.occurredAt);
    this.samples.add('ticket event → console', Math.max(0, receivedAt - at));
    if (e.type === 'ticket.opened') {
      this.opened.set(e.eventId, at);
      if (this.opened.size > this.pending) this.opened.delete(this.opened.keys().next().value as string);
    }
  }

  onDelivery(e: DeliveryEvent, receivedAt: number): void {
    const d = e.data;
    this.samples.add('delivery event → console', Math.max(0, receivedAt - Date.parse(e.occurredAt)));
    if (d.purpose !== 'alert' || (d.status !== 'sent' && d.status !== 'delivered')) return;
    const openedAt = this.opened.get(d.ticketEventId);
    const key = `${d.ticketEventId}/${d.channel}`;
    if (openedAt === undefined || this.alerted.has(key)) return;
    this.alerted.add(key);
    if (this.alerted.size > this.pending) this.alerted.delete(this.alerted.values().next().value as string);
    this.samples.add(`ticket opened → ${d.channel} alert sent`, Math.max(0, Date.parse(d.at) - openedAt));
  }
}
