import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { IsIn, IsOptional } from 'class-validator';
import { DataSource } from 'typeorm';
import { Agent, TREND_STATUSES, TrendStatus } from '@closeloop/contracts';
import { Requires, scopeOf } from '@closeloop/platform';
import { AgentAuthGuard, CurrentAgent } from '../api/auth.guard';
import { validated } from '../api/problem';
import { AgentApi, ApiRoute } from '../openapi/openapi';
import { TrendRecord, TrendRepository } from './trend.repository';

class TrendQuery {
  @IsOptional() @IsIn(TREND_STATUSES as unknown as string[], { message: 'must be open or ended' })
  status?: TrendStatus;
}

const LIMIT = 100;

const view = (t: TrendRecord) => ({
  id: t.id, team: t.team, group: t.group, status: t.status, count: t.count, peak: t.peak, baseline: t.baseline,
  ticketIds: t.ticketIds, openedAt: t.openedAt.toISOString(), endedAt: t.endedAt?.toISOString() ?? null,
});

/** SPEC §12: the trend alerts, newest first (the latest 100), for the console; a team's agents see their team's. */
@AgentApi('trends')
@Controller('v1/trends')
@UseGuards(AgentAuthGuard)
export class TrendsController {
  constructor(private readonly ds: DataSource, private readonly repo: TrendRepository) {}

  @ApiRoute({ summary: 'Trend alerts (status=open|ended), newest first; agents and leads see their own team\'s', ok: { status: 200, schema: 'TrendList' }, problems: [400] })
  @Get()
  @Requires('tickets.read')
  async list(@Query() query: unknown, @CurrentAgent() agent: Agent) {
    const q = validated(TrendQuery, query, 'query');
    const items = await this.repo.list(this.ds.manager, q.status, scopeOf(agent, 'tickets.read'), LIMIT);
    return { items: items.map(view) };
  }
}
