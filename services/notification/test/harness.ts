import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Topic, ticketIdOf, type ErasureProgressEvent, type ErasureRequestedEvent, type DeliveryEvent, type FeedbackReceivedEvent, type TicketCommand, type TicketEvent, type TrendEvent, type TeamDigestEvent } from '@closeloop/contracts';
import { EventProducer, ensureTopics, prefixed, type KafkaSettings } from '@closeloop/messaging';
import { Privacy, createDataSource, runMigrations } from '@closeloop/platform';
import {
  READER_MAX_WAIT_MS,
  startSlackStub,
  startSmtpStub,
  startTwilioStub,
  testInfra,
  testKafka,
  testKafkaSettings,
  testLogger,
  uniqueName,
  waitFor,
  waitForQuiescence,
  consumerLag,
  type SlackStub,
  type SmtpStub,
  type TwilioStub,
} from '@closeloop/testing';
import { startNotification } from '../src/app';
import { loadNotificationConfig, type NotificationConfig } from '../src/config';
import { databaseOptions } from '../src/database';
import type { DeliveryRow } from '../src/persistence/notification.repository';
import { signSlackRequest } from '../src/slack/signature';
import { routingYaml } from './fixtures';

export const SLACK_TOKEN = 'xoxb-1111-2222-closeloopTEST';
export const SLACK_SECRET = 'slack-signing-secret-for-tests';
export const TWILIO_SID = 'AC0123456789abcdef0123456789abcdef';
export const TWILIO_TOKEN = 'twilio-auth-token-for-tests';
export const TWILIO_FROM = '+15005550006';

export interface NotificationHarness {
  app: INestApplication;
  cfg: NotificationConfig;
  baseUrl: string;
  slack: SlackStub;
  twilio: TwilioStub;
  /** The teams' mail server (a real SMTP server in the test process). */
  smtp: SmtpStub;
  kafka: KafkaSettings;
  ds: DataSource;
  schema: string;
  publish(...events: TicketEvent[]): Promise<void>;
  /** Trend events (SPEC §12) on cx.trend.events.v1, keyed by trend id. */
  publishTrend(...events: TrendEvent[]): Promise<void>;
  /** Daily digests (SPEC §12) on cx.team.digests.v1, keyed by team. */
  publishDigest(...events: TeamDigestEvent[]): Promise<void>;
  /** Erasure requests (SPEC §13) on cx.privacy.events.v1, keyed by customer id. */
  publishPrivacy(...events: (ErasureRequestedEvent | ErasureProgressEvent)[]): Promise<void>;
  /** `customer.erasure_progress` events published so far (by notification), read from the start of the topic. */
  erasureProgress(minCount: number): Promise<ErasureProgressEvent[]>;
  /** Stops the app (as a shutdown would) and starts a new instance on the same schema, topics and stubs. */
  restart(): Promise<INestApplication>;
  deliveries(ticketId: string): Promise<DeliveryRow[]>;
  /** notification.delivery events published so far for a ticket (reads the topic from the start). */
  deliveryEvents(ticketId: string, minCount: number): Promise<DeliveryEvent[]>;
  /** Commands on cx.ticket.commands.v1 (reads the topic from the start). */
  commands(minCount: number): Promise<{ key: string | null; event: TicketCommand }[]>;
  /** Feedback notification published on cx.feedback.received.v1 (recheck answers), with its key. */
  feedback(minCount: number): Promise<{ key: string | null; event: FeedbackReceivedEvent }[]>;
  postInteraction(payload: unknown, opts?: { timestamp?: number; secret?: string; signature?: string }): Promise<{ status: number; body: string; ms: number }>;
  /**
   * Waits until notification has nothing left to do (ticket events all handled, no delivery queued or in flight,
   * outbox drained, what it published collected) and the stubs have seen no new request for a moment: the point
   * at which a negative check ("not retried", "nothing sent") is true for good.
   */
  quiet(): Promise<void>;
  close(): Promise<void>;
}

/** `waitFor` for probes that answer `undefined` until the thing exists; resolves with the thing. */
export async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  return (await waitFor(probe, { what, timeoutMs })) as T;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * notification in-process on real Kafka and Postgres (its own schema and topic prefix), Slack and Twilio replaced
 * by the stub servers the real SDKs talk to.
 */
export async function startHarness(label: string, opts: { env?: Record<string, string>; routing?: string } = {}): Promise<NotificationHarness> {
  const slack = await startSlackStub({ token: SLACK_TOKEN });
  const twilio = await startTwilioStub({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN });
  const smtp = await startSmtpStub();
  const kafka = testKafkaSettings(label);
  const schema = uniqueName(`notif_${label}`).toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const dir = mkdtempSync(join(tmpdir(), 'closeloop-notification-'));
  const routingPath = join(dir, 'closeloop.yaml');
  writeFileSync(routingPath, opts.routing ?? routingYaml());
  const port = await freePort();
  const cfg = loadNotificationConfig({
    HOST: '127.0.0.1',
    NOTIFICATION_PORT: String(port),
    KAFKA_BROKERS: kafka.brokers.join(','),
    KAFKA_TOPIC_PREFIX: kafka.topicPrefix,
    DATABASE_URL: testInfra().databaseUrl,
    CLOSELOOP_MASTER_KEY: testInfra().masterKey,
    DATABASE_SCHEMA: schema,
    DATABASE_POOL_SIZE: '5',
    CLOSELOOP_CONFIG: routingPath,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SLACK_BOT_TOKEN: SLACK_TOKEN,
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_API_URL: slack.url,
    TWILIO_ACCOUNT_SID: TWILIO_SID,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    TWILIO_FROM_NUMBER: TWILIO_FROM,
    TWILIO_API_URL: twilio.url,
    SMTP_URL: smtp.url,
    EMAIL_FROM: 'Closeloop <alerts@closeloop.test>',
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    CONSOLE_URL: 'http://console.test',
    DELIVERY_POLL_MS: '50',
    DELIVERY_BACKOFF_BASE_MS: '100',
    DELIVERY_BACKOFF_MAX_MS: '2000',
    SLACK_CHANNEL_INTERVAL_MS: '0',
    PROVIDER_TIMEOUT_MS: '1000',
    ...opts.env,
  });
  await ensureTopics(testKafka(), kafka, { partitions: 2 });
  await runMigrations(databaseOptions(cfg));
  let app = await startNotification(cfg);
  const ds = createDataSource({ url: cfg.database.url, schema, entities: [], migrations: [], poolSize: 2 });
  await ds.initialize();
  const producer = new EventProducer(kafka, uniqueName('notif-test-producer'), testLogger);
  await producer.connect();
  // One consumer for the whole file collects what notification publishes (a reader per assertion would join a group each time).
  const published = {
    deliveries: [] as DeliveryEvent[],
    commands: [] as { key: string | null; event: TicketCommand }[],
    feedback: [] as { key: string | null; event: FeedbackReceivedEvent }[],
    progress: [] as ErasureProgressEvent[],
  };
  const privacy = app.get(Privacy);
  const collected = [Topic.NotificationEvents, Topic.TicketCommands, Topic.FeedbackReceived, Topic.PrivacyEvents].map((t) => prefixed(kafka, t));
  const collectorGroup = uniqueName('notif-test-collector');
  const collector = testKafka().consumer({ groupId: collectorGroup, maxWaitTimeInMs: READER_MAX_WAIT_MS });
  await collector.connect();
  await collector.subscribe({ topics: collected, fromBeginning: true });
  await collector.run({
    eachMessage: async ({ topic, message }) => {
      const logical = topic.slice(kafka.topicPrefix.length) as Topic;
      // read as tickets and scoring read them: personal fields decrypted (ADR 0024)
      const value = await privacy.open(logical, JSON.parse(message.value?.toString() ?? '{}'));
      if (topic === prefixed(kafka, Topic.NotificationEvents)) published.deliveries.push(value);
      else if (topic === prefixed(kafka, Topic.TicketCommands)) published.commands.push({ key: message.key?.toString() ?? null, event: value });
      else if (topic === prefixed(kafka, Topic.PrivacyEvents)) {
        if (value.type === 'customer.erasure_progress') published.progress.push(value);
      }
      else published.feedback.push({ key: message.key?.toString() ?? null, event: value });
    },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const admin = testKafka();
  const count = async (sql: string) => Number((await ds.query(sql))[0].n);

  return {
    get app() {
      return app;
    },
    cfg,
    baseUrl,
    slack,
    twilio,
    smtp,
    kafka,
    ds,
    schema,
    publish: (...events) => producer.publish(events.map((event) => ({ topic: Topic.TicketEvents, key: ticketIdOf(event), event }))),
    publishTrend: (...events) => producer.publish(events.map((event) => ({ topic: Topic.TrendEvents, key: event.data.trendId, event }))),
    publishDigest: (...events) => producer.publish(events.map((event) => ({ topic: Topic.TeamDigests, key: event.data.team, event }))),
    publishPrivacy: (...events) => producer.publish(events.map((event) => ({ topic: Topic.PrivacyEvents, key: event.data.customerId, event }))),
    erasureProgress: async (minCount) => {
      await waitFor(() => published.progress.length >= minCount, { timeoutMs: 30_000, what: `${minCount} erasure progress event(s)` });
      return [...published.progress];
    },
    restart: async () => {
      await app.close();
      app = await startNotification(cfg);
      return app;
    },
    deliveries: (ticketId) => ds.query(`SELECT * FROM "${schema}".delivery WHERE ticket_id = $1 ORDER BY created_at, purpose, recipient`, [ticketId]),
    deliveryEvents: async (ticketId, minCount) => {
      const mine = () => published.deliveries.filter((e) => e.data.ticketId === ticketId);
      await waitFor(() => mine().length >= minCount, { timeoutMs: 20_000, what: `${minCount} delivery event(s) for ${ticketId}` });
      return mine();
    },
    commands: async (minCount) => {
      await waitFor(() => published.commands.length >= minCount, { timeoutMs: 20_000, what: `${minCount} command(s)` });
      return [...published.commands];
    },
    feedback: async (minCount) => {
      await waitFor(() => published.feedback.length >= minCount, { timeoutMs: 20_000, what: `${minCount} feedback event(s)` });
      return [...published.feedback];
    },
    postInteraction: async (payload, o = {}) => {
      const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
      const started = Date.now();
      const res = await fetch(`${baseUrl}/slack/interactions`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Slack-Request-Timestamp': String(ts),
          'X-Slack-Signature': o.signature ?? signSlackRequest(o.secret ?? SLACK_SECRET, ts, body),
        },
        body,
      });
      const text = await res.text();
      return { status: res.status, body: text, ms: Date.now() - started };
    },
    quiet: async () => void await waitForQuiescence({
      pending: {
        'ticket, trend, digest and privacy events not handled': () => consumerLag(admin, prefixed(kafka, 'notification'), [Topic.TicketEvents, Topic.TrendEvents, Topic.TeamDigests, Topic.PrivacyEvents].map((t) => prefixed(kafka, t))),
        'erasure records not redacted yet': () => count(`SELECT count(*) AS n FROM "${schema}".erasure_task WHERE status = 'pending'`),
        'erasure stores not reported yet': () => count(`SELECT count(*) AS n FROM "${schema}".erasure_report WHERE reported_at IS NULL`),
        'deliveries queued or in flight': () => count(`SELECT count(*) AS n FROM "${schema}".delivery WHERE status IN ('pending', 'retrying', 'sending') OR (status = 'held' AND next_attempt_at <= now())`),
        'outbox rows not relayed': () => count(`SELECT count(*) AS n FROM "${schema}".outbox`),
        'published events not collected': () => consumerLag(admin, collectorGroup, collected),
      },
      activity: { 'Slack requests': () => slack.requests.length, 'Twilio requests': () => twilio.requests.length },
    }, { what: 'notification' }),
    close: async () => {
      await collector.disconnect();
      await app.close();
      await producer.disconnect();
      await ds.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);
      await ds.destroy();
      await slack.close();
      await twilio.close();
      await smtp.close();
    },
  };
}

/** A Slack `block_actions` payload as Slack sends it for a button press on the alert. */
export function blockAction(opts: { actionId: string; ticketId: string; userId: string; responseUrl: string; triggerId?: string }) {
  return {
    type: 'block_actions',
    user: { id: opts.userId, username: opts.userId.toLowerCase(), team_id: 'T0STUB' },
    api_app_id: 'A0STUB',
    team: { id: 'T0STUB', domain: 'closeloop-test' },
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0CX', is_ephemeral: false },
    trigger_id: opts.triggerId ?? `${Date.now()}.1234.abcdef`,
    channel: { id: 'C0CX', name: 'cx-alerts' },
    message: { type: 'message', ts: '1700000000.000100', text: 'alert' },
    response_url: opts.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: opts.actionId,
        block_id: 'ticket_actions',
        text: { type: 'plain_text', text: opts.actionId },
        value: opts.ticketId,
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}
