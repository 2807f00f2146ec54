import { Injectable } from '@nestjs/common';
import { FeedbackDto, FieldError } from '@closeloop/contracts';
import { KafkaUnavailableError } from '@closeloop/messaging';
import { MAX_BATCH_ITEMS } from '../config';
import { KAFKA_RETRY_AFTER_SECONDS, ProblemError, problems } from '../http/problem';
import { KafkaLink } from '../kafka/kafka-link';
import { DatabaseGate } from '../persistence/database-gate';
import { feedbackAccepted, feedbackInvalid } from '../metrics';
import { ItemPlan, PlannedMessage, planAcceptance } from './feedback-event';
import { validateBatchEnvelope, validateFeedback } from './feedback-validation';
import { RecentIds } from './recent-ids';

export interface Accepted {
  feedbackId: string;
  duplicate: boolean;
}
export type BatchResult = Accepted | { errors: FieldError[] };

/** How many acknowledged feedback ids a process remembers to answer `duplicate: true` (about 10 MB). */
export const RECENT_IDS_CAPACITY = 100_000;

/** SPEC §4: validate, publish `feedback.received`, and answer only after Kafka acknowledged (503 while Postgres or Kafka is down). */
@Injectable()
export class IntakeService {
  private readonly recent = new RecentIds(RECENT_IDS_CAPACITY);
  private readonly isRecent = (id: string) => this.recent.has(id);

  constructor(private readonly kafka: KafkaLink, private readonly database: DatabaseGate) {}

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
    return { feedbackId: plan.feedbackId, duplicate: plan.duplicate };
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
      results[validAt[j]] = plan.kind === 'accepted' ? { feedbackId: plan.feedbackId, duplicate: plan.duplicate } : { errors: plan.errors };
    });
    const invalid = results.reduce((n, r) => n + ('errors' in r ? 1 : 0), 0);
    if (invalid) feedbackInvalid.inc(invalid);
    return { results };
  }

  /** Publishes the new items (in one produce call unless they near the broker's size limit) and remembers their ids. */
  private async accept(items: FeedbackDto[]): Promise<ItemPlan[]> {
    if (!items.length) return [];
    await this.database.ensureReachable();
    const plans = planAcceptance(items, new Date().toISOString(), this.isRecent);
    const messages: PlannedMessage[] = [];
    for (const p of plans) if (p.kind === 'accepted' && p.message) messages.push(p.message);
    try {
      // nothing to send when every item is a duplicate: its first copy was acknowledged already
      if (messages.length) await this.kafka.send(messages);
    } catch (err) {
      if (err instanceof KafkaUnavailableError) {
        throw new ProblemError(problems.kafkaUnavailable(err.message), { 'Retry-After': String(KAFKA_RETRY_AFTER_SECONDS) });
      }
      throw err;
    }
    let fresh = 0;
    let duplicates = 0;
    for (const p of plans) {
      if (p.kind !== 'accepted') continue;
      if (p.duplicate) duplicates++;
      else {
        fresh++;
        this.recent.add(p.feedbackId);
      }
    }
    if (fresh) feedbackAccepted.inc({ duplicate: 'false' }, fresh);
    if (duplicates) feedbackAccepted.inc({ duplicate: 'true' }, duplicates);
    return plans;
  }
}
