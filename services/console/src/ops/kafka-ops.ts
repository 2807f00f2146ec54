import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { createKafka } from '@closeloop/messaging';
import { CONSOLE_CONFIG, CONSOLE_LOGGER } from '../tokens';
import type { ConsoleConfig } from '../config';
import { LagHistory, LagRow, PartitionEnds, lagRows } from './lag';
import { RateTracker } from './rate';

export interface TopicStats {
  topic: string;
  partitions: number;
  /** sum of log end offsets: every message ever written */
  endOffset: number;
  /** messages still retained (end − start) */
  retained: number;
  inPerSec: number | null;
  out: { group: string; perSec: number | null }[];
}

/**
 * The console's view of the cluster through the kafkajs admin API, limited to this stack's KAFKA_TOPIC_PREFIX.
 * Lag is computed fresh on each request; rates need history, so a poller samples offsets every
 * CONSOLE_OPS_SAMPLE_MS and the rates are slopes over the last 10 s.
 */
@Injectable()
export class KafkaOps implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly rates = new RateTracker(10_000);
  /** each group's total lag at every sample (the ops page's sparkline) */
  readonly lagHistory = new LagHistory(60);
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | null = null;
  private started: Promise<void> | null = null;
  private stopped = false;
  private lastTopics: Omit<TopicStats, 'inPerSec' | 'out'>[] = [];
  private lastGroupTopics = new Map<string, string[]>(); // topic → groups with commits on it

  constructor(@Inject(CONSOLE_CONFIG) private readonly cfg: ConsoleConfig, @Inject(CONSOLE_LOGGER) private readonly logger: Logger) {
    this.kafka = createKafka(cfg.kafka, 'closeloop-console-ops', logger);
    this.admin = this.kafka.admin();
  }

  async onApplicationBootstrap(): Promise<void> {
    // the app and its Kafka microservice share this module: Nest bootstraps it once for each
    if (this.started) return this.started;
    this.started = this.start();
    return this.started;
  }

  private async start(): Promise<void> {
    await this.admin.connect();
    const tick = () => {
      this.sampling ??= this.sample()
        .catch((err) => this.logger.warn({ err }, 'ops sampling failed'))
        .finally(() => (this.sampling = null));
    };
    tick();
    this.timer = setInterval(tick, this.cfg.opsSampleMs);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.started?.catch(() => undefined);
    clearInterval(this.timer);
    await this.sampling;
    await this.admin.disconnect();
  }

  private get prefix(): string {
    return this.cfg.kafka.topicPrefix;
  }

  private logical(name: string): string {
    return name.slice(this.prefix.length);
  }

  /** This stack's topics (physical names), without Kafka's internal ones. */
  async topicNames(): Promise<string[]> {
    const all = await this.admin.listTopics();
    return all.filter((t) => t.startsWith(this.prefix) && !t.startsWith('__')).sort();
  }

  /** This stack's consumer groups (physical ids). */
  async groupIds(): Promise<string[]> {
    const { groups } = await this.admin.listGroups();
    return groups.map((g) => g.groupId).filter((g) => g.startsWith(this.prefix)).sort();
  }

  async topicEnds(topic: string): Promise<PartitionEnds[]> {
    return (await this.admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, high: p.high, low: p.low }));
  }

  /**
   * Lag per group and partition for every topic the group has committed offsets on
   * (groups that never committed, like the console's DLQ watcher, have no rows).
   * Names are logical (prefix removed); `onlyGroup` is a logical group id.
   */
  async lag(onlyGroup?: string): Promise<LagRow[]> {
    const groups = onlyGroup ? [this.prefix + onlyGroup] : await this.groupIds();
    const ends = new Map<string, Promise<PartitionEnds[]>>();
    const endsOf = (t: string) => {
      const known = ends.get(t);
      if (known) return known;
      const fetched = this.topicEnds(t);
      ends.set(t, fetched);
      return fetched;
    };
    const rows: LagRow[] = [];
    for (const groupId of groups) {
      const committed = await this.admin.fetchOffsets({ groupId });
      for (const t of committed) {
        if (!t.topic.startsWith(this.prefix)) continue;
        if (!t.partitions.some((p) => Number(p.offset) >= 0)) continue;
        rows.push(...lagRows(this.logical(groupId), this.logical(t.topic), await endsOf(t.topic), t.partitions));
      }
    }
    return rows;
  }

  /** One sample of every topic's end offsets and every group's committed offsets, for the rates. */
  async sample(): Promise<void> {
    const now = Date.now();
    const topics = await this.topicNames();
    const stats: Omit<TopicStats, 'inPerSec' | 'out'>[] = [];
    const keep = new Set<string>();
    // One topic or group that cannot be read right now (a leader moving, a topic being created or deleted, a group's
    // coordinator loading) must not stop the sample for every other one: it keeps its last figures until the next tick.
    const previous = new Map(this.lastTopics.map((t) => [t.topic, t]));
    const unreadable: string[] = [];
    const endsByTopic = new Map<string, PartitionEnds[]>();
    for (const t of topics) {
      let ends: PartitionEnds[];
      try {
        ends = await this.topicEnds(t);
      } catch (err) {
        unreadable.push(`topic ${t}: ${(err as Error).message}`);
        const last = previous.get(this.logical(t));
        if (last) stats.push(last);
        keep.add(`in:${this.logical(t)}`);
        continue;
      }
      endsByTopic.set(t, ends);
      const endOffset = ends.reduce((s, p) => s + Number(p.high), 0);
      stats.push({ topic: this.logical(t), partitions: ends.length, endOffset, retained: ends.reduce((s, p) => s + Number(p.high) - Number(p.low), 0) });
      this.rates.add(`in:${this.logical(t)}`, endOffset, now);
      keep.add(`in:${this.logical(t)}`);
    }
    const groupTopics = new Map<string, string[]>();
    const groupLag = new Map<string, number>();
    const unreadGroups: string[] = [];
    for (const groupId of await this.groupIds()) {
      let committed: Awaited<ReturnType<Admin['fetchOffsets']>>;
      try {
        committed = await this.admin.fetchOffsets({ groupId });
      } catch (err) {
        unreadable.push(`group ${groupId}: ${(err as Error).message}`);
        unreadGroups.push(this.logical(groupId));
        for (const [topic, groups] of this.lastGroupTopics) {
          if (!groups.includes(this.logical(groupId))) continue;
          keep.add(`out:${topic}:${this.logical(groupId)}`);
          groupTopics.set(topic, [...(groupTopics.get(topic) ?? []), this.logical(groupId)]);
        }
        continue;
      }
      for (const t of committed) {
        const consumed = t.partitions.filter((p) => Number(p.offset) >= 0);
        if (!consumed.length || !t.topic.startsWith(this.prefix)) continue;
        const topic = this.logical(t.topic);
        const group = this.logical(groupId);
        const key = `out:${topic}:${group}`;
        this.rates.add(key, consumed.reduce((s, p) => s + Number(p.offset), 0), now);
        keep.add(key);
        groupTopics.set(topic, [...(groupTopics.get(topic) ?? []), group]);
        const ends = endsByTopic.get(t.topic);
        if (ends) groupLag.set(group, (groupLag.get(group) ?? 0) + lagRows(group, topic, ends, t.partitions).reduce((s, r) => s + r.lag, 0));
        else unreadGroups.push(group);
      }
    }
    this.lagHistory.record(now, groupLag, unreadGroups);
    this.rates.retain(keep);
    this.lastTopics = stats;
    this.lastGroupTopics = groupTopics;
    if (unreadable.length) this.logger.warn({ unreadable }, 'ops sampling: some topics or groups could not be read this time');
  }

  topicStats(): TopicStats[] {
    return this.lastTopics.map((t) => ({
      ...t,
      inPerSec: this.rates.perSecond(`in:${t.topic}`),
      out: (this.lastGroupTopics.get(t.topic) ?? []).map((group) => ({ group, perSec: this.rates.perSecond(`out:${t.topic}:${group}`) })),
    }));
  }
}
