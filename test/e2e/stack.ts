import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { Client } from 'pg';
import { Topic } from '@closeloop/contracts';
import { consumerLag, testInfra, testKafka, uniqueName, waitForQuiescence } from '@closeloop/testing';

const stack = require('../../scripts/lib/stack.cjs') as {
  SERVICES: { name: string; port: number; portVar: string; migrate: boolean | string }[];
  migrateAll(env: NodeJS.ProcessEnv, out?: (l: string) => void): Promise<void>;
  startService(s: unknown, env: NodeJS.ProcessEnv, out?: (l: string) => void): ServiceHandle;
  waitReady(url: string, timeoutMs: number, isAlive?: () => boolean): Promise<void>;
};

export interface ServiceHandle {
  name: string;
  port: number;
  child: { exitCode: number | null; pid?: number };
  stop(timeoutMs?: number): Promise<void>;
  kill(): Promise<unknown>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** A database of its own for one end-to-end file: the services keep their default schemas, as in production. */
export async function createE2eDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new URL(testInfra().databaseUrl);
  const name = uniqueName('e2e').toLowerCase();
  const c = new Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query(`CREATE DATABASE "${name}"`);
  await c.end();
  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const d = new Client({ connectionString: admin.toString() });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await d.end();
    },
  };
}

export function writeRoutingFile(yaml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'closeloop-e2e-'));
  const file = path.join(dir, 'closeloop.yaml');
  writeFileSync(file, yaml);
  return file;
}

export const randomToken = (p: string) => `${p}${randomBytes(12).toString('hex')}`;

/** Starts the named services (built, as child processes) with `env`; returns their handles and base URLs. */
export async function startServices(
  names: string[],
  env: NodeJS.ProcessEnv,
  log: (l: string) => void = () => {},
  /** env that depends on the chosen ports, e.g. PUBLIC_BASE_URL */
  derived: (url: (service: string) => string) => NodeJS.ProcessEnv = () => ({}),
) {
  const ports: Record<string, number> = {};
  for (const n of names) ports[n] = await freePort();
  const portEnv = Object.fromEntries(stack.SERVICES.filter((s) => names.includes(s.name)).map((s) => [s.portVar, String(ports[s.name])]));
  const url = (n: string) => `http://127.0.0.1:${ports[n]}`;
  const fullEnv: NodeJS.ProcessEnv = { ...env, ...portEnv, HOST: '127.0.0.1', ...derived(url) };
  await stack.migrateAll(fullEnv, log);
  const handles: Record<string, ServiceHandle> = {};
  for (const s of stack.SERVICES.filter((x) => names.includes(x.name))) handles[s.name] = stack.startService({ ...s, port: ports[s.name] }, fullEnv, log);
  try {
    await Promise.all(Object.values(handles).map((h) => stack.waitReady(`http://127.0.0.1:${h.port}/health/ready`, 90_000, () => h.child.exitCode === null)));
  } catch (err) {
    // one did not come up: the others would outlive the file (and keep jest from exiting)
    await Promise.allSettled(Object.values(handles).map((h) => h.stop()));
    throw err;
  }
  return {
    handles,
    url,
    env: fullEnv,
    async restart(name: string) {
      const s = stack.SERVICES.find((x) => x.name === name);
      if (!s) throw new Error(`unknown service ${name}`);
      handles[name] = stack.startService({ ...s, port: ports[name] }, fullEnv, log);
      await stack.waitReady(`${url(name)}/health/ready`, 90_000, () => handles[name].child.exitCode === null);
    },
    async stop() {
      await Promise.allSettled(Object.values(handles).map((h) => h.stop()));
    },
  };
}

/**
 * Waits until the pipeline of one stack (services in their default schemas of `dbUrl`, topics under `prefix`) has
 * nothing left to do: every consumer group caught up, every outbox relayed, no delivery queued or in flight, and the
 * Slack and Twilio stubs seeing no new request for a moment. Then a negative check ("not retried", "one post") holds for good.
 */
export async function pipelineQuiet(opts: { dbUrl: string; prefix: string; requests: Record<string, () => number>; timeoutMs?: number }): Promise<void> {
  const kafka = testKafka();
  const groups: Record<string, Topic[]> = {
    scoring: [Topic.FeedbackReceived],
    tickets: [Topic.FeedbackScored, Topic.TicketCommands, Topic.NotificationEvents],
    notification: [Topic.TicketEvents],
  };
  const db = new Client({ connectionString: opts.dbUrl });
  await db.connect();
  const count = async (sql: string) => Number((await db.query(sql)).rows[0].n);
  try {
    await waitForQuiescence({
      pending: {
        ...Object.fromEntries(Object.entries(groups).map(([group, topics]) => [
          `${group}: events not handled`, () => consumerLag(kafka, `${opts.prefix}${group}`, topics.map((t) => `${opts.prefix}${t}`)),
        ])),
        'outbox rows not relayed': () => count(`SELECT (SELECT count(*) FROM scoring.outbox) + (SELECT count(*) FROM tickets.outbox) + (SELECT count(*) FROM notification.outbox) AS n`),
        'deliveries queued or in flight': () => count(`SELECT count(*) AS n FROM notification.delivery WHERE status IN ('pending', 'retrying', 'sending') OR (status = 'held' AND next_attempt_at <= now())`),
      },
      activity: opts.requests,
    }, { what: 'the pipeline', timeoutMs: opts.timeoutMs ?? 60_000 });
  } finally {
    await db.end();
  }
}

/**
 * Test-speed timers of the end-to-end files (existing settings, documented in services/notification/README.md):
 * Slack posts to a channel 100 ms apart instead of Slack's 1 s, so a file's alerts and thread replies do not queue
 * behind each other for seconds. The pacing itself is services/notification/test/alerts.int-spec.ts's to prove.
 */
/** Twilio credentials a test's stub and the services share. */
export const twilioCredentials = () => ({ accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomToken('tw_') });

/** The services' settings that point Slack, Twilio and email at a test's stubs. */
export function vendorStubEnv(stubs: { slackUrl: string; twilioUrl: string; twilio: { accountSid: string; authToken: string }; smtpUrl: string }): NodeJS.ProcessEnv {
  return {
    SLACK_API_URL: stubs.slackUrl,
    TWILIO_ACCOUNT_SID: stubs.twilio.accountSid,
    TWILIO_AUTH_TOKEN: stubs.twilio.authToken,
    TWILIO_FROM_NUMBER: '+15005550006',
    TWILIO_API_URL: stubs.twilioUrl,
    SMTP_URL: stubs.smtpUrl,
    EMAIL_FROM: 'Closeloop <alerts@closeloop.e2e>',
  };
}

export const E2E_TIMERS: NodeJS.ProcessEnv = { SLACK_CHANNEL_INTERVAL_MS: '100' };

export type LoopStack = Awaited<ReturnType<typeof startServices>> & {
  /** The file's own database (the services' default schemas in it). */
  db: { url: string; drop(): Promise<void> };
  /** The prefix of the file's topics and consumer groups: the run's prefix, then the file's `run`. */
  prefix: string;
  /** Waits until the loop has nothing left to do (pipelineQuiet) and the given stubs' counters stand still. */
  quiet(requests: Record<string, () => number>): Promise<void>;
  /** Stops the services, then drops the database. */
  close(): Promise<void>;
};

/**
 * The closed loop of one end-to-end file: ingest, scoring, tickets and notification as real processes (as
 * `npm start` runs them) in a database of the file's own, on the run's Kafka under topics `<prefix><run>.`, with
 * the routing file `routing` and the file's `env` (API keys and tokens, the stubs' URLs, secrets) over the common
 * settings and E2E_TIMERS. `onLog` gets every line the services write (`E2E_LOG_LEVEL` also prints them and sets
 * their level, else `logLevel`, default warn). Each file starts and stops its own: files stay independently runnable.
 */
export async function startLoopStack(opts: {
  run: string;
  routing: string;
  env: NodeJS.ProcessEnv;
  logLevel?: string;
  onLog?: (line: string) => void;
}): Promise<LoopStack> {
  const { brokers, topicPrefix, masterKey } = testInfra();
  const prefix = `${topicPrefix}${opts.run}.`;
  const db = await createE2eDatabase();
  const printed = process.env.E2E_LOG_LEVEL;
  let services: Awaited<ReturnType<typeof startServices>>;
  try {
    services = await startServices(['ingest', 'scoring', 'tickets', 'notification'], {
      PATH: process.env.PATH,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      DATABASE_URL: db.url,
      CLOSELOOP_MASTER_KEY: masterKey,
      CLOSELOOP_CONFIG: writeRoutingFile(opts.routing),
      SLACK_BOT_TOKEN: 'xoxb-e2e',
      SLACK_SIGNING_SECRET: randomToken('ss_'),
      ...E2E_TIMERS,
      ...opts.env,
      LOG_LEVEL: printed ?? opts.logLevel ?? 'warn',
    }, (line) => {
      opts.onLog?.(line);
      if (printed) console.log(line);
    },
    // Twilio signs callbacks against the public URL, known once notification's port is chosen
    (url) => ({ PUBLIC_BASE_URL: url('notification'), CONSOLE_URL: 'http://127.0.0.1:3000' }));
  } catch (err) {
    await db.drop();
    throw err;
  }
  return {
    ...services,
    db,
    prefix,
    quiet: (requests) => pipelineQuiet({ dbUrl: db.url, prefix, requests }),
    async close() {
      await services.stop();
      await db.drop();
    },
  };
}
