import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { FieldError } from '@closeloop/contracts';
import { Logger, SERVICE_LOGGER } from '@closeloop/platform';
import { IntakeService } from '../../feedback/intake.service';
import { ProblemError, problems } from '../../http/problem';
import { keptReplays } from '../../metrics';
import { DeliveryStore } from '../deliveries/delivery-store';
import { CONNECTORS } from '../index';
import { SourceIntakeService } from '../intake/source-intake.service';

export type ReplayAnswer =
  | { status: 202; body: { feedbackId: string; duplicate: boolean; keptId: string; replayedAt: string } }
  | { status: 200; body: { ignored: string; keptId: string; replayedAt: string } };

/** What the replay decided inside its transaction; a 422 is thrown only after the transaction committed its new errors. */
type Decided = ReplayAnswer | { status: 422; errors: FieldError[] };

/**
 * SPEC §10 Replay: a kept (422) payload mapped again with the routing file ingest runs with now (ops fix the file,
 * restart ingest, press Replay). Its authenticity was checked when it arrived; it is not checked again (the
 * secret may have been rotated since).
 *
 * - mappable → published exactly like a fresh delivery (`202` only after Kafka acknowledged; `503` otherwise, and it
 *   stays kept as it was). The kept payload stays listed, marked replayed with its feedbackId, until the age or count
 *   bound drops it: ops see what became of it.
 * - replayed already → `202 duplicate: true` with the feedbackId it got, and nothing is published again (two replays
 *   of one payload queue up on its row lock, so even two at once publish once).
 * - still unmappable → `422` with the current errors, which replace the kept reason; it stays kept.
 * - ignored now (e.g. the routing file now says the survey is another one's) → `200 {ignored}`, marked replayed.
 * - its source is gone from the routing file, or is now another kind → `409`.
 *
 * Replays are not deliveries: they add nothing to the delivery counts or the latest deliveries (the kept payload's
 * own row shows the replay), and are counted in `closeloop_source_replays_total`.
 */
@Injectable()
export class ReplayService {
  /**
   * Replays of this process run one at a time: each holds a pooled connection (its row lock) while it publishes, and
   * the publish needs another one (the revision transaction, persistence/revision-store.ts); one at a time, a replay can
   * never take the pool's last one.
   */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ds: DataSource,
    private readonly store: DeliveryStore,
    private readonly sources: SourceIntakeService,
    private readonly intake: IntakeService,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  replay(sourceId: string, keptId: string): Promise<ReplayAnswer> {
    const turn = this.queue.then(() => this.replayNow(sourceId, keptId));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async replayNow(sourceId: string, keptId: string): Promise<ReplayAnswer> {
    let published: ReplayAnswer | undefined;
    let decided: Decided;
    try {
      decided = await this.ds.transaction(async (m): Promise<Decided> => {
        const kept = await this.store.keptPayload(m, sourceId, keptId, true);
        if (!kept) throw new ProblemError(problems.unknownKept(sourceId, keptId));
        const source = this.sources.source(sourceId);
        if (!source) {
          this.counted(sourceId, 'conflict');
          throw new ProblemError(problems.sourceChanged(`source "${sourceId}" is not in the routing file ingest runs with: add it back (and restart ingest) to replay its kept payloads`));
        }
        if (source.kind !== kept.kind) {
          this.counted(sourceId, 'conflict');
          throw new ProblemError(problems.sourceChanged(`source "${sourceId}" is now kind ${source.kind}; this payload was kept from a ${kept.kind} delivery and cannot be read as ${source.kind}`));
        }
        if (kept.replayedAt && kept.feedbackId) {
          this.counted(sourceId, 'duplicate');
          return { status: 202, body: { feedbackId: kept.feedbackId, duplicate: true, keptId, replayedAt: kept.replayedAt.toISOString() } };
        }

        const payload = CONNECTORS[source.kind].parse(kept.body);
        const mapped = await this.sources.map(source, payload, kept.receivedAt, kept.fetched === null ? undefined : { body: JSON.parse(kept.fetched) as unknown });
        if (mapped.outcome === 'fetch_failed') {
          this.counted(sourceId, 'unavailable');
          throw new ProblemError(problems.sourceApiUnavailable(mapped.reason), { 'Retry-After': '30' });
        }
        const now = new Date();
        const result = mapped.result;
        if (result.outcome === 'ignored') {
          await this.store.markReplayed(m, keptId, 'ignored', null, now);
          this.counted(sourceId, 'ignored');
          return { status: 200, body: { ignored: result.reason, keptId, replayedAt: now.toISOString() } };
        }
        const errors = result.outcome === 'unmappable' ? result.errors : null;
        if (errors || result.outcome !== 'feedback') {
          const current = errors ?? [];
          await this.store.stillUnmappable(m, keptId, problems.unmappable(current).detail, current);
          this.counted(sourceId, 'unmappable');
          return { status: 422, errors: current };
        }
        let plan: Awaited<ReturnType<IntakeService['acceptValidated']>>;
        try {
          plan = await this.intake.acceptValidated(result.feedback);
        } catch (err) {
          if (err instanceof ProblemError && err.problem.status === 503) this.counted(sourceId, 'unavailable');
          throw err;
        }
        if (plan.kind === 'rejected') {
          await this.store.stillUnmappable(m, keptId, problems.unmappable(plan.errors).detail, plan.errors);
          this.counted(sourceId, 'unmappable');
          return { status: 422, errors: plan.errors };
        }
        const outcome = plan.duplicate ? 'duplicate' : 'accepted';
        published = { status: 202, body: { feedbackId: plan.feedbackId, duplicate: plan.duplicate, keptId, replayedAt: now.toISOString() } };
        this.counted(sourceId, outcome);
        await this.store.markReplayed(m, keptId, outcome, plan.feedbackId, now, result.feedback.customer.id);
        return published;
      });
    } catch (err) {
      // Kafka has the feedback: a failed write of "replayed" must not turn the 202 into an error (a second replay
      // would publish the same event id again, which every consumer's inbox drops)
      if (!published) throw err;
      this.logger.error({ source: sourceId, keptId, err: (err as Error).message }, 'replayed payload published but not marked replayed');
      return published;
    }
    if (decided.status === 422) throw new ProblemError(problems.unmappable(decided.errors));
    this.logger.info({ source: sourceId, keptId, status: decided.status }, 'kept payload replayed');
    return decided;
  }

  private counted(sourceId: string, outcome: string): void {
    keptReplays.inc({ source: sourceId, outcome });
  }
}
