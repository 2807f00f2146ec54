import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Partitioners, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { prefixed } from '@closeloop/messaging';
import type { ConsoleConfig } from '../config';
import { CONSOLE_CONFIG } from '../tokens';
import { KafkaOps } from './kafka-ops';
import { DlqWatcher } from './dlq-watcher';
import { DLQ_TOPICS, checkReplayAge, planReplay } from './dead-letters';

export interface ReplayRecord {
  dlqTopic: string;
  dlqPartition: number;
  dlqOffset: string;
  originalTopic: string;
  replayedPartition: number | null;
  replayedOffset: string | null;
  replayedBy: string;
  replayedAt: string;
}

export type ReplayOutcome =
  | { ok: true; replayed: boolean; replay: ReplayRecord }
  | { ok: false; status: 400 | 404 | 422; reason: string };

/**
 * Puts a dead letter back on its original topic, once. The replay row is inserted and the message produced
 * (acks=all) inside one transaction: a concurrent second click waits on the row's primary key and then finds
 * the first replay; a failed send rolls the row back so the click can be retried. A crash between the send and
 * the commit can replay twice — harmless, consumers deduplicate by eventId (inbox). A dead letter whose event is
 * older than DLQ_REPLAY_MAX_AGE_DAYS is refused with the reason: consumers may have forgotten it (docs/adr/0010).
 */
@Injectable()
export class DlqReplay implements OnApplicationShutdown {
  private producer: Producer | null = null;

  constructor(
    @Inject(CONSOLE_CONFIG) private readonly cfg: ConsoleConfig,
    private readonly ds: DataSource,
    private readonly ops: KafkaOps,
    private readonly watcher: DlqWatcher,
  ) {}

  private get table(): string {
    return `"${this.cfg.database.schema}".dlq_replay`;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer?.disconnect();
  }

  private async getProducer(): Promise<Producer> {
    if (!this.producer) {
      const p = this.ops.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
      await p.connect();
      this.producer = p;
    }
    return this.producer;
  }

  async find(dlqTopic: string, partition: number, offset: string): Promise<ReplayRecord | null> {
    const rows = await this.ds.query(`SELECT * FROM ${this.table} WHERE dlq_topic = $1 AND dlq_partition = $2 AND dlq_offset = $3`, [dlqTopic, partition, offset]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  async recentFor(dlqTopic: string): Promise<ReplayRecord[]> {
    const rows = await this.ds.query(`SELECT * FROM ${this.table} WHERE dlq_topic = $1 ORDER BY replayed_at DESC LIMIT 500`, [dlqTopic]);
    return rows.map(toRecord);
  }

  async replay(dlqTopic: string, partition: number, offset: string, agentId: string): Promise<ReplayOutcome> {
    if (!DLQ_TOPICS.includes(dlqTopic)) return { ok: false, status: 400, reason: `"${dlqTopic}" is not a dead-letter topic (expected one of ${DLQ_TOPICS.join(', ')})` };
    const existing = await this.find(dlqTopic, partition, offset);
    if (existing) return { ok: true, replayed: false, replay: existing };

    const letter = await this.watcher.fetch(dlqTopic, partition, offset);
    if (!letter) return { ok: false, status: 404, reason: `no dead letter at ${dlqTopic}/${partition}/${offset}` };
    const fresh = checkReplayAge(letter, new Date());
    if (!fresh.ok) return fresh;
    const plan = planReplay(letter);
    if (!plan.ok) return plan;

    return this.ds.transaction(async (m) => {
      const inserted = await m.query(
        `INSERT INTO ${this.table} (dlq_topic, dlq_partition, dlq_offset, original_topic, replayed_by)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING dlq_topic`,
        [dlqTopic, partition, offset, plan.topic, agentId],
      );
      if (!inserted.length) {
        // another click won the race and committed: report its replay
        const first = await m.query(`SELECT * FROM ${this.table} WHERE dlq_topic = $1 AND dlq_partition = $2 AND dlq_offset = $3`, [dlqTopic, partition, offset]);
        return { ok: true as const, replayed: false, replay: toRecord(first[0]) };
      }
      const producer = await this.getProducer();
      const [meta] = await producer.send({
        topic: prefixed(this.cfg.kafka, plan.topic),
        acks: -1,
        messages: [{ key: plan.key, value: plan.value, headers: plan.headers }],
      });
      await m.query(
        `UPDATE ${this.table} SET replayed_partition = $4, replayed_offset = $5 WHERE dlq_topic = $1 AND dlq_partition = $2 AND dlq_offset = $3`,
        [dlqTopic, partition, offset, meta.partition, meta.baseOffset ?? null],
      );
      const rows = await m.query(`SELECT * FROM ${this.table} WHERE dlq_topic = $1 AND dlq_partition = $2 AND dlq_offset = $3`, [dlqTopic, partition, offset]);
      return { ok: true as const, replayed: true, replay: toRecord(rows[0]) };
    });
  }
}

function toRecord(r: Record<string, unknown>): ReplayRecord {
  return {
    dlqTopic: String(r.dlq_topic),
    dlqPartition: Number(r.dlq_partition),
    dlqOffset: String(r.dlq_offset),
    originalTopic: String(r.original_topic),
    replayedPartition: r.replayed_partition === null ? null : Number(r.replayed_partition),
    replayedOffset: r.replayed_offset === null ? null : String(r.replayed_offset),
    replayedBy: String(r.replayed_by),
    replayedAt: new Date(r.replayed_at as string).toISOString(),
  };
}
