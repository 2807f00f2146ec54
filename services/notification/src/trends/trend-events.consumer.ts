import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { Topic, type RoutingConfig, type TrendEvent } from '@closeloop/contracts';
import { Inbox } from '@closeloop/messaging';
import { slackConfigured, SERVICE, type NotificationConfig } from '../config';
import { DeliveryWorker } from '../delivery/delivery-worker';
import { NotificationRepository, deliveryIdFor } from '../persistence/notification.repository';
import { NOTIFICATION_CONFIG, ROUTING } from '../tokens';
import { planTrendAlert } from './trend-planner';

/**
 * cx.trend.events.v1 → the trend's one top-level message and its updates (SPEC §12), recorded once per eventId (inbox)
 * with the trend's newest state. The delivery worker posts and updates it, with the pacing and the once-only rules of
 * ticket alerts: the message is an alert_message row keyed by the trend id.
 */
@Controller()
export class TrendEventsConsumer {
  private readonly chat: 'slack' | 'log';

  constructor(
    private readonly ds: DataSource,
    private readonly inbox: Inbox,
    private readonly repo: NotificationRepository,
    private readonly worker: DeliveryWorker,
    @Inject(ROUTING) private readonly routing: RoutingConfig,
    @Inject(NOTIFICATION_CONFIG) cfg: NotificationConfig,
  ) {
    this.chat = slackConfigured(cfg) ? 'slack' : 'log';
  }

  @EventPattern(Topic.TrendEvents)
  async onTrendEvent(@Payload() event: TrendEvent): Promise<void> {
    const ran = await this.inbox.processOnce(this.ds, SERVICE, event.eventId, async (m) => {
      const trend = event.data;
      await this.repo.saveTrend(m, trend);
      const plan = planTrendAlert(event, this.routing, new Date(), this.chat);
      let deliveries = plan.deliveries;
      if (plan.alert) {
        const alertId = deliveryIdFor(event.eventId, plan.alert.provider, plan.alert.channel, 'alert');
        // a replayed trend.opened with a new eventId: the message exists, never post a second
        if (!(await this.repo.createAlertMessage(m, trend.trendId, plan.alert.channel, plan.alert.provider, alertId))) {
          deliveries = deliveries.filter((d) => d.purpose !== 'alert');
        }
      }
      await this.repo.insertDeliveries(m, event.eventId, event.type, { id: trend.trendId, version: trend.version }, deliveries);
    });
    if (ran) this.worker.wake();
  }
}
