import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { keptDropped } from '../../metrics';
import { DeliveryStore, type DeliveryRow, type KeptInsert } from './delivery-store';
import type { DeliveryOutcome } from './outcome';

/**
 * Writes what ops see of each delivery. Each call is one transaction, so a delivery's row and its count are
 * written together or not at all (the caller decides what a failure means for the answer: see SourceIntakeService).
 */
@Injectable()
export class DeliveryRecorder {
  constructor(private readonly ds: DataSource, private readonly store: DeliveryStore) {}

  /** A 401: the hour's count, nothing else. */
  async counted(sourceId: string, outcome: DeliveryOutcome, at: Date): Promise<void> {
    await this.store.count(this.ds.manager, sourceId, outcome, at);
  }

  /** A row of the latest deliveries and the hour's count. */
  async record(row: DeliveryRow): Promise<void> {
    await this.ds.transaction(async (m) => {
      await this.store.record(m, row);
      await this.store.count(m, row.sourceId, row.outcome, row.receivedAt);
    });
  }

  /** A 422: the payload kept, its row (pointing at it) and the count, together; returns the kept payload's id. */
  async keep(row: Omit<DeliveryRow, 'keptId'>, kept: Omit<KeptInsert, 'id'>): Promise<string> {
    const id = randomUUID();
    const dropped = await this.ds.transaction(async (m) => {
      const d = await this.store.keep(m, { ...kept, id });
      await this.store.record(m, { ...row, keptId: id });
      await this.store.count(m, row.sourceId, row.outcome, row.receivedAt);
      return d;
    });
    if (dropped.byCount) keptDropped.inc({ source: row.sourceId, why: 'count' }, dropped.byCount);
    if (dropped.byAge) keptDropped.inc({ source: row.sourceId, why: 'age' }, dropped.byAge);
    return id;
  }
}
