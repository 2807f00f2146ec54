import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { FeedbackReceivedEvent, RoutingConfig, Topic, makeEnvelope } from '@closeloop/contracts';
import { Inbox, Outbox } from '@closeloop/messaging';
import { ROUTING } from '../tokens';
import { SERVICE } from '../config';

/** cx.feedback.received.v1 → decision → cx.feedback.scored.v1 (through the outbox, once per eventId). */
@Controller()
export class FeedbackConsumer {
  constructor(
    private readonly ds: DataSource,
    private readonly inbox: Inbox,
    private readonly outbox: Outbox,
    @Inject(ROUTING) private readonly routing: RoutingConfig,
  ) {}

  @EventPattern(Topic.FeedbackReceived)
  async onFeedback(@Payload() event: FeedbackReceivedEvent): Promise<void> {
    await this.inbox.processOnce(this.ds, SERVICE, event.eventId, async (m) => {
      // TODO(scoring helper): real rules; placeholder keeps the pipeline flowing
      const f = event.data;
      await this.outbox.add(m, Topic.FeedbackScored, f.customer.id, makeEnvelope('feedback.scored', {
        feedbackId: f.feedbackId, feedback: f, classification: 'detractor', negative: true, actionRequired: true,
        severity: 'normal', team: this.routing.defaults.team, reasons: [], matchedKeywords: [], scoredAt: new Date().toISOString(),
      }, SERVICE));
    });
  }
}
