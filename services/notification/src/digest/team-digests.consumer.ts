import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { Topic, deterministicId, type TeamDigestEvent } from '@closeloop/contracts';
import { Inbox } from '@closeloop/messaging';
import { slackConfigured, SERVICE, type NotificationConfig } from '../config';
import type { PlannedDelivery } from '../alerts/alert-planner';
import { DeliveryWorker } from '../delivery/delivery-worker';
import { NotificationRepository } from '../persistence/notification.repository';
import { NOTIFICATION_CONFIG } from '../tokens';
import { renderDigest } from './digest-text';
import { teamIdTranslator } from '../alerts/team-language';

/**
 * cx.team.digests.v1 → one DM per lead (`chat.postMessage` with the lead's Slack user id as channel), recorded once
 * per (event, lead) and sent by the delivery worker with its pacing and retries. Without Slack: the log channel.
 */
@Controller()
export class TeamDigestsConsumer {
  private readonly chat: 'slack' | 'log';

  constructor(
    private readonly ds: DataSource,
    private readonly inbox: Inbox,
    private readonly repo: NotificationRepository,
    private readonly worker: DeliveryWorker,
    @Inject(NOTIFICATION_CONFIG) private readonly cfg: NotificationConfig,
  ) {
    this.chat = slackConfigured(cfg) ? 'slack' : 'log';
  }

  @EventPattern(Topic.TeamDigests)
  async onDigest(@Payload() event: TeamDigestEvent): Promise<void> {
    const d = event.data;
    const text = renderDigest(d, this.cfg.consoleUrl, teamIdTranslator(this.cfg.routing, d.team));
    const deliveries: PlannedDelivery[] = d.leads.map((lead) => ({
      channel: this.chat, recipient: lead.slackUserId, purpose: 'digest', status: 'pending', notBefore: new Date(), critical: false, payload: { kind: 'digest', text },
    }));
    const ran = await this.inbox.processOnce(this.ds, SERVICE, event.eventId, async (m) => {
      await this.repo.insertDeliveries(m, event.eventId, event.type, { id: deterministicId('digest', d.team, d.day), version: 1 }, deliveries);
    });
    if (ran) this.worker.wake();
  }
}
