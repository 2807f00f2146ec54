import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { ErasureProgressData, ErasureRequestedData, Topic, erasureProgressEvent, makeEnvelope } from '@closeloop/contracts';
import { Outbox } from '@closeloop/messaging';
import { CustomerKeyStore } from '@closeloop/platform';
import { SERVICE, TicketsConfig } from '../config';
import { inTransaction } from '../tickets/tx';
import { LOGGER, TICKETS_CONFIG } from '../tokens';
import { anonymise, totalOf } from './erase-customer';
import { overallStatus, storesView } from './erasure-rules';
import { ErasureRecord, ErasureRepository } from './erasure.repository';

const BATCH = 20;

export interface ErasureRequestOutcome {
  erasureId: string;
  /** a new erasure (false: the customer's unfinished one answered) */
  created: boolean;
  /** the request went out again for the same erasure (an admin retrying one that failed) */
  republished: boolean;
}

/**
 * SPEC §13, ADR 0026: tickets orchestrates the erasure of a customer. It records the request and asks every participant
 * (`customer.erasure_requested`), erases its own store like any participant, folds everyone's progress into the
 * erasure's status, and, when every participant is done, deletes the customer's data key last (the `kafka` store).
 */
@Injectable()
export class ErasureService {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: Outbox,
    private readonly keys: CustomerKeyStore,
    private readonly repo: ErasureRepository,
    @Inject(TICKETS_CONFIG) private readonly cfg: TicketsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * POST /v1/customers/:id/erase. The erasure row and the request event in one transaction. While the customer has an
   * unfinished erasure its id is answered; if a store of it failed, the request goes out again for the same erasure
   * (the retry: participants redo their idempotent work and report again).
   */
  async request(customerId: string, agentId: string, now = new Date()): Promise<ErasureRequestOutcome> {
    return inTransaction(this.ds, async ({ m }) => {
      for (let round = 0; round < 3; round++) {
        const id = randomUUID();
        if (await this.repo.insertUnlessUnfinished(m, { id, customerId, requestedBy: agentId, requestedAt: now })) {
          await this.publishRequest(m, { erasureId: id, customerId, requestedBy: agentId, requestedAt: now.toISOString() });
          return { erasureId: id, created: true, republished: false };
        }
        const current = await this.repo.unfinishedForUpdate(m, customerId);
        if (!current) continue; // it finished between our INSERT and our SELECT: a new one
        const failed = overallStatus(await this.repo.progress(m, current.id)) === 'failed';
        if (failed) await this.publishRequest(m, { erasureId: current.id, customerId, requestedBy: agentId, requestedAt: now.toISOString() });
        return { erasureId: current.id, created: false, republished: failed };
      }
      throw new Error('could not record the erasure; try again');
    });
  }

  private publishRequest(m: EntityManager, data: ErasureRequestedData): Promise<void> {
    return this.outbox.add(m, Topic.PrivacyEvents, data.customerId, makeEnvelope('customer.erasure_requested', data, SERVICE));
  }

  /** GET /v1/erasures/:id, or null when unknown. */
  async view(id: string) {
    const e = await this.repo.find(this.ds.manager, id);
    if (!e) return null;
    const progress = await this.repo.progress(this.ds.manager, id);
    return {
      erasureId: e.id, customerId: e.customerId, requestedBy: e.requestedBy, requestedAt: e.requestedAt.toISOString(),
      status: overallStatus(progress), stores: storesView(progress),
    };
  }

  /**
   * The tickets participant (in the inbox's transaction, eraseOnce): every copy of the customer in the tickets schema
   * anonymised. Returns the rows changed.
   */
  async eraseTicketsStore(m: EntityManager, customerId: string): Promise<number> {
    return totalOf(await anonymise(m, this.cfg.database.schema, { kind: 'customer', customerId }));
  }

  /** The key step's answer (`kafka`): it has no request of its own, so the answer derives from the erasure's id. */
  private publishKeyProgress(m: EntityManager, erasureId: string, customerId: string, erased: number): Promise<void> {
    const answering = { eventId: erasureId, data: { erasureId, customerId } };
    return this.outbox.add(m, Topic.PrivacyEvents, customerId, erasureProgressEvent(answering, { store: 'kafka', status: 'done', erased, by: SERVICE }));
  }

  /** A store's progress, folded into the erasure (the `kafka` store is tickets' own row, never taken from the topic). */
  async recordProgress(m: EntityManager, p: ErasureProgressData, at: Date): Promise<'recorded' | 'unknown' | 'ignored'> {
    if (p.store === 'kafka') return 'ignored';
    return (await this.repo.recordProgress(m, p, at)) ? 'recorded' : 'unknown';
  }

  /**
   * The `kafka` step, resumable (the periodic job and after each progress): (1) erasures whose every participant is done
   * get their customer's key deleted (a tombstone stays) and `key_deleted_at` stamped, in one transaction; (2) those
   * whose key went `CLOSELOOP_KEY_CACHE_MS` ago, when every instance's cache has forgotten it, get the tickets store
   * swept once more (an event read before the key went may have brought texts back), `kafka` done and the erasure
   * finished. Rows are locked `FOR UPDATE SKIP LOCKED`: two instances never act on one erasure at once, and each half
   * is stamped in the transaction that does it, so a crash anywhere resumes at the next pass.
   */
  async keyStep(now = new Date()): Promise<{ keysDeleted: number; finished: number }> {
    let keysDeleted = 0;
    let finished = 0;
    for (;;) {
      const deleted = await inTransaction(this.ds, async ({ m }) => {
        const ready = await this.repo.readyForKeyDeletion(m, BATCH);
        for (const e of ready) await this.repo.markKeyDeleted(m, e.id, await this.keys.erase(e.customerId, m), now);
        return ready;
      });
      keysDeleted += deleted.length;
      for (const e of deleted) this.logger.info({ erasureId: e.id }, 'erasure: customer key deleted; waiting for every key cache to forget it');
      if (deleted.length < BATCH) break;
    }
    const keyGoneBefore = new Date(now.getTime() - this.cfg.privacy.keyCacheMs);
    for (;;) {
      const done: ErasureRecord[] = await inTransaction(this.ds, async ({ m }) => {
        const ready = await this.repo.readyToFinish(m, keyGoneBefore, BATCH);
        for (const e of ready) {
          await anonymise(m, this.cfg.database.schema, { kind: 'customer', customerId: e.customerId });
          const erased = e.keyExisted ? 1 : 0;
          await this.repo.recordProgress(m, { erasureId: e.id, customerId: e.customerId, store: 'kafka', status: 'done', erased, by: SERVICE }, now);
          await this.repo.markDone(m, e.id, now);
          await this.publishKeyProgress(m, e.id, e.customerId, erased);
        }
        return ready;
      });
      finished += done.length;
      for (const e of done) this.logger.info({ erasureId: e.id }, 'erasure done');
      if (done.length < BATCH) break;
    }
    return { keysDeleted, finished };
  }
}
