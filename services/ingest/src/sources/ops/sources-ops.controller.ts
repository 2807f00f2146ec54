import { Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import type { FieldError, Source } from '@closeloop/contracts';
import { Requires } from '@closeloop/platform';
import { AgentAuthGuard } from '../../http/agent-auth.guard';
import { ProblemError, problems } from '../../http/problem';
import { AGENT_BEARER, problemResponse, ref } from '../../openapi/openapi';
import { MAX_STATS_HOURS } from '../deliveries/bounds';
import { addCounts, emptyCounts, hourlySeries, windowStart } from '../deliveries/buckets';
import { DeliveryStore } from '../deliveries/delivery-store';
import { SourceIntakeService, SourcesSettings } from '../intake/source-intake.service';
import { ReplayService } from '../replay/replay.service';
import { keptIdError, readIntQuery, type IntParam } from './ops-query';

const LIMIT = (max: number, dflt: number): IntParam => ({ min: 1, max, default: dflt });

function query<K extends string>(q: Record<string, unknown>, params: Record<K, IntParam>): Record<K, number> {
  const r = readIntQuery(q, params);
  if (!r.ok) throw badQuery(r.errors);
  return r.value;
}
const badQuery = (errors: FieldError[]) => new ProblemError(problems.validation(errors, 'the query'));

/**
 * SPEC §10 "what ops see", for the console's Sources page: each source of the routing file ingest runs with, its
 * delivery counts (per hour, from every ingest instance), its latest deliveries, its kept unmappable payloads, and
 * Replay. Agent API tokens (API_TOKENS) of ops and admin (SPEC §12).
 */
@ApiTags('sources (ops)')
@ApiBearerAuth(AGENT_BEARER)
@ApiResponse({ status: 401, ...problemResponse('Missing or unknown agent API token') })
@ApiResponse({ status: 403, ...problemResponse('The token\'s agent is not ops or admin (SPEC §12); requiredRoles names who may') })
@ApiResponse({ status: 429, ...problemResponse('Too many failed sign-ins from this address') })
@Controller('v1/sources')
@UseGuards(AgentAuthGuard)
export class SourcesOpsController {
  constructor(
    private readonly ds: DataSource,
    private readonly store: DeliveryStore,
    private readonly settings: SourcesSettings,
    private readonly sources: SourceIntakeService,
    private readonly replays: ReplayService,
  ) {}

  private known(id: string): Source {
    const source = this.sources.source(id);
    if (!source) throw new ProblemError(problems.unknownSourceOps(id));
    return source;
  }

  /** Every configured source with its webhook path, its counts of the last 24 hours, and its kept payloads. */
  @Get()
  @Requires('ops.read')
  @ApiOperation({ summary: 'Every source of the routing file: webhook path, counts of the last 24 hours, kept payloads' })
  @ApiResponse({ status: 200, description: 'The sources, in routing-file order', schema: ref('SourceList') })
  @ApiResponse({ status: 400, ...problemResponse('A query parameter (none are known)') })
  async list(@Query() q: Record<string, unknown>) {
    query(q, {});
    const now = new Date();
    const since = windowStart(now, 24);
    const [totals, kept] = await Promise.all([this.store.totalsSince(this.ds.manager, since), this.store.keptSummary(this.ds.manager, now)]);
    return {
      since: since.toISOString(),
      sources: this.settings.sources.map((s) => ({
        id: s.id,
        kind: s.kind,
        touchpoint: s.touchpoint ?? null,
        metric: s.metric,
        webhook: `/v1/sources/${s.id}`,
        last24h: addCounts(emptyCounts(), totals.filter((t) => t.sourceId === s.id)),
        kept: kept.get(s.id) ?? { kept: 0, waiting: 0, dropped: 0 },
      })),
    };
  }

  /** Hourly counts per outcome, oldest first, one bucket per hour of the window (zeros included). */
  @Get(':id/stats')
  @Requires('ops.read')
  @ApiOperation({ summary: 'Hourly delivery counts per outcome (from every ingest instance)' })
  @ApiParam({ name: 'id', description: 'The source id' })
  @ApiQuery({ name: 'hours', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_STATS_HOURS, default: 24 } })
  @ApiResponse({ status: 200, description: 'One bucket per hour', schema: ref('SourceStats') })
  @ApiResponse({ status: 400, ...problemResponse('`errors` names the bad or unknown query parameter') })
  @ApiResponse({ status: 404, ...problemResponse('No such source in the routing file') })
  async stats(@Param('id') id: string, @Query() q: Record<string, unknown>) {
    const source = this.known(id);
    const { hours } = query(q, { hours: { min: 1, max: MAX_STATS_HOURS, default: 24 } });
    const now = new Date();
    const rows = await this.store.hourly(this.ds.manager, source.id, windowStart(now, hours));
    const buckets = hourlySeries(rows, now, hours);
    return { source: source.id, hours, buckets, totals: addCounts(emptyCounts(), rows) };
  }

  /** The latest deliveries, newest first: outcome, status, reason, feedbackId, kept payload, size; never a body or header. */
  @Get(':id/deliveries')
  @Requires('ops.read')
  @ApiOperation({ summary: 'The latest deliveries, newest first (bounded per source and by age)' })
  @ApiParam({ name: 'id', description: 'The source id' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, default: 50 }, description: 'At most INGEST_DELIVERIES_PER_SOURCE' })
  @ApiResponse({ status: 200, description: 'Deliveries', schema: ref('DeliveryList') })
  @ApiResponse({ status: 400, ...problemResponse('`errors` names the bad or unknown query parameter') })
  @ApiResponse({ status: 404, ...problemResponse('No such source in the routing file') })
  async deliveries(@Param('id') id: string, @Query() q: Record<string, unknown>) {
    const source = this.known(id);
    const { limit } = query(q, { limit: LIMIT(this.settings.bounds.deliveriesPerSource, 50) });
    const rows = await this.store.latest(this.ds.manager, source.id, limit, new Date());
    return { source: source.id, deliveries: rows.map(({ sourceId: _s, ...d }) => d) };
  }

  /** The kept payloads, newest first, without their bodies. */
  @Get(':id/kept')
  @Requires('ops.read')
  @ApiOperation({ summary: 'The kept unmappable payloads, newest first, without their bodies' })
  @ApiParam({ name: 'id', description: 'The source id' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, default: 100 }, description: 'At most INGEST_KEPT_PER_SOURCE' })
  @ApiResponse({ status: 200, description: 'Kept payloads', schema: ref('KeptList') })
  @ApiResponse({ status: 400, ...problemResponse('`errors` names the bad or unknown query parameter') })
  @ApiResponse({ status: 404, ...problemResponse('No such source in the routing file') })
  async kept(@Param('id') id: string, @Query() q: Record<string, unknown>) {
    const source = this.known(id);
    const { limit } = query(q, { limit: LIMIT(this.settings.bounds.keptPerSource, 100) });
    const items = await this.store.keptList(this.ds.manager, source.id, limit, new Date());
    return { source: source.id, kept: items.map(({ sourceId: _s, ...k }) => k) };
  }

  /** One kept payload with its body (as text) and, for qualtrics / surveymonkey, the answers fetched with it. */
  @Get(':id/kept/:keptId')
  @Requires('ops.read')
  @ApiOperation({ summary: 'One kept payload with its body (it may carry personal data: for fixing the routing file only)' })
  @ApiResponse({ status: 200, description: 'The kept payload', schema: ref('KeptPayload') })
  @ApiResponse({ status: 400, ...problemResponse('keptId is not a UUID') })
  @ApiResponse({ status: 404, ...problemResponse('No such kept payload (it may have been dropped by the bounds)') })
  async keptOne(@Param('id') id: string, @Param('keptId') keptId: string, @Query() q: Record<string, unknown>) {
    query(q, {});
    const bad = keptIdError(keptId);
    if (bad) throw new ProblemError(problems.validation([bad], 'the path'));
    const k = await this.store.keptPayload(this.ds.manager, id, keptId, false);
    if (!k) throw new ProblemError(problems.unknownKept(id, keptId));
    const { sourceId: _s, body, ...item } = k;
    return { source: id, ...item, body: body.toString('utf8') };
  }

  /** Maps the kept payload again with the current routing file: 202 / 200 ignored / 422 / 409 / 503 (replay.service.ts). */
  @Post(':id/kept/:keptId/replay')
  @Requires('ops.replay')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Replay a kept payload with the routing file ingest runs with now',
    description: 'Mappable → published like a fresh delivery (202 only after Kafka acknowledged), and marked replayed. ' +
      'Replayed before → 202 duplicate, nothing published again. Still unmappable → 422 with the current errors; it stays kept.',
  })
  @ApiResponse({ status: 202, description: 'Accepted: durable on Kafka', schema: ref('Replayed') })
  @ApiResponse({ status: 200, description: 'The mapping now ignores it (marked replayed)', schema: ref('ReplayIgnored') })
  @ApiResponse({ status: 400, ...problemResponse('keptId is not a UUID') })
  @ApiResponse({ status: 404, ...problemResponse('No such kept payload') })
  @ApiResponse({ status: 409, ...problemResponse('Its source is no longer in the routing file, or is now another kind') })
  @ApiResponse({ status: 422, ...problemResponse('Still unmappable: `errors` names what is missing now') })
  @ApiResponse({ status: 503, ...problemResponse('Kafka, Postgres or the survey tool\'s API did not answer: nothing was published, it stays kept') })
  async replay(@Param('id') id: string, @Param('keptId') keptId: string, @Res({ passthrough: true }) res: { status(code: number): unknown }) {
    const bad = keptIdError(keptId);
    if (bad) throw new ProblemError(problems.validation([bad], 'the path'));
    const answer = await this.replays.replay(id, keptId);
    res.status(answer.status);
    return answer.body;
  }
}
