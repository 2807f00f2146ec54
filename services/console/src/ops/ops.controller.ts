import { BadRequestException, Body, Controller, Get, HttpCode, HttpException, Post, Query, Req, UseGuards, UseFilters } from '@nestjs/common';
import { ProblemFilter } from '../problem.filter';
import { AuthedRequest, BearerGuard, signedInAgent } from '../auth/bearer.guard';
import { KafkaOps } from './kafka-ops';
import { lagTotals } from './lag';
import { DlqWatcher } from './dlq-watcher';
import { DlqReplay } from './dlq-replay';
import { DLQ_TOPICS, describeDeadLetter } from './dead-letters';
import { ServiceProbes } from './service-probes';
import { DeliveryStats } from './delivery-stats';
import { StageLatency } from './stage-latency';

/** The ops dashboard's data. Health is open (like every service's /health); the rest needs a signed-in token. */
@UseFilters(ProblemFilter)
@Controller('api/ops')
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
  @UseGuards(BearerGuard)
  topics() {
    return { topics: this.kafka.topicStats() };
  }

  @Get('lag')
  @UseGuards(BearerGuard)
  async lag(@Query('group') group?: string) {
    const partitions = await this.kafka.lag(group || undefined);
    return { partitions, totals: lagTotals(partitions) };
  }

  @Get('dlq')
  @UseGuards(BearerGuard)
  async dlq(@Query('limit') limit?: string) {
    const n = Math.min(100, Math.max(1, Number(limit) || 20));
    const stats = new Map(this.kafka.topicStats().map((t) => [t.topic, t]));
    return {
      topics: await Promise.all(
        DLQ_TOPICS.map(async (topic) => {
          const replays = new Map((await this.replays.recentFor(topic)).map((r) => [`${r.dlqPartition}/${r.dlqOffset}`, r]));
          return {
            topic,
            depth: stats.get(topic)?.retained ?? null,
            latest: this.watcher.recent(topic, n).map((d) => ({ ...describeDeadLetter(d), replay: replays.get(`${d.partition}/${d.offset}`) ?? null })),
          };
        }),
      ),
    };
  }

  /** Puts a dead letter back on its original topic; a second call for the same one returns the first replay. */
  @Post('dlq/replay')
  @HttpCode(200)
  @UseGuards(BearerGuard)
  async replay(@Req() req: AuthedRequest, @Body() body: { topic?: unknown; partition?: unknown; offset?: unknown }) {
    const errors: { field: string; message: string }[] = [];
    if (typeof body?.topic !== 'string' || !body.topic) errors.push({ field: 'topic', message: `must be one of ${DLQ_TOPICS.join(', ')}` });
    if (!Number.isInteger(body?.partition) || (body.partition as number) < 0) errors.push({ field: 'partition', message: 'must be an integer ≥ 0' });
    const offset = typeof body?.offset === 'number' ? String(body.offset) : body?.offset;
    if (typeof offset !== 'string' || !/^\d+$/.test(offset)) errors.push({ field: 'offset', message: 'must be a non-negative integer (number or string)' });
    if (errors.length) throw new BadRequestException({ message: 'invalid replay request', errors });
    const outcome = await this.replays.replay(body.topic as string, body.partition as number, offset as string, signedInAgent(req));
    if (!outcome.ok) throw new HttpException(outcome.reason, outcome.status);
    return { replayed: outcome.replayed, replay: outcome.replay };
  }

  @Get('deliveries')
  @UseGuards(BearerGuard)
  deliveriesByChannel() {
    return { byChannelAndOutcome: this.deliveries.byChannelAndOutcome(), recentFailures: this.deliveries.recentFailures() };
  }

  @Get('latency')
  @UseGuards(BearerGuard)
  async stageLatency() {
    return {
      // measured by the console from the events it consumes (milliseconds)
      endToEnd: this.latency.samples.summary(),
      // from the services' Prometheus histograms (milliseconds)
      services: await this.probes.latency(),
    };
  }
}
