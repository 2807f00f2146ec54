import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Agent, RoutingConfig, teamById } from '@closeloop/contracts';
import { Requires, teamInScope } from '@closeloop/platform';
import { buildSummary } from '../domain/report';
import { CLAIM_BUCKET_EDGES_MS, buildTimeseries } from '../domain/timeseries';
import { TicketRepository } from '../persistence/ticket.repository';
import { ROUTING } from '../tokens';
import { AgentAuthGuard, CurrentAgent } from './auth.guard';
import { ReportQuery } from './dto';
import { badRequest, validated } from './problem';
import { AgentApi, ApiRoute } from '../openapi/openapi';

const DAY_MS = 86_400_000;
/** The longest report window: the database aggregates, but a window is still a scan of its tickets. */
export const MAX_REPORT_DAYS = 366;

@Controller('v1/reports')
@UseGuards(AgentAuthGuard)
@AgentApi('reports')
export class ReportsController {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: TicketRepository,
    @Inject(ROUTING) private readonly routing: RoutingConfig,
  ) {}

  /** Counts, times to claim/resolve, SLA breach rate, root causes, recovery rate and NPS, overall and per team; default: the last 30 days. */
  @ApiRoute({ summary: 'Report over a window (from, to): counts, medians, SLA, root causes, recovery (lead: their team; admin: team=)', ok: { status: 200, schema: 'ReportSummary' }, problems: [400, 403] })
  @Get('summary')
  @Requires('reports.read')
  async summary(@Query() query: unknown, @CurrentAgent() agent: Agent) {
    const { from, to, team } = this.reportScope(query, agent);
    const m = this.ds.manager;
    const [groups, durations, rootCauseCounts, recovery, npsCounts] = await Promise.all([
      this.repo.ticketGroups(m, from, to, team),
      this.repo.ticketDurations(m, from, to, team),
      this.repo.rootCauseCounts(m, from, to, team),
      this.repo.recovery(m, from, to, team),
      this.repo.npsCounts(m, from, to, team),
    ]);
    return buildSummary({ from, to, groups, durations, rootCauseCounts, recovery, npsCounts, rootCauses: this.routing.rootCauses });
  }

  /** Opened and resolved per UTC day, NPS per touchpoint per week, time-to-claim buckets; the same window and team rules. */
  @ApiRoute({ summary: 'Time series over a window: opened and resolved per day, NPS per touchpoint per week, time to claim (lead: their team; admin: team=)', ok: { status: 200, schema: 'ReportTimeseries' }, problems: [400, 403] })
  @Get('timeseries')
  @Requires('reports.read')
  async timeseries(@Query() query: unknown, @CurrentAgent() agent: Agent) {
    const { from, to, team } = this.reportScope(query, agent);
    const m = this.ds.manager;
    const [opened, resolved, nps, claimTimes] = await Promise.all([
      this.repo.openedPerDay(m, from, to, team),
      this.repo.resolvedPerDay(m, from, to, team),
      this.repo.npsPerWeek(m, from, to, team),
      this.repo.claimTimeCounts(m, from, to, team, CLAIM_BUCKET_EDGES_MS),
    ]);
    return buildTimeseries({ from, to, team, opened, resolved, nps, claimTimes });
  }

  /**
   * [from, to) and the team of a report: default the last 30 days; empty or longer than MAX_REPORT_DAYS → 400; an
   * unknown team → 400. A lead reads their own team's numbers: another team is refused, no team means theirs (SPEC §12).
   */
  private reportScope(query: unknown, agent: Agent): { from: Date; to: Date; team: string | null } {
    const q = validated(ReportQuery, query, 'query');
    if (q.team !== undefined && !teamById(this.routing, q.team)) {
      throw badRequest('the report filter has invalid values', [{ field: 'team', message: `unknown team "${q.team}" (teams: ${this.routing.teams.map((t) => t.id).join(', ')})` }]);
    }
    const team = teamInScope(agent, 'reports.read', q.team);
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (from.getTime() >= to.getTime()) throw badRequest('the report window is empty', [{ field: 'from', message: 'must be before to' }]);
    if (to.getTime() - from.getTime() > MAX_REPORT_DAYS * DAY_MS) {
      throw badRequest(`the report window is longer than ${MAX_REPORT_DAYS} days`, [{ field: 'from', message: `must be at most ${MAX_REPORT_DAYS} days before to` }]);
    }
    return { from, to, team };
  }
}
