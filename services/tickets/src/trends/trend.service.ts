import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RoutingConfig, Topic, TrendEventData, TrendEventType, Trends, deterministicId, makeEnvelope } from '@closeloop/contracts';
import { Outbox } from '@closeloop/messaging';
import { SERVICE } from '../config';
import { ROUTING } from '../tokens';
import { inTransaction } from '../tickets/tx';
import { BASELINE_MS, decideTrends } from './trend-rules';
import { TrendRecord, TrendRepository } from './trend.repository';

export interface TrendPassResult {
  opened: number;
  updated: number;
  ended: number;
}

/**
 * One trend pass (SPEC §12, ADR 0020): counts the groups at `now`, decides with the pure rules, and writes each
 * opened/updated/ended trend with its `trend.*` event (outbox) in one transaction. Passes are serialised across
 * instances by an advisory lock, so a spike opens one trend however many instances run.
 */
@Injectable()
export class TrendService {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: TrendRepository,
    private readonly outbox: Outbox,
    @Inject(ROUTING) private readonly routing: RoutingConfig,
  ) {}

  get rule(): Trends | undefined {
    return this.routing.trends;
  }

  async pass(now = new Date()): Promise<TrendPassResult> {
    const rule = this.routing.trends;
    const result = { opened: 0, updated: 0, ended: 0 };
    if (!rule) return result;
    return inTransaction(this.ds, async ({ m }) => {
      await this.repo.lockPass(m);
      const windowFrom = new Date(now.getTime() - rule.windowMs);
      const groups = await this.repo.groupCounts(m, rule.by, now, windowFrom, new Date(windowFrom.getTime() - BASELINE_MS));
      const open = await this.repo.openTrends(m);
      for (const d of decideTrends(rule, groups, open)) {
        if (d.kind === 'open') {
          const g = d.group;
          const t = await this.repo.insert(m, g.key, {
            id: randomUUID(), team: g.team, group: g.group, count: g.count, peak: g.count, baseline: d.baseline, ticketIds: g.ticketIds, openedAt: now,
          });
          await this.emit(m, 'trend.opened', t, rule.window, now);
          result.opened++;
        } else if (d.kind === 'update') {
          const t = await this.repo.update(m, d.trend.id, { count: d.group.count, peak: d.peak, baseline: d.baseline, ticketIds: d.ticketIds });
          await this.emit(m, 'trend.updated', t, rule.window, now);
          result.updated++;
        } else {
          const t = await this.repo.end(m, d.trend.id, now);
          await this.emit(m, 'trend.ended', t, rule.window, now);
          result.ended++;
        }
      }
      return result;
    });
  }

  private async emit(m: DataSource['manager'], type: TrendEventType, t: TrendRecord, window: string, at: Date): Promise<void> {
    const data: TrendEventData = {
      trendId: t.id, status: t.status, team: t.team, group: t.group, window, count: t.count, peak: t.peak, baseline: t.baseline,
      ticketIds: t.ticketIds, openedAt: t.openedAt.toISOString(), ...(t.endedAt && { endedAt: t.endedAt.toISOString() }), version: t.version,
    };
    // one event per trend version: a pass retried after a rollback writes the same id
    const event = makeEnvelope(type, data, SERVICE, { eventId: deterministicId('trend', t.id, String(t.version)), occurredAt: at });
    await this.outbox.add(m, Topic.TrendEvents, t.id, event);
  }
}
