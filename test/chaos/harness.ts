/**
 * The chaos harness shared by `npm run test:chaos` (test/chaos/run.ts) and the reduced run inside `npm test`
 * (test/chaos/chaos.int-spec.ts), and reused by the multi-instance end-to-end test:
 * - ChaosStack: the built services as child processes, any number of instances each, that can be SIGKILLed and restarted;
 * - FeedbackLoad: a stream of feedback into ingest that remembers every 202 (its feedbackId) and retries the rest
 *   like a real client (same body, so the retry is idempotent);
 * - checkInvariants: what SPEC §9 promises, read from the services' tables and the Slack stub;
 * - waitForPipelineQuiescence: bounded wait until everything accepted went all the way through.
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import { Client } from 'pg';
import { feedbackIdFor } from '@closeloop/contracts';
import { waitForQuiescence, type SlackStub, type SlackStubMessage, type SlackStubRequest, type TwilioStub } from '@closeloop/testing';
import { freePort } from '../e2e/stack';

const stackLib = require('../../scripts/lib/stack.cjs') as {
  SERVICES: { name: string; port: number; portVar: string; migrate: boolean | string }[];
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

export class ChaosStack {
  readonly instances: Instance[] = [];

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
        stack.instances.push({ id: `${service}#${i}`, service, port, url: `http://127.0.0.1:${port}`, handle: undefined as never, restarts: 0 });
      }
    }
    for (const inst of stack.instances) inst.handle = stack.spawn(inst);
    await Promise.all(stack.instances.map((i) => stack.ready(i, opts.readyTimeoutMs ?? 90_000)));
    return stack;
  }

  private spawn(inst: Instance): ProcessHandle {
    const def = stackLib.SERVICES.find((s) => s.name === inst.service);
    if (!def) throw new Error(`unknown service ${inst.service}`);
    const env: NodeJS.ProcessEnv = { ...this.env, [def.portVar]: String(inst.port) };
    // Twilio signs status callbacks against the public URL of the instance it called
    if (inst.service === 'notification') env.PUBLIC_BASE_URL = inst.url;
    const tag = inst.id;
    return stackLib.startService({ ...def, port: inst.port }, env, (l) => this.log(`[${tag}] ${l}`));
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

  /** SIGKILL: no shutdown hook runs, in-flight work is lost exactly where it was. */
  async kill(id: string): Promise<void> {
    await this.get(id).handle.kill();
  }

  /** SIGKILL right now, without waiting (for use inside a synchronous hook). */
  killNow(id: string): void {
    this.get(id).handle.child.kill('SIGKILL');
  }

  /** Starts a stopped instance again on the same port; resolves once it is ready. Returns the start time in ms. */
  async restart(id: string, timeoutMs = 90_000): Promise<number> {
    const inst = this.get(id);
    if (this.isRunning(inst)) await inst.handle.kill();
    await inst.handle.exited;
    const t = Date.now();
    inst.handle = this.spawn(inst);
    inst.restarts += 1;
    await this.ready(inst, timeoutMs);
    return Date.now() - t;
  }

  async stop(): Promise<void> {
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
    const customer = `${this.run}-c${Math.floor(this.rnd() * this.customers)}`;
    const touchpoint = this.touchpoints[Math.floor(this.rnd() * this.touchpoints.length)];
    const detractor = this.rnd() < 0.5;
    const score = detractor ? (this.rnd() < 0.2 ? Math.floor(this.rnd() * 3) : 3 + Math.floor(this.rnd() * 4)) : 7 + Math.floor(this.rnd() * 4);
    const body = {
      source: 'chaos', externalId: `${this.run}-${this.seq}`, touchpoint, channel: 'web', metric: 'nps', score,
      comment: detractor ? `Waited ${20 + this.seq % 40} minutes, nobody came` : 'Fine, thanks',
      customer: { id: customer, name: `Customer ${customer.slice(-4)}` }, respondedAt: new Date().toISOString(),
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
          await this.submit(item, w);
          await sleep(Math.max(0, interval - (Date.now() - t)));
        }
      })());
    }
  }

  /** Stops taking new feedback; keeps retrying what was not accepted yet for up to `drainMs`. */
  async stop(drainMs = 60_000): Promise<void> {
    const deadline = Date.now() + drainMs;
    this.opts.limit = this.submitted; // nothing new
    while (this.retry.length > 0 && Date.now() < deadline) await sleep(200);
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
 * Calls `onPost` synchronously as the Slack stub records a top-level chat.postMessage, before it answers: the
 * moment between "Slack has the message" and "notification recorded it". Returns the uninstaller.
 */
export function onTopLevelPost(slack: SlackStub, onPost: (r: SlackStubRequest) => void): () => void {
  const requests = slack.requests as SlackStubRequest[] & { push: (...r: SlackStubRequest[]) => number };
  const original = requests.push;
  requests.push = function push(this: SlackStubRequest[], ...items: SlackStubRequest[]) {
    const n = original.apply(this, items);
    for (const r of items) if (r.method === 'chat.postMessage' && !r.form.thread_ts) onPost(r);
    return n;
  };
  return () => {
    requests.push = original;
  };
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

export interface InvariantReport {
  accepted: number;
  acceptedActionRequired: number;
  persisted: number;
  lost: string[];
  /** action-required feedback that is in no ticket */
  unticketed: string[];
  tickets: number;
  /** (customer, touchpoint) pairs with more than one ticket (no ticket is ever resolved in these runs) */
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
  ok: boolean;
}

export async function checkInvariants(dbUrl: string, slack: SlackStub, accepted: Map<string, AcceptedFeedback>, s?: Schemas): Promise<InvariantReport> {
  const snap = await snapshot(dbUrl, s);
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
    ok: false,
  };
  report.ok = lost.length === 0 && unticketed.length === 0 && duplicateTickets.length === 0 && alertsNotOne.length === 0 &&
    strayAlerts === 0 && alertRecordMismatch.length === 0 && snap.unfinishedDeliveries === 0;
  return report;
}

/**
 * Waits until every accepted feedback was seen by tickets, every action-required one is in a ticket, every ticket
 * has its Slack alert and no delivery is still in flight — and that held for `stableMs`. Bounded by `timeoutMs`;
 * returns how long it took (the invariants are checked by the caller either way).
 */
export async function waitForPipelineQuiescence(dbUrl: string, slack: SlackStub, accepted: Map<string, AcceptedFeedback>, opts: { timeoutMs: number; stableMs?: number; schemas?: Schemas }): Promise<{ ms: number; reached: boolean }> {
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
        },
        activity: { seen: snap.seen.size, tickets: snap.tickets.length, slackRequests: slack.requests.length },
      };
    }, { timeoutMs: opts.timeoutMs, stableMs: opts.stableMs ?? 2_000, intervalMs: 500, what: 'the pipeline' });
    return { ms: Date.now() - started, reached: true };
  } catch {
    return { ms: Date.now() - started, reached: false };
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
  return lines.join('\n');
}

/** One feedback for a fresh customer, submitted until accepted; resolves when its Slack alert exists (recovery probe). */
export async function probeRecovery(opts: { ingestUrls: () => string[]; apiKey: string; slack: SlackStub; dbUrl: string; run: string; touchpoint: string; timeoutMs: number; schemas?: Schemas }): Promise<{ ms: number; feedback: AcceptedFeedback }> {
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
  return { ms: Date.now() - started, feedback };
}

/** A routing file with `teams` teams, one Slack channel and one on-call number each, one touchpoint per team. */
export function chaosRouting(teams: number, sla = { firstResponse: 'PT1H', resolve: 'PT48H' }): { yaml: string; touchpoints: string[]; channels: string[]; onCall: string[] } {
  const touchpoints = Array.from({ length: teams }, (_, i) => `tp${i}`);
  const channels = Array.from({ length: teams }, (_, i) => `C0CHAOS${i}`);
  const onCall = Array.from({ length: teams }, (_, i) => `+9055511122${String(i).padStart(2, '0')}`);
  const yaml = `
defaults:
  team: t0
  alertAt: { nps: 6, csat: 2, ces: 3 }
teams:
${channels.map((c, i) => `  - id: t${i}\n    slackChannel: ${c}\n    onCall: ["${onCall[i]}"]\n    sla: { firstResponse: ${sla.firstResponse}, resolve: ${sla.resolve} }`).join('\n')}
touchpoints:
${touchpoints.map((t, i) => `  - id: ${t}\n    team: t${i}`).join('\n')}
keywords:
  critical: ["lawyer"]
  alert: ["refund"]
agents:
  - { id: ayse, name: "Ayşe Yılmaz", team: t0, slackUserId: U0AYSE }
rootCauses: [staff-behaviour, wait-time, other]
`;
  return { yaml, touchpoints, channels, onCall };
}

export type { TwilioStub };
