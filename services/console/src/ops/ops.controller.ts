import { Body, Controller, Get, HttpCode, HttpException, Post, Query, Req, UseGuards } from '@nestjs/common';
import { Requires, authorize, validated } from '@closeloop/platform';
import { AuthedRequest, BearerGuard, signedInAgent, signedInAs } from '../auth/bearer.guard';
import { ReplayRequest } from './replay-request';
import { KafkaOps } from './kafka-ops';
import { lagByGroup, lagTotals } from './lag';
import { DlqWatcher } from './dlq-watcher';
import { DlqReplay } from './dlq-replay';
import { DLQ_TOPICS, describeDeadLetter } from './dead-letters';
import { ServiceProbes } from './service-probes';
import { DeliveryStats } from './delivery-stats';
import { StageLatency } from './stage-latency';

/**
 * The ops dashboard's data, for ops and admin (SPEC §12); dead letters' personal fields are masked unless the viewer is admin. (The services' own /health stays open for probes; this one
 * fans out to every service, so it is behind the token and answered from one shared probe round.)
 */
@Controller('api/ops')
@UseGuards(BearerGuard)
@Requires('ops.read')
export class OpsController {
  constructor(
    private readonly kafka: KafkaOps,
    private readonly watcher: DlqWatcher,
    private readonly replays: DlqReplay,
    private readonly probes: ServiceProbes,
    private readonly deliveries: DeliveryStats,
    private readonly latency: StageLatency,
  ) {}

  @Get('health')
  async health() {
    return { services: await this.probes.health() };
  }

  @Get('topics')
  topics() {
    return { topics: this.kafka.topicStats() };
  }

  @Get('lag')
  async lag(@Query('group') group?: string) {
    const partitions = await this.kafka.lag(group || undefined);
    const groups = lagByGroup(partitions).map((g) => ({ ...g, history: this.kafka.lagHistory.of(g.group) }));
    return { groups, partitions, totals: lagTotals(partitions) };
  }

  @Get('dlq')
  async dlq(@Req() req: AuthedRequest, @Query('limit') limit?: string) {
    const personalData = authorize(signedInAs(req), 'personal-data.read') === null;
    const n = Math.min(100, Math.max(1, Number(limit) || 20));
    const stats = new Map(this.kafka.topicStats().map((t) => [t.topic, t]));
    return {
      topics: await Promise.all(
        DLQ_TOPICS.map(async (topic) => {
          const replays = new Map((await this.replays.recentFor(topic)).map((r) => [`${r.dlqPartition}/${r.dlqOffset}`, r]));
          return {
            topic,
            depth: stats.get(topic)?.retained ?? null,
            latest: this.watcher.recent(topic, n).map((d) => ({ ...describeDeadLetter(d, { personalData }), replay: replays.get(`${d.partition}/${d.offset}`) ?? null })),
          };
        }),
      ),
    };
  }

  /** Puts a dead letter back on its original topic; a second call for the same one returns the first replay. */
  @Post('dlq/replay')
  @Requires('ops.replay')
  @HttpCode(200)
  async replay(@Req() req: AuthedRequest, @Body() body: unknown) {
    const r = validated(ReplayRequest, body, 'body');
    const outcome = await this.replays.replay(r.topic, r.partition, String(r.offset), signedInAgent(req));
    if (!outcome.ok) throw new HttpException(outcome.reason, outcome.status);
    return { replayed: outcome.replayed, replay: outcome.replay };
  }

  @Get('deliveries')
  deliveriesByChannel() {
    return { byChannelAndOutcome: this.deliveries.byChannelAndOutcome(), recentFailures: this.deliveries.recentFailures() };
  }

  @Get('latency')
  async stageLatency() {
    return {
      // measured by the console from the events it consumes (milliseconds)
      endToEnd: this.latency.samples.summary(),
      // from the services' Prometheus histograms (milliseconds)
      services: await this.probes.latency(),
    };
  }
}
