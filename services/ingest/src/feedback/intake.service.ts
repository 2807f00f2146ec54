import { Inject, Injectable } from '@nestjs/common';
import { FeedbackDto, FeedbackReceivedEvent, FieldError, Topic, feedbackIdFor } from '@closeloop/contracts';
import { KafkaUnavailableError } from '@closeloop/messaging';
import { DataKey, Logger, Privacy, SERVICE_LOGGER, sealEventWith } from '@closeloop/platform';
import { MAX_BATCH_ITEMS } from '../config';
import { KAFKA_RETRY_AFTER_SECONDS, ProblemError, problems } from '../http/problem';
import { KafkaLink } from '../kafka/kafka-link';
import { RevisionStore } from '../persistence/revision-store';
import { databaseUnavailable } from '../persistence/database-unavailable';
import { feedbackAccepted, feedbackInvalid } from '../metrics';
import { ItemPlan, PlannedMessage, planAcceptance } from './feedback-event';
import { validateBatchEnvelope, validateFeedback } from './feedback-validation';

export interface Accepted {
  feedbackId: string;
  /** the same score and comment as the feedback's latest revision: nothing was published again */
  duplicate: boolean;
  /** SPEC §10: 1, then + 1 for each changed score or comment of the same (source, externalId) */
  revision: number;
}
export type BatchResult = Accepted | { errors: FieldError[] };

/** SPEC §4/§10: validate, number the revision, publish `feedback.received`, and answer only after Kafka acknowledged (503 while Postgres or Kafka is down). */
@Injectable()
export class IntakeService {
  constructor(
    private readonly kafka: KafkaLink,
    private readonly revisions: RevisionStore,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly privacy: Privacy,
  ) {}

  async submitOne(body: unknown): Promise<Accepted> {
    const v = validateFeedback(body);
    if (!v.ok) {
      feedbackInvalid.inc();
      throw new ProblemError(problems.validation(v.errors));
    }
    const plan = await this.acceptValidated(v.value);
    if (plan.kind === 'rejected') {
      feedbackInvalid.inc();
      throw new ProblemError(plan.status === 413 ? problems.eventTooLarge(plan.errors) : problems.validation(plan.errors));
    }
    return { feedbackId: plan.feedbackId, duplicate: plan.duplicate, revision: plan.revision };
  }

  /**
   * One feedback that already passed `validateFeedback` (a source's connector validates what it maps): published and
   * acknowledged, or answered as a duplicate; `rejected` when its event would be too large for Kafka. Throws the 503.
   */
  async acceptValidated(feedback: FeedbackDto): Promise<ItemPlan> {
    const [plan] = await this.accept([feedback]);
    return plan;
  }

  async submitBatch(body: unknown): Promise<{ results: BatchResult[] }> {
    const envelope = validateBatchEnvelope(body, MAX_BATCH_ITEMS);
    if (!envelope.ok) throw new ProblemError(problems.validation(envelope.errors, 'the batch'));

    const results: BatchResult[] = new Array(envelope.value.length);
    const valid: FeedbackDto[] = [];
    const validAt: number[] = [];
    envelope.value.forEach((item, i) => {
      const v = validateFeedback(item);
      if (v.ok) {
        valid.push(v.value);
        validAt.push(i);
      } else {
        results[i] = { errors: v.errors };
      }
    });
    const plans = await this.accept(valid);
    plans.forEach((plan, j) => {
      results[validAt[j]] = plan.kind === 'accepted' ? { feedbackId: plan.feedbackId, duplicate: plan.duplicate, revision: plan.revision } : { errors: plan.errors };
    });
    const invalid = results.reduce((n, r) => n + ('errors' in r ? 1 : 0), 0);
    if (invalid) feedbackInvalid.inc(invalid);
    return { results };
  }

  /**
   * Numbers and publishes the items (SPEC §10): each gets its revision under the locks of the feedback ids, and the
   * new revisions are reserved (RevisionStore) before anything is sent; a duplicate of the latest published content is
   * not sent again. The new ones leave in one produce call (unless they near the broker's size limit), and are marked
   * published once Kafka acknowledged them.
   */
  private async accept(items: FeedbackDto[]): Promise<ItemPlan[]> {
    if (!items.length) return [];
    const receivedAt = new Date().toISOString();
    const keys = await this.customerKeys(items);
    const seal = (e: FeedbackReceivedEvent) => sealEventWith(Topic.FeedbackReceived, e, keys.get(e.data.customer.id) as DataKey);
    const { plans, changed } = await this.revisions.reserve(items.map((f) => feedbackIdFor(f.source, f.externalId)), (known) => {
      const plan = planAcceptance(items, receivedAt, known, seal);
      return { value: plan, write: plan.changed };
    });
    const messages: PlannedMessage[] = [];
    for (const p of plans) if (p.kind === 'accepted' && p.message) messages.push(p.message);
    // nothing to send when every item is a duplicate: its revision was acknowledged already
    if (messages.length) {
      await this.publish(messages);
      await this.revisions.markPublished(changed).catch((err: Error) => {
        // Kafka has them: the answer stays 202; a resend of the same content is published again (same eventId)
        this.logger.warn({ err: err.message, feedback: changed.size }, 'revisions published but not marked so');
      });
    }
    const accepted = plans.filter((p) => p.kind === 'accepted');
    const duplicates = accepted.filter((p) => p.duplicate).length;
    const fresh = accepted.length - duplicates;
    if (fresh) feedbackAccepted.inc({ duplicate: 'false' }, fresh);
    if (duplicates) feedbackAccepted.inc({ duplicate: 'true' }, duplicates);
    return plans;
  }

  /** Each customer's data key, created on first sight, before the revisions' locks are taken (ADR 0024). */
  private async customerKeys(items: FeedbackDto[]): Promise<Map<string, DataKey>> {
    try {
      return await this.privacy.keys.keysFor(items.map((f) => f.customer.id));
    } catch (err) {
      // the driver's or the unwrap's message only: neither carries the customer id (a bound parameter)
      this.logger.warn({ err: (err as Error).message }, 'customer keys unavailable: nothing published, request answered 503');
      throw databaseUnavailable();
    }
  }

  private async publish(messages: PlannedMessage[]): Promise<void> {
    try {
      await this.kafka.send(messages);
    } catch (err) {
      if (err instanceof KafkaUnavailableError) {
        throw new ProblemError(problems.kafkaUnavailable(err.message), { 'Retry-After': String(KAFKA_RETRY_AFTER_SECONDS) });
      }
      throw err;
    }
  }
}
