import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { FeedbackReceivedEvent, FeedbackScoredData, RoutingConfig, Topic, feedbackScoredEventId, makeEnvelope, revisionOf } from '@closeloop/contracts';
import { Inbox, MESSAGING_LOGGER, Outbox } from '@closeloop/messaging';
import { Privacy } from '@closeloop/platform';
import { NegativeHistory, PreviousNegative } from '../persistence/negative-history';
import { ROUTING } from '../tokens';
import { SERVICE } from '../config';
import { Decision, classify, decide, isNegative } from './rules';
import { negativeToScore } from './repeat-negative';
import { feedbackScoredTotal, stageLatencySeconds } from './metrics';

/**
 * cx.feedback.received.v1 → decision (rules.ts) → cx.feedback.scored.v1, for every feedback (promoters too), and for
 * every revision of it (SPEC §10). A revision is never its own "previous negative": the lookup skips the same
 * feedbackId, and the record keeps one row per feedback.
 * Per event: inbox claim, repeat-negative lookup and record, outbox row, in the transaction of its fetched batch
 * (docs/adr/0023; each of them a batch-wide statement there, NegativeHistory.previousThenRecord for the history). A redelivered event finds its inbox row and changes nothing; a failure rolls all of it back and
 * the event is retried.
 */
@Controller()
export class FeedbackConsumer {
  constructor(
    private readonly ds: DataSource,
    private readonly inbox: Inbox,
    private readonly outbox: Outbox,
    private readonly history: NegativeHistory,
    @Inject(ROUTING) private readonly routing: RoutingConfig,
    @Inject(MESSAGING_LOGGER) private readonly logger: Logger,
    private readonly privacy: Privacy,
  ) {}

  @EventPattern(Topic.FeedbackReceived, { inbox: SERVICE })
  async onFeedback(@Payload() event: FeedbackReceivedEvent): Promise<void> {
    // ids, scores and touchpoints read the same before and after opening; personal fields only after it (ADR 0024)
    const customerId = event.data.customer.id;
    let scored: { data: FeedbackScoredData; decision: Decision } | undefined;

    const processed = await this.inbox.processOnce(this.ds, SERVICE, event.eventId, async (m) => {
      const feedback = (await this.privacy.open(Topic.FeedbackReceived, event, m)).data;
      let previous: PreviousNegative | null = null;
      if (isNegative(classify(feedback.metric, feedback.score))) {
        previous = await this.history.previousThenRecord(m, negativeToScore(customerId, feedback.feedbackId, feedback.respondedAt));
      }
      const decision = decide({ feedback, routing: this.routing, recentNegativeWithin30d: previous !== null, previousNegative: previous ?? undefined });
      const scoredAt = new Date().toISOString();
      const data: FeedbackScoredData = { feedbackId: feedback.feedbackId, feedback, ...decision, scoredAt };
      await this.outbox.add(m, Topic.FeedbackScored, customerId, makeEnvelope('feedback.scored', data, SERVICE, {
        // each revision is scored once (its received eventId differs); redeliveries of one revision are one scored event
        eventId: feedbackScoredEventId(feedback.feedbackId, revisionOf(feedback)),
        occurredAt: scoredAt,
      }));
      scored = { data, decision };
    });

    const feedback = event.data; // ids and numbers only from here: its personal fields are still sealed
    if (!processed || !scored) {
      this.logger.debug({ eventId: event.eventId, feedbackId: feedback.feedbackId }, 'feedback already scored; redelivery ignored');
      return;
    }
    const { decision } = scored;
    feedbackScoredTotal.inc({ classification: decision.classification, action_required: String(decision.actionRequired), severity: decision.severity });
    const receivedAt = Date.parse(feedback.receivedAt);
    if (!Number.isNaN(receivedAt)) stageLatencySeconds.observe({ stage: 'scored' }, Math.max(0, Date.now() - receivedAt) / 1000);
    // no comment, no contact data: ids and the decision only
    (decision.actionRequired ? this.logger.info : this.logger.debug).call(this.logger, {
      feedbackId: feedback.feedbackId, touchpoint: feedback.touchpoint, metric: feedback.metric, score: feedback.score,
      classification: decision.classification, actionRequired: decision.actionRequired, severity: decision.severity,
      team: decision.team, rules: decision.reasons.map((r) => r.rule),
    }, 'feedback scored');
  }
}
