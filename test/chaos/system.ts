/**
 * One Closeloop system under test for chaos and multi-instance runs: the Slack and Twilio stubs, a routing file,
 * and the services as child processes on a broker and database given by the caller.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { SlackStub, SmtpStub, TwilioStub, startSlackStub, startSmtpStub, startTwilioStub } from '@closeloop/testing';
import { randomToken, writeRoutingFile } from '../e2e/stack';
import { ChaosStack, LogRing, ServiceName, chaosRouting } from './harness';

export interface ChaosSystem {
  stack: ChaosStack;
  slack: SlackStub;
  twilio: TwilioStub;
  /** team t0's mail server: its alerts go out by email too */
  smtp: SmtpStub;
  dbUrl: string;
  apiKey: string;
  agentToken: string;
  /** the Slack signing secret notification checks interactions with */
  signingSecret: string;
  /** the Slack user of the agent of `agentToken` */
  agentSlackUserId: string;
  routing: ReturnType<typeof chaosRouting>;
  topicPrefix: string;
  logs: LogRing;
  ingestUrls(): string[];
  stop(): Promise<void>;
}

/** Creates `name` on the Postgres server at `adminUrl` and returns its URL; `drop` removes it. */
export async function createDatabaseOn(adminUrl: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

export async function startChaosSystem(opts: {
  brokers: string;
  dbUrl: string;
  topicPrefix: string;
  counts: Partial<Record<ServiceName, number>>;
  teams?: number;
  sla?: { firstResponse: string; resolve: string };
  env?: NodeJS.ProcessEnv;
  logs?: LogRing;
}): Promise<ChaosSystem> {
  const slackToken = `xoxb-${randomBytes(8).toString('hex')}`;
  const twilioCreds = { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomToken('tw_') };
  const slack = await startSlackStub({ token: slackToken });
  const twilio = await startTwilioStub(twilioCreds);
  const smtp = await startSmtpStub();
  const routing = chaosRouting(opts.teams ?? 3, opts.sla);
  const apiKey = randomToken('ik_');
  const agentToken = randomToken('at_');
  const signingSecret = randomToken('ss_');
  const logs = opts.logs ?? new LogRing(3_000);
  let stack: ChaosStack;
  try {
    stack = await ChaosStack.start({
      counts: opts.counts,
      log: logs.push,
      env: {
        PATH: process.env.PATH,
        KAFKA_BROKERS: opts.brokers,
        KAFKA_TOPIC_PREFIX: opts.topicPrefix,
        DATABASE_URL: opts.dbUrl,
        CLOSELOOP_MASTER_KEY: randomBytes(32).toString('base64'), // a fresh database: any key wraps its customers' keys
        CLOSELOOP_CONFIG: writeRoutingFile(routing.yaml),
        INGEST_API_KEYS: apiKey,
        INGEST_RATE_LIMIT: '0',
        API_TOKENS: `ayse:${agentToken}`,
        SLACK_BOT_TOKEN: slackToken,
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_API_URL: slack.url,
        TWILIO_ACCOUNT_SID: twilioCreds.accountSid,
        TWILIO_AUTH_TOKEN: twilioCreds.authToken,
        TWILIO_FROM_NUMBER: '+15005550006',
        TWILIO_API_URL: twilio.url,
        SMTP_URL: smtp.url,
        EMAIL_FROM: 'Closeloop <alerts@chaos.example>',
        CONSOLE_URL: 'http://127.0.0.1:3000',
        LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn',
        // fast enough for a test: short provider timeouts (so a lost answer is noticed soon), short backoff, and no
        // 1 s pacing per Slack channel (the stub does not rate-limit unless told to)
        PROVIDER_TIMEOUT_MS: '1500',
        DELIVERY_BACKOFF_BASE_MS: '200',
        DELIVERY_BACKOFF_MAX_MS: '3000',
        SLACK_CHANNEL_INTERVAL_MS: '20',
        ...opts.env,
      },
    });
  } catch (err) {
    await Promise.allSettled([slack.close(), twilio.close(), smtp.close()]);
    throw new Error(`${(err as Error).message}\n--- service logs ---\n${logs.tail(80)}`);
  }
  return {
    stack,
    slack,
    twilio,
    smtp,
    dbUrl: opts.dbUrl,
    apiKey,
    agentToken,
    signingSecret,
    agentSlackUserId: 'U0AYSE',
    routing,
    topicPrefix: opts.topicPrefix,
    logs,
    ingestUrls: () => stack.of('ingest').map((i) => i.url),
    async stop() {
      await stack.stop();
      await Promise.allSettled([slack.close(), twilio.close(), smtp.close()]);
    },
  };
}
