import { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Consumer } from 'kafkajs';
import { DataSource } from 'typeorm';
import {
  Classification, FeedbackScoredEvent, Metric, Severity, TicketEvent, TicketSnapshot, Topic, TrendEvent, TeamDigestEvent, feedbackIdFor, feedbackScoredEventId, makeEnvelope,
  deterministicId, loadRoutingConfig,
} from '@closeloop/contracts';
import { EventProducer, prefixed } from '@closeloop/messaging';
import { createDataSource, openEvent, runMigrations } from '@closeloop/platform';
import { READER_MAX_WAIT_MS, consumerLag, testInfra, testKeyStore, testKafka, testKafkaSettings, testLogger, uniqueName, waitFor, waitForQuiescence } from '@closeloop/testing';
import { startTickets } from '../src/app';
import { TicketsConfig, loadTicketsConfig } from '../src/config';
import { databaseOptions } from '../src/database';

/** A ticket event with its snapshot (every one but a `ticket.command_rejected` for an unknown ticket). */
export type EventWithTicket = TicketEvent & { data: { ticket: TicketSnapshot } };

export const DEMO_ROUTING = resolve(__dirname, '../../../config/closeloop.yaml');
export const TOKENS = {
  ayse: 'token-ayse-000000001', mehmet: 'token-mehmet-0000001', noa: 'token-noa-0000000001', budi: 'token-budi-000000001', wei: 'token-wei-0000000001', emre: 'token-emre-000000001',
  dewi: 'token-dewi-000000001',
} as const;
export type AgentId = keyof typeof TOKENS;

/** One isolated tickets environment per test file: its own schema and topic prefix in the run's Kafka/Postgres. */
export function testEnvironment(label: string, opts: { routingPath?: string; slaCheckIntervalMs?: number; escalationCheckIntervalMs?: number } = {}) {
  const infra = testInfra();
  const kafka = testKafkaSettings(label);
  const schema = uniqueName(`tickets_${label}`).toLowerCase();
  const agents = new Set(loadRoutingConfig(opts.routingPath ?? DEMO_ROUTING).agents.map((a) => a.id));
  const env = {
    KAFKA_BROKERS: kafka.brokers.join(','),
    KAFKA_TOPIC_PREFIX: kafka.topicPrefix,
    DATABASE_URL: infra.databaseUrl,
    CLOSELOOP_MASTER_KEY: infra.masterKey,
    DATABASE_SCHEMA: schema,
    DATABASE_POOL_SIZE: '5',
    HOST: '127.0.0.1',
    TICKETS_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    CLOSELOOP_CONFIG: opts.routingPath ?? DEMO_ROUTING,
    // the tokens of the agents this routing file names (the config refuses a token of an agent it does not know)
    API_TOKENS: Object.entries(TOKENS).filter(([a]) => agents.has(a)).map(([a, t]) => `${a}:${t}`).join(','),
    SLA_CHECK_INTERVAL_MS: String(opts.slaCheckIntervalMs ?? 60_000),
    ESCALATION_CHECK_INTERVAL_MS: String(opts.escalationCheckIntervalMs ?? 60_000),
  };
  const cfg: TicketsConfig = loadTicketsConfig(env);
  return { env, cfg, kafka, schema };
}

export async function migrate(cfg: TicketsConfig): Promise<DataSource> {
  await runMigrations(databaseOptions(cfg));
  const ds = createDataSource({ ...databaseOptions(cfg), poolSize: 2 });
  return ds.initialize();
}

export async function dropSchema(ds: DataSource | undefined, schema: string): Promise<void> {
  if (!ds) return;
  await ds.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await ds.destroy();
}

export interface RunningTickets {
  app: INestApplication;
  url: string;
}

export async function startApp(cfg: TicketsConfig): Promise<RunningTickets> {
  const app = await startTickets(cfg);
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app, url: `http://127.0.0.1:${port}` };
}

/** An HTTP call to the agent API as `agent` (default `by`, or without a token). A JSON body is parsed, any other is text. */
export function api(base: string, by: AgentId = 'ayse') {
  return async (method: string, path: string, opts: { as?: AgentId | null; body?: unknown; token?: string } = {}) => {
    const headers: Record<string, string> = {};
    const token = opts.token ?? (opts.as === null ? undefined : TOKENS[opts.as ?? by]);
    if (token) headers.authorization = `Bearer ${token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    // JSON when the answer is JSON (the CSV export answers text/csv)
    return { status: res.status, type, headers: res.headers, body: text ? (/json/.test(type) ? JSON.parse(text) : text) : undefined };
  };
}

export interface ScoredInput {
  externalId: string;
  customerId: string;
  touchpoint?: string;
  metric?: Metric;
  score?: number;
  comment?: string;
  customerName?: string;
  severity?: Severity;
  actionRequired?: boolean;
  negative?: boolean;
  classification?: Classification;
  respondedAt?: string;
  team?: string;
  /** SPEC §10: a revision > 1 of the same (source, externalId); absent, as events from before revisions */
  revision?: number;
}

/** A `feedback.scored` event as scoring publishes it (eventId = feedbackScoredEventId(feedbackId, revision)). */
export function scoredEvent(i: ScoredInput): FeedbackScoredEvent {
  const feedbackId = feedbackIdFor('test', i.externalId);
  const metric = i.metric ?? 'nps';
  const score = i.score ?? 3;
  const negative = i.negative ?? true;
  return makeEnvelope('feedback.scored', {
    feedbackId,
    feedback: {
      feedbackId, source: 'test', externalId: i.externalId, touchpoint: i.touchpoint ?? 'checkout', channel: 'web', metric, score,
      ...(i.comment !== undefined ? { comment: i.comment } : {}),
      customer: { id: i.customerId, ...(i.customerName ? { name: i.customerName } : {}), locale: 'tr' },
      respondedAt: i.respondedAt ?? new Date().toISOString(), receivedAt: new Date().toISOString(), attributes: { store: 'istanbul-1' },
      ...(i.revision !== undefined ? { revision: i.revision } : {}),
    },
    classification: i.classification ?? (negative ? 'detractor' : 'promoter'),
    negative,
    actionRequired: i.actionRequired ?? negative,
    severity: i.severity ?? 'normal',
    team: i.team ?? 'support',
    reasons: negative ? [{ rule: 'score-at-or-below-threshold', detail: `${metric} ${score} <= 5` }] : [],
    matchedKeywords: [],
    scoredAt: new Date().toISOString(),
  }, 'scoring', { eventId: feedbackScoredEventId(feedbackId, i.revision ?? 1) });
}

export const ticketIdFor = (externalId: string) => deterministicId('ticket', feedbackIdFor('test', externalId));

/** Publishes like the other services do (validated, acks=all) and collects every ticket event of the test file. */
export class TestBus {
  readonly producer: EventProducer;
  readonly ticketEvents: TicketEvent[] = [];
  /** cx.trend.events.v1 (SPEC §12), in the order read */
  readonly trendEvents: TrendEvent[] = [];
  /** cx.team.digests.v1 (SPEC §12) */
  readonly digests: TeamDigestEvent[] = [];
  private consumer: Consumer | null = null;
  private keys: Awaited<ReturnType<typeof testKeyStore>> | null = null;
  private readonly collectorGroup: string;

  constructor(private readonly settings: { brokers: string[]; topicPrefix: string }) {
    this.producer = new EventProducer(settings, uniqueName('tickets-test'), testLogger);
    this.collectorGroup = uniqueName(`${settings.topicPrefix}collector`);
  }

  async start(): Promise<void> {
    this.keys = await testKeyStore();
    await this.producer.connect();
    this.consumer = testKafka().consumer({ groupId: this.collectorGroup, allowAutoTopicCreation: false, maxWaitTimeInMs: READER_MAX_WAIT_MS });
    await this.consumer.connect();
    const ticketTopic = prefixed(this.settings, Topic.TicketEvents);
    const trendTopic = prefixed(this.settings, Topic.TrendEvents);
    await this.consumer.subscribe({ topics: [ticketTopic, trendTopic, prefixed(this.settings, Topic.TeamDigests)], fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        // read as notification reads them: personal fields decrypted with the run's keys (ADR 0024)
        const raw = JSON.parse(String(message.value));
        const keys = this.keys;
        const event = keys ? await openEvent(topic.slice(this.settings.topicPrefix.length) as Topic, raw, (id) => keys.keys.keyById(id)) : raw;
        if (topic === ticketTopic) this.ticketEvents.push(event);
        else if (topic === trendTopic) this.trendEvents.push(event);
        else this.digests.push(event);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.producer.disconnect();
    await this.keys?.close();
  }

  async publish(topic: Topic, key: string, event: any): Promise<void> {
    await this.producer.publish([{ topic, key, event }]);
  }

  eventsOf(ticketId: string, type?: string): EventWithTicket[] {
    return this.ticketEvents.filter((e): e is EventWithTicket => (e.data.ticket?.id ?? '') === ticketId && (!type || e.type === type));
  }

  /**
   * Waits until the tickets service of `schema` has nothing left to do: every event on its topics handled, its outbox
   * relayed, every ticket event collected here, and no new one for a moment. Then a negative check holds for good.
   */
  async quiet(ds: DataSource, schema: string): Promise<void> {
    const kafka = testKafka();
    const topics = [Topic.FeedbackScored, Topic.TicketCommands, Topic.NotificationEvents].map((t) => prefixed(this.settings, t));
    await waitForQuiescence({
      pending: {
        'events not handled by tickets': () => consumerLag(kafka, prefixed(this.settings, 'tickets'), topics),
        'outbox rows not relayed': async () => Number((await ds.query(`SELECT count(*) AS n FROM "${schema}".outbox`))[0].n),
        'ticket and trend events not collected': () => consumerLag(kafka, this.collectorGroup, [Topic.TicketEvents, Topic.TrendEvents, Topic.TeamDigests].map((t) => prefixed(this.settings, t))),
      },
      activity: { 'ticket events': () => this.ticketEvents.length, 'trend events': () => this.trendEvents.length, digests: () => this.digests.length },
    }, { what: 'tickets' });
  }

  /** Typed as carrying a ticket: only a rejected command for an unknown ticket has none (its test checks that). */
  async waitForEvent(pred: (e: TicketEvent) => boolean, what: string, timeoutMs = 20_000): Promise<EventWithTicket> {
    return (await waitFor(() => this.ticketEvents.find(pred), { what, timeoutMs })) as EventWithTicket;
  }
}
