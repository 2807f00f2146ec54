import type { DeliveryEventData } from '@closeloop/contracts';

/**
 * Alert deliveries by channel and outcome, from `notification.delivery` events: each delivery counts once,
 * under its latest status (a Slack alert that went retrying → sent is one `sent`). Statuses only move forward
 * in notification, but events may be redelivered: an older `at` never overwrites a newer one.
 * Bounded: past `capacity` deliveries the oldest are forgotten (their counts with them).
 */
export class DeliveryStats {
  private readonly latest = new Map<string, { channel: string; status: string; at: string; error?: string; recipient: string; ticketId: string }>();
  constructor(private readonly capacity = 50_000) {}

  record(d: DeliveryEventData): void {
    const prev = this.latest.get(d.deliveryId);
    if (prev && prev.at > d.at) return;
    this.latest.delete(d.deliveryId); // re-insert: Map order = recency, for eviction
    this.latest.set(d.deliveryId, { channel: d.channel, status: d.status, at: d.at, error: d.error, recipient: d.recipient, ticketId: d.ticketId });
    if (this.latest.size > this.capacity) this.latest.delete(this.latest.keys().next().value as string);
  }

  byChannelAndOutcome(): { channel: string; status: string; count: number }[] {
    const counts = new Map<string, { channel: string; status: string; count: number }>();
    for (const d of this.latest.values()) {
      const k = `${d.channel}/${d.status}`;
      const c = counts.get(k) ?? { channel: d.channel, status: d.status, count: 0 };
      c.count++;
      counts.set(k, c);
    }
    return [...counts.values()].sort((a, b) => a.channel.localeCompare(b.channel) || a.status.localeCompare(b.status));
  }

  /** The most recent failures, newest first (permanent failures must be visible: SPEC §7). */
  recentFailures(limit = 20) {
    return [...this.latest.entries()]
      .filter(([, d]) => d.status === 'failed')
      .map(([deliveryId, d]) => ({ deliveryId, ...d }))
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, limit);
  }
}
