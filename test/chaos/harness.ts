/**
 * The chaos harness shared by `npm run test:chaos` (test/chaos/run.ts) and the reduced run inside `npm test`
 * (test/chaos/chaos.int-spec.ts), and reused by the multi-instance end-to-end test:
 * - ChaosStack: the built services as child processes, any number of instances each (each with its own process title),
 *   that can be SIGKILLed and restarted; it knows which exits it caused and records every other one (per pid);
 * - FeedbackLoad: a stream of feedback into ingest that remembers every 202 (its feedbackId) and retries the rest
 *   like a real client (same body, so the retry is idempotent);
 * - onSlackRequest / failNextSlackCalls: act at the moment the Slack stub records a call (kill its sender, answer
 *   exactly that call with an error);
 * - checkInvariants: what SPEC §9 promises, read from the services' tables and the Slack and Twilio stubs;
 * - waitForPipelineQuiescence: bounded wait until everything accepted went all the way through.
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import { Client } from 'pg';
import { feedbackIdFor } from '@closeloop/contracts';
import {
  waitForQuiescence, type SlackStub, type SlackStubMessage, type SlackStubRequest, type SlackStubResponse, type SmtpStub, type SmtpStubMessage, type TwilioStub, type TwilioStubMessage,
} from '@closeloop/testing';
import { freePort } from '../e2e/stack';
import type { AgentAction } from './agents';

const stackLib = require('../../scripts/lib/stack.cjs') as {
  SERVICES: { name: string; port: number; portVar: string; migrate: boolean | string }[];
  SERVICE_NODE_OPTIONS: string;
  migrateAll(env: NodeJS.ProcessEnv, out?: (l: string) => void): Promise<void>;
  startService(s: unknown, env: NodeJS.ProcessEnv, out?: (l: string) => void): ProcessHandle;
  waitReady(url: string, timeoutMs: number, isAlive?: () => boolean): Promise<void>;
};

interface ProcessHandle {
  child: { exitCode: number | null; signalCode: string | null; pid?: number; kill(sig: string): boolean };
  exited: Promise<unknown>;
  stop(timeoutMs?: number): Promise<void>;
  kill(): Promise<unknown>;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A seeded generator of numbers in [0, 1) (mulberry32): the same seed plans the same run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Polls `probe` until truthy; throws with `what` and the last value after `timeoutMs`. */
export async function until<T>(probe: () => Promise<T> | T, what: string, timeoutMs: number, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
      last = v;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)?.slice(0, 500)})`);
    await sleep(intervalMs);
  }
}

// ---- the stack ---------------------------------------------------------------------------------------------------

export type ServiceName = 'ingest' | 'scoring' | 'tickets' | 'notification';

export interface Instance {
  /** e.g. `scoring#1` */
  id: string;
  service: ServiceName;
  port: number;
  url: string;
  handle: ProcessHandle;
  restarts: number;
  /** the process title (`node --title`): names the instance in `ps` and in the User-Agent of its Slack calls */
  title: string;
  /** true from a kill by the harness until the instance was started again: its exit was on purpose */
  downOnPurpose: boolean;
}

/** An instance that exited without the harness killing or stopping it: a finding, never expected. */
export interface UnexpectedExit {
  /** ms since the stack started */
  at: number;
  instance: string;
  pid?: number;
  code: number | null;
  signal: string | null;
}

/** A bounded ring of the services' log lines: printed when something fails, written to a file by the runner. */
export class LogRing {
  private readonly lines: string[] = [];
  constructor(private readonly max = 2_000, private readonly sink?: (line: string) => void) {}
  push = (line: string): void => {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
    this.sink?.(line);
  };
  tail(n = 200, filter?: RegExp): string {
    return (filter ? this.lines.filter((l) => filter.test(l)) : this.lines).slice(-n).join('\n');
  }
}

/** `notification#1` → `closeloop-chaos-notification-1` (a process title: no spaces, no `#`). */
export const titleOf = (id: string): string => `closeloop-chaos-${id.replace('#', '-')}`;

/**
 * Which instance sent a request, from its User-Agent: the Slack SDK names the process (`process.title`) there, and
 * each instance runs with its own title. Undefined when no instance's title is in it.
 */
export function instanceOfUserAgent(instances: Pick<Instance, 'id' | 'title'>[], userAgent: string | string[] | undefined): string | undefined {
  const ua = ` ${Array.isArray(userAgent) ? userAgent.join(' ') : userAgent ?? ''}`;
  return instances.find((i) => ua.includes(` ${i.title}/`))?.id;
}

export class ChaosStack {
  readonly instances: Instance[] = [];
  /** every exit the harness did not cause, as it happened (pid-exact: each spawned process is watched) */
  readonly unexpectedExits: UnexpectedExit[] = [];
  private readonly startedAt = Date.now();
  private stopping = false;
  private readonly restarting = new Map<string, Promise<number>>();

  private constructor(private readonly env: NodeJS.ProcessEnv, private readonly log: (l: string) => void) {}

  /**
   * Migrates once, then starts `counts[service]` instances of each service (same group ids, different ports) and
   * waits until every one is ready.
   */
  static async start(opts: { env: NodeJS.ProcessEnv; counts: Partial<Record<ServiceName, number>>; log?: (l: string) => void; readyTimeoutMs?: number }): Promise<ChaosStack> {
    const stack = new ChaosStack({ ...opts.env, HOST: '127.0.0.1' }, opts.log ?? (() => {}));
    await stackLib.migrateAll(stack.env, stack.log);
    for (const service of ['ingest', 'scoring', 'tickets', 'notification'] as ServiceName[]) {
      for (let i = 0; i < (opts.counts[service] ?? 0); i++) {
        const port = await freePort();
        const id = `${service}#${i}`;
        stack.instances.push({ id, service, port, url: `http://127.0.0.1:${port}`, handle: undefined as never, restarts: 0, title: titleOf(id), downOnPurpose: false });
      }
    }
    for (const inst of stack.instances) inst.handle = stack.spawn(inst);
    await Promise.all(stack.instances.map((i) => stack.ready(i, opts.readyTimeoutMs ?? 90_000)));
    return stack;
  }

  private spawn(inst: Instance): ProcessHandle {
    const def = stackLib.SERVICES.find((s) => s.name === inst.service);
    if (!def) throw new Error(`unknown service ${inst.service}`);
    const env: NodeJS.ProcessEnv = {
      ...this.env,
      [def.portVar]: String(inst.port),
      NODE_OPTIONS: `${stackLib.SERVICE_NODE_OPTIONS} --title=${inst.title}`,
    };
    // Twilio signs status callbacks against the public URL of the instance it called
    if (inst.service === 'notification') env.PUBLIC_BASE_URL = inst.url;
    const tag = inst.id;
    const handle = stackLib.startService({ ...def, port: inst.port }, env, (l) => this.log(`[${tag}] ${l}`));
    inst.downOnPurpose = false;
    const pid = handle.child.pid;
    void handle.exited.then((e) => {
      const { code, signal } = e as { code: number | null; signal: string | null };
      if (this.stopping || inst.handle !== handle || inst.downOnPurpose) return;
      this.unexpectedExits.push({ at: Date.now() - this.startedAt, instance: inst.id, pid, code, signal });
      this.log(`[${tag}] !! exited by itself (pid ${pid}, code ${code}, signal ${signal})`);
    });
    return handle;
  }

  private ready(inst: Instance, timeoutMs: number): Promise<void> {
    const h = inst.handle;
    return stackLib.waitReady(`${inst.url}/health/ready`, timeoutMs, () => h.child.exitCode === null && h.child.signalCode === null);
  }

  of(service: ServiceName): Instance[] {
    return this.instances.filter((i) => i.service === service);
  }

  get(id: string): Instance {
    const inst = this.instances.find((i) => i.id === id);
    if (!inst) throw new Error(`no instance ${id}`);
    return inst;
  }

  url(service: ServiceName, index = 0): string {
    return this.of(service)[index].url;
  }

  isRunning(inst: Instance): boolean {
    return inst.handle.child.exitCode === null && inst.handle.child.signalCode === null;
  }

  /** What a watchdog brings back: down without the harness meaning it, and nobody restarting it already. */
  needsRestart(inst: Instance): boolean {
    return !this.stopping && !this.isRunning(inst) && !inst.downOnPurpose && !this.restarting.has(inst.id);
  }

  /** Instances that are down and that nobody is restarting (e.g. a fault that failed after its kill left them so). */
  leftDown(): Instance[] {
    return this.instances.filter((i) => !this.isRunning(i) && !this.restarting.has(i.id));
  }

  /** SIGKILL: no shutdown hook runs, in-flight work is lost exactly where it was. Only this instance's pid. */
  async kill(id: string): Promise<void> {
    const inst = this.get(id);
    inst.downOnPurpose = true;
    await inst.handle.kill();
  }

  /** SIGKILL right now, without waiting (for use inside a synchronous hook). */
  killNow(id: string): void {
    const inst = this.get(id);
    inst.downOnPurpose = true;
    inst.handle.child.kill('SIGKILL');
  }

  /**
   * Starts a stopped instance again on the same port; resolves once it is ready. Returns the start time in ms.
   * One restart per instance at a time: a second caller waits for the first instead of killing what it started.
   */
  restart(id: string, timeoutMs = 90_000): Promise<number> {
    const running = this.restarting.get(id);
    if (running) return running;
    const p = (async () => {
      const inst = this.get(id);
      if (this.isRunning(inst)) {
        inst.downOnPurpose = true;
        await inst.handle.kill();
      }
      await inst.handle.exited;
      const t = Date.now();
      inst.handle = this.spawn(inst);
      inst.restarts += 1;
      await this.ready(inst, timeoutMs);
      return Date.now() - t;
    })();
    this.restarting.set(id, p);
    void p.finally(() => this.restarting.delete(id)).catch(() => undefined);
    return p;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled(this.instances.map((i) => i.handle.stop(10_000)));
  }
}

// ---- feedback ----------------------------------------------------------------------------------------------------

export interface PlannedFeedback {
  body: Record<string, any>;
  /** true when scoring must decide actionRequired (a detractor under the routing used by the chaos tests). */
  actionRequired: boolean;
  feedbackId: string;
}

export interface AcceptedFeedback extends PlannedFeedback {
  acceptedAt: number;
  attempts: number;
}

/**
 * Feedback for `customers` customers over `touchpoints`: about half detractors (nps 3–6, one in five nps 0–2 →
 * critical), the rest promoters and passives with harmless comments (no keyword), and a share of exact resubmissions.
 */
export class FeedbackPlan {
  private seq = 0;
  private readonly sent: PlannedFeedback[] = [];
  constructor(private readonly run: string, private readonly customers: number, private readonly touchpoints: string[], private readonly rnd = Math.random) {}

  next(): PlannedFeedback {
    if (this.sent.length > 5 && this.rnd() < 0.08) return this.sent[Math.floor(this.rnd() * this.sent.length)]; // a resubmission
    this.seq += 1;
    const n = Math.floor(this.rnd() * this.customers);
    const customer = `${this.run}-c${n}`;
    const touchpoint = this.touchpoints[Math.floor(this.rnd() * this.touchpoints.length)];
    const detractor = this.rnd() < 0.5;
    const score = detractor ? (this.rnd() < 0.2 ? Math.floor(this.rnd() * 3) : 3 + Math.floor(this.rnd() * 4)) : 7 + Math.floor(this.rnd() * 4);
    const body = {
      source: 'chaos', externalId: `${this.run}-${this.seq}`, touchpoint, channel: 'web', metric: 'nps', score,
      comment: detractor ? `Waited ${20 + this.seq % 40} minutes, nobody came` : 'Fine, thanks',
      // a number per customer, so agents can text them (SPEC §11); never one of the on-call numbers (+9055511122xx)
      customer: { id: customer, name: `Customer ${customer.slice(-4)}`, phone: `+90533${String(n).padStart(7, '0')}` }, respondedAt: new Date().toISOString(),
    };
    const planned = { body, actionRequired: score <= 6, feedbackId: feedbackIdFor(body.source, body.externalId) };
    this.sent.push(planned);
    return planned;
  }
}

/** Keep-alive fetch for the load (one socket per concurrent request instead of one per request). */
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 64 });
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}, timeoutMs = 15_000): Promise<{ status: number; json: any }> {
  const data = Buffer.from(JSON.stringify(body));
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'POST', agent: keepAlive, timeout: timeoutMs,
      headers: { 'Content-Type': 'application/json', 'Content-Length': data.length, ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          json = { _raw: text.slice(0, 200) };
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * Streams planned feedback into ingest at about `perSecond`, `concurrency` requests at a time. A 202 is recorded
 * (its feedbackId must be the one derived from source+externalId); anything else (503 while Kafka is down, a
 * connection refused while ingest is dead, a timeout) is retried with the same body after a pause.
 */
export class FeedbackLoad {
  readonly accepted = new Map<string, AcceptedFeedback>();
  readonly outcomes: Record<string, number> = {};
  readonly problems: string[] = [];
  private readonly retry: { p: PlannedFeedback; attempts: number }[] = [];
  private stopping = false;
  private workers: Promise<void>[] = [];
  private submitted = 0;
  /** Submissions under way: one that fails goes back to `retry`, so `stop` waits for these too. */
  private inFlight = 0;

  constructor(private readonly opts: { ingestUrls: () => string[]; apiKey: string; plan: { next(): PlannedFeedback }; perSecond: number; concurrency?: number; limit?: number }) {}

  start(): void {
    const concurrency = this.opts.concurrency ?? 4;
    const interval = (1000 * concurrency) / this.opts.perSecond;
    for (let w = 0; w < concurrency; w++) {
      this.workers.push((async () => {
        await sleep((w * interval) / concurrency);
        while (!this.stopping) {
          const t = Date.now();
          const item = this.retry.shift() ?? (this.opts.limit === undefined || this.submitted < this.opts.limit ? { p: this.opts.plan.next(), attempts: 0 } : undefined);
          if (!item) {
            await sleep(100);
            continue;
          }
          if (item.attempts === 0) this.submitted += 1;
          this.inFlight += 1;
          try {
            await this.submit(item, w);
          } finally {
            this.inFlight -= 1;
          }
          await sleep(Math.max(0, interval - (Date.now() - t)));
        }
      })());
    }
  }

  /** Stops taking new feedback; keeps retrying what was not accepted yet for up to `drainMs`. */
  async stop(drainMs = 60_000): Promise<void> {
    const deadline = Date.now() + drainMs;
    this.opts.limit = this.submitted; // nothing new
    // a retry taken by a worker is off the list while its request is under way: wait for those too, or one that
    // fails then (a 503 while Kafka recovers) would be left behind, never retried
    while ((this.retry.length > 0 || this.inFlight > 0) && Date.now() < deadline) await sleep(200);
    this.stopping = true;
    await Promise.all(this.workers);
  }

  get pendingRetries(): number {
    return this.retry.length;
  }

  private async submit(item: { p: PlannedFeedback; attempts: number }, worker: number): Promise<void> {
    const urls = this.opts.ingestUrls();
    const url = urls[(worker + item.attempts) % urls.length];
    item.attempts += 1;
    let outcome: string;
    try {
      const r = await postJson(`${url}/v1/feedback`, item.p.body, { Authorization: `Bearer ${this.opts.apiKey}` });
      outcome = String(r.status);
      if (r.status === 202) {
        if (r.json?.feedbackId !== item.p.feedbackId) this.problems.push(`202 with feedbackId ${r.json?.feedbackId}, expected ${item.p.feedbackId}`);
        if (!this.accepted.has(item.p.feedbackId)) this.accepted.set(item.p.feedbackId, { ...item.p, acceptedAt: Date.now(), attempts: item.attempts });
      } else if (r.status >= 400 && r.status < 500 && r.status !== 429) {
        this.problems.push(`ingest answered ${r.status} to a valid feedback: ${JSON.stringify(r.json).slice(0, 300)}`);
      } else {
        this.retry.push(item);
      }
    } catch (err) {
      outcome = /ECONNREFUSED/.test(String((err as Error).message) + String((err as any).code)) ? 'refused' : 'error';
      this.retry.push(item);
      await sleep(300);
    }
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
  }
}

// ---- what the system did -----------------------------------------------------------------------------------------

/** The ticket id a top-level Slack alert is about: its metadata, else its buttons' value. */
export function ticketIdOfMessage(m: Pick<SlackStubMessage, 'metadata' | 'blocks'> | Record<string, any>): string | undefined {
  const meta = (m as any).metadata;
  const fromMeta = meta?.event_payload?.ticket_id;
  if (typeof fromMeta === 'string') return fromMeta;
  for (const b of ((m as any).blocks ?? []) as any[]) {
    if (b?.type !== 'actions') continue;
    for (const e of b.elements ?? []) if ((e.action_id === 'claim' || e.action_id === 'resolve') && typeof e.value === 'string') return e.value;
  }
  return undefined;
}

export function topLevelAlerts(slack: SlackStub): Map<string, SlackStubMessage[]> {
  const out = new Map<string, SlackStubMessage[]>();
  for (const m of slack.messages()) {
    if (m.thread_ts && m.thread_ts !== m.ts) continue;
    const id = ticketIdOfMessage(m);
    if (!id) continue;
    out.set(id, [...(out.get(id) ?? []), m]);
  }
  return out;
}

/**
 * Calls `onRequest` synchronously as the Slack stub records a request, before it answers (and before it looks at
 * its scripted answers, so a `script()` made here applies to this very request). Returns the uninstaller.
 */
const slackListeners = new WeakMap<SlackStub, Set<(r: SlackStubRequest) => void>>();
export function onSlackRequest(slack: SlackStub, onRequest: (r: SlackStubRequest) => void): () => void {
  let listeners = slackListeners.get(slack);
  if (!listeners) {
    const all = new Set<(r: SlackStubRequest) => void>();
    listeners = all;
    slackListeners.set(slack, all);
    // one wrapper per stub, so listeners can come and go in any order
    const requests = slack.requests as SlackStubRequest[] & { push: (...r: SlackStubRequest[]) => number };
    const original = requests.push;
    requests.push = function push(this: SlackStubRequest[], ...items: SlackStubRequest[]) {
      const n = original.apply(this, items);
      for (const r of items) for (const l of [...all]) l(r);
      return n;
    };
  }
  const set = listeners;
  set.add(onRequest);
  return () => {
    set.delete(onRequest);
  };
}

/** The moment between "Slack has the top-level message" and "notification recorded it" (see onSlackRequest). */
export function onTopLevelPost(slack: SlackStub, onPost: (r: SlackStubRequest) => void): () => void {
  return onSlackRequest(slack, (r) => {
    if (r.method === 'chat.postMessage' && !r.form.thread_ts) onPost(r);
  });
}

/** What a request is to a ticket: its top-level alert, a reply in its thread, or an update of its alert. */
export const isTopLevelAlert = (r: SlackStubRequest): boolean => r.method === 'chat.postMessage' && !r.form.thread_ts && ticketIdOfMessage(r.form) !== undefined;
export const isAlertUpdate = (r: SlackStubRequest): boolean => r.method === 'chat.update';

/**
 * Slack answers the next requests that `match` with `responses`, one each, in order (e.g. the next two top-level
 * alerts get 429 and 500): the errors land exactly on the calls meant, not on whatever call comes next. `hits` are
 * the requests that got them; `done` resolves once every response was used.
 */
export function failNextSlackCalls(slack: SlackStub, match: (r: SlackStubRequest) => boolean, ...responses: SlackStubResponse[]): { hits: SlackStubRequest[]; done: Promise<void>; uninstall(): void } {
  const hits: SlackStubRequest[] = [];
  const queue = [...responses];
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const uninstall = onSlackRequest(slack, (r) => {
    if (queue.length === 0 || !match(r)) return;
    slack.script(r.method, queue.shift() as SlackStubResponse);
    hits.push(r);
    if (queue.length === 0) {
      uninstall();
      resolveDone();
    }
  });
  return { hits, done, uninstall };
}

/**
 * For each request in `hits`: the later requests of the same kind for the same ticket (its retries). A scripted
 * error that hit an alert must be followed by at least one more attempt.
 */
export function retriesOf(slack: SlackStub, hits: SlackStubRequest[]): { ticketId: string | undefined; method: string; laterAttempts: number }[] {
  return hits.map((h) => {
    const ticketId = h.method === 'chat.update' ? undefined : ticketIdOfMessage(h.form);
    const later = slack.requests.filter((r) => r.time >= h.time && r !== h && r.method === h.method && (
      h.method === 'chat.update' ? r.form.channel === h.form.channel && r.form.ts === h.form.ts : !r.form.thread_ts && ticketIdOfMessage(r.form) === ticketId));
    return { ticketId: ticketId ?? `${h.form.channel} ${h.form.ts}`, method: h.method, laterAttempts: later.length };
  });
}

export interface Schemas {
  tickets: string;
  notification: string;
}

export async function withDb<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

export interface Snapshot {
  seen: Set<string>;
  inTicket: Set<string>;
  tickets: { id: string; customer_id: string; touchpoint: string; team: string; status: string }[];
  unfinishedDeliveries: number;
  deliveries: Record<string, number>;
  alertRecords: Map<string, string | null>;
}

export async function snapshot(dbUrl: string, s: Schemas = { tickets: 'tickets', notification: 'notification' }): Promise<Snapshot> {
  return withDb(dbUrl, async (c) => {
    const seen = new Set<string>((await c.query(`SELECT feedback_id FROM "${s.tickets}".feedback_seen`)).rows.map((r) => r.feedback_id));
    const inTicket = new Set<string>((await c.query(`SELECT feedback_id FROM "${s.tickets}".ticket_feedback`)).rows.map((r) => r.feedback_id));
    const tickets = (await c.query(`SELECT id::text, customer_id, touchpoint, team, status FROM "${s.tickets}".ticket`)).rows;
    const deliveries: Record<string, number> = {};
    for (const r of (await c.query(`SELECT purpose || ':' || status AS k, count(*)::int AS n FROM "${s.notification}".delivery GROUP BY 1`)).rows) deliveries[r.k] = r.n;
    const unfinishedDeliveries = (await c.query(`SELECT count(*)::int AS n FROM "${s.notification}".delivery WHERE status IN ('pending', 'sending', 'retrying')`)).rows[0].n;
    const alertRecords = new Map<string, string | null>(
      (await c.query(`SELECT ticket_id, ts FROM "${s.notification}".alert_message WHERE provider = 'slack'`)).rows.map((r) => [r.ticket_id, r.ts]),
    );
    return { seen, inTicket, tickets, unfinishedDeliveries, deliveries, alertRecords };
  });
}

/** A failure a run caused on purpose (a scripted permanent provider error): `failed` deliveries with it are explained. */
export interface ExplainedFailure {
  purpose?: string;
  channel?: string;
  code: string;
  why: string;
}

export interface DeliveryRow {
  id: string;
  ticket_id: string;
  purpose: string;
  channel: string;
  recipient: string;
  status: string;
  last_error: string | null;
  last_error_code: string | null;
  provider_id: string | null;
  snapshot_version: number;
  body: string | null;
  /** an email's Message-ID (payload) */
  message_id: string | null;
}

export interface FailedDelivery {
  deliveryId: string;
  ticketId: string;
  purpose: string;
  channel: string;
  code: string | null;
  error: string | null;
  /** why this failure is expected; absent → unexplained (a violation) */
  explainedBy?: string;
}

export interface CheckOptions {
  schemas?: Schemas;
  /** the Twilio stub: with it, every intended SMS is checked against what Twilio holds */
  twilio?: TwilioStub;
  explained?: ExplainedFailure[];
  /** the teams' mail server: with it, every alert email is checked against what it received */
  smtp?: Pick<SmtpStub, 'messages'>;
  /** claims and resolves the agents did (test/chaos/agents.ts) */
  actions?: AgentAction[];
  actionsWithoutEffect?: AgentAction[];
}

export interface InvariantReport {
  accepted: number;
  acceptedActionRequired: number;
  persisted: number;
  lost: string[];
  /** action-required feedback that is in no ticket */
  unticketed: string[];
  tickets: number;
  /** (customer, touchpoint) pairs with more than one ticket (only tickets of customers with no other feedback are resolved) */
  duplicateTickets: { customer: string; touchpoint: string; tickets: number }[];
  /** tickets whose top-level alert count is not exactly 1 */
  alertsNotOne: { ticketId: string; alerts: number }[];
  /** top-level alerts for tickets that do not exist */
  strayAlerts: number;
  /** the ts notification recorded differs from the one Slack holds (or none recorded) */
  alertRecordMismatch: { ticketId: string; recorded: string | null; inSlack: string }[];
  /** tickets whose alert took more than one top-level chat.postMessage attempt (429/500/timeout/crash) yet exist once */
  alertsRetried: number;
  unfinishedDeliveries: number;
  deliveries: Record<string, number>;
  /** every delivery that ended `failed`, with its reason and what explains it */
  failedDeliveries: FailedDelivery[];
  unexplainedFailures: FailedDelivery[];
  /** SMS deliveries (Twilio), and (ticket, number, text) whose messages in Twilio ≠ the deliveries recorded sent */
  sms: { intended: number; sent: number; failed: number; inTwilio: number };
  smsNotOnce: { ticketId: string; to: string; recordedSent: number; inTwilio: number; problem: string }[];
  /** alert emails (ADR 0015): each recorded sent is in the mailbox under its Message-ID, and nothing else is; one thread start per ticket */
  emailProblems: { ticketId: string; messageId: string; problem: string }[];
  /** emails the mailbox got twice under one Message-ID (an ambiguous send, resent as the same message; clients show it once) */
  emailsResent: number;
  /** a ticket's thread: one reply per sent thread_reply delivery, in the order of its events, nothing else */
  threadProblems: { ticketId: string; problem: string }[];
  /** chat.update calls of one alert that showed an older status after a newer one */
  updatesOutOfOrder: { ticketId: string; shown: string[] }[];
  /** alerts whose final state in Slack is not the ticket's status */
  staleAlerts: { ticketId: string; ticket: string; shown: string }[];
  /** alerts Slack shows fewer edits of than updates were recorded sent (an update recorded but never shown) */
  updatesMissing: { ticketId: string; edits: number; recordedSent: number }[];
  /** edits beyond the updates recorded sent: an update re-sent after an ambiguous outcome (same newest state; harmless) */
  updatesResent: number;
  agentActions: { taken: number; refused: number; pending: number; claims: number; resolves: number; messages: number; viaSlack: number; viaApi: number };
  actionsWithoutEffect: AgentAction[];
  ok: boolean;
}

const STATUS_RANK: Record<string, number> = { open: 0, claimed: 1, resolved: 2 };

/** The ticket status an alert's blocks show (its status line, src/slack/blocks.ts), or `?`. */
export function statusShown(blocks: unknown): string {
  const j = JSON.stringify(blocks ?? []);
  if (j.includes('*Resolved*')) return 'resolved';
  if (j.includes('*Claimed by')) return 'claimed';
  if (j.includes('*Open* · not claimed yet')) return 'open';
  return '?';
}

const maskNumber = (n: string) => (n.length > 6 ? `${n.slice(0, 4)}***${n.slice(-2)}` : '***');

/** Why a failed delivery is expected, or undefined. Replies and updates that failed because their alert did inherit its reason. */
export function explainFailure(d: DeliveryRow, explained: ExplainedFailure[], alertFailure?: string): string | undefined {
  const rule = explained.find((e) => e.code === d.last_error_code && (e.purpose === undefined || e.purpose === d.purpose) && (e.channel === undefined || e.channel === d.channel));
  if (rule) return rule.why;
  if (d.last_error_code === 'alert_failed' && alertFailure) return `its alert failed: ${alertFailure}`;
  return undefined;
}

const isSent = (d: Pick<DeliveryRow, 'status'>) => d.status === 'sent' || d.status === 'delivered';

/**
 * SMS exactly once: for every (number, text), the messages Twilio holds are exactly the SMS deliveries recorded
 * sent, each with a sid Twilio has. Anything else is listed: sent twice, recorded sent but missing, nobody planned it.
 */
export function smsNotExactlyOnce(sms: DeliveryRow[], inTwilio: Pick<TwilioStubMessage, 'sid' | 'to' | 'body'>[]): InvariantReport['smsNotOnce'] {
  const key = (to: string, body: string | null) => `${to}\u0000${body ?? ''}`;
  const sids = new Map<string, string[]>();
  for (const m of inTwilio) sids.set(key(m.to, m.body), [...(sids.get(key(m.to, m.body)) ?? []), m.sid]);
  const recorded = new Map<string, DeliveryRow[]>();
  for (const d of sms) recorded.set(key(d.recipient, d.body), [...(recorded.get(key(d.recipient, d.body)) ?? []), d]);
  const out: InvariantReport['smsNotOnce'] = [];
  for (const k of new Set([...sids.keys(), ...recorded.keys()])) {
    const held = sids.get(k) ?? [];
    const ds = recorded.get(k) ?? [];
    const sent = ds.filter(isSent);
    const [to, body] = k.split('\u0000');
    const ticketId = ds[0]?.ticket_id ?? /\/tickets\/([0-9a-f-]{36})/.exec(body)?.[1] ?? '?';
    const entry = { ticketId, to: maskNumber(to), recordedSent: sent.length, inTwilio: held.length };
    if (held.length !== sent.length) out.push({ ...entry, problem: ds.length === 0 ? 'an SMS nobody planned' : held.length > sent.length ? 'sent more often than recorded' : 'recorded sent, not in Twilio' });
    else if (sent.some((d) => !d.provider_id || !held.includes(d.provider_id))) out.push({ ...entry, problem: 'recorded with a message sid Twilio does not have' });
  }
  return out;
}

/**
 * Alert emails exactly once (ADR 0015): the Message-IDs the mailbox received are exactly those of the email deliveries
 * recorded sent (a Message-ID received twice is one message, resent after an ambiguous send), and every ticket whose
 * team has a mailbox started exactly one thread (`<ticket.<id>@…>`).
 */
export function emailsNotExactlyOnce(
  emails: Pick<DeliveryRow, 'ticket_id' | 'status' | 'message_id'>[],
  inMailbox: Pick<SmtpStubMessage, 'messageId' | 'rcptTo'>[],
  tickets: { id: string; touchpoint: string }[],
): InvariantReport['emailProblems'] {
  const received = new Set(inMailbox.filter((m) => m.rcptTo.includes(CHAOS_MAILBOX)).map((m) => m.messageId ?? ''));
  const sent = new Map(emails.filter(isSent).map((d) => [d.message_id ?? '', d.ticket_id]));
  const out: InvariantReport['emailProblems'] = [];
  for (const [messageId, ticketId] of sent) if (!received.has(messageId)) out.push({ ticketId, messageId, problem: 'recorded sent, not in the mailbox' });
  for (const messageId of received) {
    if (!sent.has(messageId)) out.push({ ticketId: /<ticket\.([0-9a-f-]{36})/.exec(messageId)?.[1] ?? '?', messageId, problem: 'in the mailbox, not recorded sent' });
  }
  for (const t of tickets.filter((x) => x.touchpoint === 'tp0')) {
    const starts = [...received].filter((id) => id.startsWith(`<ticket.${t.id}@`)).length;
    if (starts !== 1) out.push({ ticketId: t.id, messageId: `<ticket.${t.id}@…>`, problem: `${starts} thread starts in the mailbox` });
  }
  return out;
}

/**
 * A ticket's thread holds exactly its thread replies recorded sent, once each, in the order of their events
 * (`snapshot_version`). Returns what is wrong, or undefined.
 */
export function threadMismatch(replies: Pick<DeliveryRow, 'status' | 'provider_id' | 'snapshot_version'>[], thread: Pick<SlackStubMessage, 'ts'>[]): string | undefined {
  const sent = replies.filter(isSent).sort((x, y) => x.snapshot_version - y.snapshot_version);
  if (thread.length !== sent.length) return `${thread.length} replies in Slack, ${sent.length} recorded sent`;
  if (sent.map((d) => d.provider_id).join() !== thread.map((m) => m.ts).join()) return 'replies in Slack are not the recorded ones in the order of their events';
  return undefined;
}

/** Whether a sequence of statuses an alert was updated to ever goes back (claimed after resolved, open after claimed). */
export function showsOlderStatus(shown: string[]): boolean {
  return shown.some((x, i) => i > 0 && (STATUS_RANK[x] ?? 0) < (STATUS_RANK[shown[i - 1]] ?? 0));
}

export async function checkInvariants(dbUrl: string, slack: SlackStub, accepted: Map<string, AcceptedFeedback>, s?: Schemas, opts: CheckOptions = {}): Promise<InvariantReport> {
  const schemas = s ?? opts.schemas;
  const snap = await snapshot(dbUrl, schemas);
  const rows = await withDb(dbUrl, async (c) => (await c.query(
    `SELECT id::text, ticket_id, purpose, channel, recipient, status, last_error, last_error_code, provider_id, snapshot_version, payload->>'body' AS body,
            payload->>'messageId' AS message_id
       FROM "${schemas?.notification ?? 'notification'}".delivery ORDER BY created_at, id`,
  )).rows as DeliveryRow[]);
  const acc = [...accepted.values()];
  const lost = acc.filter((a) => !snap.seen.has(a.feedbackId)).map((a) => a.feedbackId);
  const unticketed = acc.filter((a) => a.actionRequired && !snap.inTicket.has(a.feedbackId)).map((a) => a.feedbackId);
  const perPair = new Map<string, number>();
  for (const t of snap.tickets) perPair.set(`${t.customer_id}\u0000${t.touchpoint}`, (perPair.get(`${t.customer_id}\u0000${t.touchpoint}`) ?? 0) + 1);
  const duplicateTickets = [...perPair].filter(([, n]) => n > 1).map(([k, n]) => ({ customer: k.split('\u0000')[0], touchpoint: k.split('\u0000')[1], tickets: n }));
  const alerts = topLevelAlerts(slack);
  const ids = new Set(snap.tickets.map((t) => t.id));
  const alertsNotOne = snap.tickets.map((t) => ({ ticketId: t.id, alerts: alerts.get(t.id)?.length ?? 0 })).filter((x) => x.alerts !== 1);
  const strayAlerts = [...alerts.keys()].filter((id) => !ids.has(id)).length;
  const alertRecordMismatch = snap.tickets.flatMap((t) => {
    const posted = alerts.get(t.id) ?? [];
    const recorded = snap.alertRecords.get(t.id) ?? null;
    return posted.length === 1 && recorded !== posted[0].ts ? [{ ticketId: t.id, recorded, inSlack: posted[0].ts }] : [];
  });
  const attempts = new Map<string, number>();
  for (const r of slack.calls('chat.postMessage')) {
    if (r.form.thread_ts) continue;
    const id = ticketIdOfMessage(r.form);
    if (id) attempts.set(id, (attempts.get(id) ?? 0) + 1);
  }
  const alertsRetried = [...attempts.values()].filter((n) => n > 1).length;

  // deliveries that ended failed: each one explained by something the run did on purpose
  const explained = opts.explained ?? [];
  const alertFailures = new Map<string, string>();
  for (const d of rows) {
    if (d.purpose !== 'alert' || d.status !== 'failed') continue;
    const why = explainFailure(d, explained);
    if (why) alertFailures.set(d.ticket_id, why);
  }
  const failedDeliveries: FailedDelivery[] = rows.filter((d) => d.status === 'failed').map((d) => {
    const why = explainFailure(d, explained, alertFailures.get(d.ticket_id));
    return { deliveryId: d.id, ticketId: d.ticket_id, purpose: d.purpose, channel: d.channel, code: d.last_error_code, error: d.last_error?.slice(0, 200) ?? null, ...(why ? { explainedBy: why } : {}) };
  });
  const unexplainedFailures = failedDeliveries.filter((f) => !f.explainedBy);

  // SMS: what Twilio holds for each (number, text) is exactly what was recorded sent — no SMS twice, none missing, none stray
  // on-call SMS and agents' messages to customers alike
  const smsRows = rows.filter((d) => (d.purpose === 'sms' || d.purpose === 'customer_sms') && d.channel === 'sms');
  const smsNotOnce = opts.twilio ? smsNotExactlyOnce(smsRows, opts.twilio.messages) : [];

  // alert emails: the mailbox holds exactly the Message-IDs recorded sent; each t0 ticket starts one thread
  const emailRows = rows.filter((d) => d.purpose === 'email' && d.channel === 'email');
  const emailProblems = opts.smtp ? emailsNotExactlyOnce(emailRows, opts.smtp.messages, snap.tickets) : [];
  const emailsResent = opts.smtp ? opts.smtp.messages.length - new Set(opts.smtp.messages.map((m) => m.messageId)).size : 0;

  // thread replies: once each, in the order of their events; updates never show an older status after a newer one
  const threadProblems: InvariantReport['threadProblems'] = [];
  const updatesOutOfOrder: InvariantReport['updatesOutOfOrder'] = [];
  const staleAlerts: InvariantReport['staleAlerts'] = [];
  const updatesMissing: InvariantReport['updatesMissing'] = [];
  let updatesResent = 0;
  const messages = slack.messages();
  const updates = slack.calls('chat.update');
  for (const t of snap.tickets) {
    const alert = alerts.get(t.id);
    if (!alert || alert.length !== 1) continue;
    const { channel, ts } = alert[0];
    const thread = messages.filter((m) => m.channel === channel && m.thread_ts === ts && m.ts !== ts);
    const problem = threadMismatch(rows.filter((d) => d.ticket_id === t.id && d.purpose === 'thread_reply' && d.channel === 'slack'), thread);
    if (problem) threadProblems.push({ ticketId: t.id, problem });
    const shown = updates.filter((r) => r.form.channel === channel && r.form.ts === ts).map((r) => statusShown(r.form.blocks));
    if (showsOlderStatus(shown)) updatesOutOfOrder.push({ ticketId: t.id, shown });
    const finalShown = statusShown(alert[0].blocks);
    if (finalShown !== t.status) staleAlerts.push({ ticketId: t.id, ticket: t.status, shown: finalShown });
    const recordedSent = rows.filter((d) => d.ticket_id === t.id && d.purpose === 'update' && d.channel === 'slack' && isSent(d)).length;
    if (alert[0].edits < recordedSent) updatesMissing.push({ ticketId: t.id, edits: alert[0].edits, recordedSent });
    else updatesResent += alert[0].edits - recordedSent;
  }

  const actions = opts.actions ?? [];
  const agentActions = {
    taken: actions.filter((x) => x.outcome === 'taken').length,
    refused: actions.filter((x) => x.outcome === 'refused').length,
    pending: actions.filter((x) => x.outcome === 'pending').length,
    claims: actions.filter((x) => x.kind === 'claim').length,
    resolves: actions.filter((x) => x.kind === 'resolve').length,
    messages: actions.filter((x) => x.kind === 'message').length,
    viaSlack: actions.filter((x) => x.via === 'slack').length,
    viaApi: actions.filter((x) => x.via === 'api').length,
  };
  const actionsWithoutEffect = opts.actionsWithoutEffect ?? [];
  const report: InvariantReport = {
    accepted: acc.length,
    acceptedActionRequired: acc.filter((a) => a.actionRequired).length,
    persisted: acc.length - lost.length,
    lost,
    unticketed,
    tickets: snap.tickets.length,
    duplicateTickets,
    alertsNotOne,
    strayAlerts,
    alertRecordMismatch,
    alertsRetried,
    unfinishedDeliveries: snap.unfinishedDeliveries,
    deliveries: snap.deliveries,
    failedDeliveries,
    unexplainedFailures,
    sms: { intended: smsRows.length, sent: smsRows.filter(isSent).length, failed: smsRows.filter((d) => d.status === 'failed').length, inTwilio: opts.twilio?.messages.length ?? 0 },
    smsNotOnce,
    emailProblems,
    emailsResent,
    threadProblems,
    updatesOutOfOrder,
    staleAlerts,
    updatesMissing,
    updatesResent,
    agentActions,
    actionsWithoutEffect,
    ok: false,
  };
  report.ok = lost.length === 0 && unticketed.length === 0 && duplicateTickets.length === 0 && alertsNotOne.length === 0 &&
    strayAlerts === 0 && alertRecordMismatch.length === 0 && snap.unfinishedDeliveries === 0 && unexplainedFailures.length === 0 &&
    smsNotOnce.length === 0 && emailProblems.length === 0 && threadProblems.length === 0 && updatesOutOfOrder.length === 0 && staleAlerts.length === 0 && updatesMissing.length === 0 &&
    agentActions.pending === 0 && actionsWithoutEffect.length === 0;
  return report;
}

/**
 * Waits until every accepted feedback was seen by tickets, every action-required one is in a ticket, every ticket
 * has its Slack alert, no delivery is still in flight and whatever `more` counts is 0 — and that held for `stableMs`. Bounded by `timeoutMs`;
 * returns how long it took (the invariants are checked by the caller either way).
 */
export async function waitForPipelineQuiescence(dbUrl: string, slack: SlackStub, accepted: Map<string, AcceptedFeedback>, opts: { timeoutMs: number; stableMs?: number; schemas?: Schemas; more?: () => Promise<Record<string, number>> }): Promise<{ ms: number; reached: boolean; why?: string }> {
  const started = Date.now();
  try {
    await waitForQuiescence(async () => {
      const snap = await snapshot(dbUrl, opts.schemas);
      const alerts = topLevelAlerts(slack);
      const all = [...accepted.values()];
      return {
        pending: {
          'accepted feedback not seen by tickets': all.filter((a) => !snap.seen.has(a.feedbackId)).length,
          'action-required feedback in no ticket': all.filter((a) => a.actionRequired && !snap.inTicket.has(a.feedbackId)).length,
          'tickets without an alert': snap.tickets.filter((t) => !(alerts.get(t.id)?.length ?? 0) || !snap.alertRecords.get(t.id)).length,
          'unfinished deliveries': snap.unfinishedDeliveries,
          ...(await opts.more?.()),
        },
        activity: { seen: snap.seen.size, tickets: snap.tickets.length, slackRequests: slack.requests.length },
      };
    }, { timeoutMs: opts.timeoutMs, stableMs: opts.stableMs ?? 2_000, intervalMs: 500, what: 'the pipeline' });
    return { ms: Date.now() - started, reached: true };
  } catch (err) {
    return { ms: Date.now() - started, reached: false, why: (err as Error).message.slice(0, 500) };
  }
}

export function describeFailures(r: InvariantReport): string {
  const lines: string[] = [];
  if (r.lost.length) lines.push(`${r.lost.length} accepted feedback never reached tickets: ${r.lost.slice(0, 10).join(', ')}`);
  if (r.unticketed.length) lines.push(`${r.unticketed.length} action-required feedback in no ticket: ${r.unticketed.slice(0, 10).join(', ')}`);
  if (r.duplicateTickets.length) lines.push(`duplicate tickets: ${JSON.stringify(r.duplicateTickets.slice(0, 10))}`);
  if (r.alertsNotOne.length) lines.push(`tickets without exactly one top-level alert: ${JSON.stringify(r.alertsNotOne.slice(0, 10))}`);
  if (r.strayAlerts) lines.push(`${r.strayAlerts} top-level alerts for tickets that do not exist`);
  if (r.alertRecordMismatch.length) lines.push(`alert ts recorded ≠ Slack's: ${JSON.stringify(r.alertRecordMismatch.slice(0, 10))}`);
  if (r.unfinishedDeliveries) lines.push(`${r.unfinishedDeliveries} deliveries still pending/sending/retrying`);
  if (r.unexplainedFailures.length) lines.push(`${r.unexplainedFailures.length} deliveries failed for no reason the run caused: ${JSON.stringify(r.unexplainedFailures.slice(0, 10))}`);
  if (r.smsNotOnce.length) lines.push(`SMS not sent exactly once: ${JSON.stringify(r.smsNotOnce.slice(0, 10))}`);
  if (r.emailProblems.length) lines.push(`alert emails not sent exactly once: ${JSON.stringify(r.emailProblems.slice(0, 10))}`);
  if (r.threadProblems.length) lines.push(`thread replies not once each, in order: ${JSON.stringify(r.threadProblems.slice(0, 10))}`);
  if (r.updatesOutOfOrder.length) lines.push(`alert updates out of order: ${JSON.stringify(r.updatesOutOfOrder.slice(0, 10))}`);
  if (r.updatesMissing.length) lines.push(`updates recorded sent but not shown in Slack: ${JSON.stringify(r.updatesMissing.slice(0, 10))}`);
  if (r.staleAlerts.length) lines.push(`alerts not showing their ticket's status: ${JSON.stringify(r.staleAlerts.slice(0, 10))}`);
  if (r.agentActions.pending) lines.push(`${r.agentActions.pending} claims/resolves never got through`);
  if (r.actionsWithoutEffect.length) lines.push(`claims/resolves taken without effect: ${JSON.stringify(r.actionsWithoutEffect.slice(0, 10))}`);
  return lines.join('\n');
}

/** One feedback for a fresh customer, submitted until accepted; resolves when its Slack alert exists (recovery probe). */
export async function probeRecovery(opts: { ingestUrls: () => string[]; apiKey: string; slack: SlackStub; dbUrl: string; run: string; touchpoint: string; timeoutMs: number; schemas?: Schemas }): Promise<{ ms: number; feedback: AcceptedFeedback; ticketId: string }> {
  const started = Date.now();
  const externalId = `${opts.run}-probe-${randomBytes(4).toString('hex')}`;
  const body = {
    source: 'chaos', externalId, touchpoint: opts.touchpoint, channel: 'web', metric: 'nps', score: 4, comment: 'probe: the order was late',
    customer: { id: `${opts.run}-probe-${externalId.slice(-8)}` }, respondedAt: new Date().toISOString(),
  };
  const planned: PlannedFeedback = { body, actionRequired: true, feedbackId: feedbackIdFor('chaos', externalId) };
  let attempts = 0;
  await until(async () => {
    const urls = opts.ingestUrls();
    attempts += 1;
    const r = await postJson(`${urls[attempts % urls.length]}/v1/feedback`, body, { Authorization: `Bearer ${opts.apiKey}` }, 5_000);
    return r.status === 202;
  }, 'probe feedback accepted', opts.timeoutMs, 300);
  const feedback: AcceptedFeedback = { ...planned, acceptedAt: Date.now(), attempts };
  const ticketSchema = opts.schemas?.tickets ?? 'tickets';
  const ticketId = await until(async () => withDb(opts.dbUrl, async (c) => (await c.query(`SELECT ticket_id::text FROM "${ticketSchema}".ticket_feedback WHERE feedback_id = $1`, [planned.feedbackId])).rows[0]?.ticket_id),
    'probe ticket', Math.max(1_000, opts.timeoutMs - (Date.now() - started)), 250);
  await until(() => (topLevelAlerts(opts.slack).get(ticketId)?.length ?? 0) >= 1, 'probe alert in Slack', Math.max(1_000, opts.timeoutMs - (Date.now() - started)), 100);
  return { ms: Date.now() - started, feedback, ticketId };
}

/** A routing file with `teams` teams, one Slack channel and one on-call number each, one touchpoint per team. */
/** Team t0's mailbox: its alerts also go out by email, one thread per ticket (SPEC §11). */
export const CHAOS_MAILBOX = 'leads-t0@chaos.example';

export function chaosRouting(teams: number, sla = { firstResponse: 'PT1H', resolve: 'PT48H' }): { yaml: string; touchpoints: string[]; channels: string[]; onCall: string[] } {
  const touchpoints = Array.from({ length: teams }, (_, i) => `tp${i}`);
  const channels = Array.from({ length: teams }, (_, i) => `C0CHAOS${i}`);
  const onCall = Array.from({ length: teams }, (_, i) => `+9055511122${String(i).padStart(2, '0')}`);
  const yaml = `
defaults:
  team: t0
  alertAt: { nps: 6, csat: 2, ces: 3 }
teams:
${channels.map((c, i) => `  - id: t${i}\n    slackChannel: ${c}\n    onCall: ["${onCall[i]}"]\n    sla: { firstResponse: ${sla.firstResponse}, resolve: ${sla.resolve} }${i === 0 ? `\n    email: ["${CHAOS_MAILBOX}"]` : ''}`).join('\n')}
touchpoints:
${touchpoints.map((t, i) => `  - id: ${t}\n    team: t${i}`).join('\n')}
keywords:
  critical: ["lawyer"]
  alert: ["refund"]
agents:
  - { id: ayse, name: "Ayşe Yılmaz", team: t0, slackUserId: U0AYSE, role: admin }   # acts on every team's tickets (SPEC §12)
rootCauses: [staff-behaviour, wait-time, other]
templates:
  apology:
    en: { sms: "We are sorry about your {{touchpoint}} visit. {{agent.name}}" }
`;
  return { yaml, touchpoints, channels, onCall };
}

export type { TwilioStub };
