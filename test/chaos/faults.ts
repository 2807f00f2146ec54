/**
 * The faults a chaos run injects, each measured: how long the thing was down, how long its restart took, and how
 * long until a fresh feedback went all the way to a Slack alert again (time to recover).
 */
import type { SlackStub, SlackStubRequest } from '@closeloop/testing';
import type { ChaosInfra } from './infra';
import { ServiceName, failNextSlackCalls, instanceOfUserAgent, isAlertUpdate, isTopLevelAlert, onTopLevelPost, probeRecovery, retriesOf, sleep, ticketIdOfMessage, until, type AcceptedFeedback, type ExplainedFailure } from './harness';
import type { ChaosSystem } from './system';

export interface FaultResult {
  fault: string;
  /** ms since the run started */
  at: number;
  downMs?: number;
  restartMs?: number;
  /** fault start → a probe feedback submitted after it has its Slack alert */
  recoveryMs?: number;
  detail?: string;
  error?: string;
}

export interface FaultContext {
  sys: ChaosSystem;
  infra: ChaosInfra;
  run: string;
  startedAt: number;
  /** accepted probes count as accepted feedback too */
  onAccepted(f: AcceptedFeedback): void;
  /** a probe's ticket: its customer sends nothing else, so agents may resolve it */
  onProbeTicket?(ticketId: string): void;
  probeTimeoutMs?: number;
}

export type Fault = { name: string; inject(ctx: FaultContext): Promise<Omit<FaultResult, 'fault' | 'at'>> };

async function probe(ctx: FaultContext, from: number): Promise<number> {
  const p = await probeRecovery({
    ingestUrls: ctx.sys.ingestUrls, apiKey: ctx.sys.apiKey, slack: ctx.sys.slack, dbUrl: ctx.sys.dbUrl, run: ctx.run,
    touchpoint: ctx.sys.routing.touchpoints[0], timeoutMs: ctx.probeTimeoutMs ?? 180_000,
  });
  ctx.onAccepted(p.feedback);
  ctx.onProbeTicket?.(p.ticketId);
  return Date.now() - from;
}

/** SIGKILL one instance, leave it dead for `downMs`, start it again. */
export function killService(service: ServiceName, index = 0, downMs = 1_500): Fault {
  return {
    name: `SIGKILL ${service}#${index}`,
    async inject(ctx) {
      const t = Date.now();
      await ctx.sys.stack.kill(`${service}#${index}`);
      await sleep(downMs);
      const restartMs = await ctx.sys.stack.restart(`${service}#${index}`);
      return { downMs: Date.now() - t - restartMs, restartMs, recoveryMs: await probe(ctx, t) };
    },
  };
}

/**
 * Installs the kill: the next top-level alert Slack records is answered (or not, with `loseAnswer`) only after the
 * instance that sent it — named by its User-Agent — got SIGKILL; no other instance is touched. Resolves with the
 * request and the instance, or rejects when no alert comes within `timeoutMs` or its sender cannot be told.
 */
export async function killSenderOfNextAlert(
  stack: Pick<ChaosSystem['stack'], 'of' | 'killNow'>,
  slack: SlackStub,
  opts: { loseAnswer: boolean; timeoutMs?: number },
): Promise<{ posted: SlackStubRequest; sender: string; killedAt: number }> {
  let posted: SlackStubRequest | undefined;
  let sender: string | undefined;
  let killedAt = 0;
  const uninstall = onTopLevelPost(slack, (r) => {
    if (posted) return;
    posted = r;
    sender = instanceOfUserAgent(stack.of('notification'), r.headers['user-agent']);
    if (opts.loseAnswer) slack.script('chat.postMessage', { dropResponse: true });
    if (sender) stack.killNow(sender);
    killedAt = Date.now();
  });
  try {
    const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
    while (!posted && Date.now() < deadline) await sleep(20);
  } finally {
    uninstall();
  }
  if (!posted) throw new Error(`no top-level chat.postMessage within ${(opts.timeoutMs ?? 120_000) / 1000} s`);
  if (!sender) throw new Error(`cannot tell which notification instance posted (User-Agent: ${String(posted.headers['user-agent']).slice(0, 200)})`);
  return { posted, sender, killedAt };
}

/**
 * SIGKILL the notification instance that sent a top-level alert, between Slack accepting it and that instance
 * recording it: the stub calls us synchronously as it records the chat.postMessage, and the request's User-Agent
 * names the sending process (each instance has its own process title), so exactly that pid is killed there — the
 * other instances keep running. With `loseAnswer` the stub keeps the message but never answers (deterministic);
 * without, the answer races the kill. Either way the message must not be posted twice: whoever takes the delivery
 * over (the restarted instance, or another one once the lease expired) finds it in conversations.history.
 */
export function killNotificationAfterPost(opts: { loseAnswer: boolean; downMs?: number }): Fault {
  return {
    name: `SIGKILL the notification instance that posted, between a Slack post and its record${opts.loseAnswer ? ' (answer lost)' : ''}`,
    async inject(ctx) {
      const { stack, slack } = ctx.sys;
      const kill = killSenderOfNextAlert(stack, slack, opts);
      const t = Date.now();
      // a fresh customer makes a new ticket, so a top-level alert is on its way
      const first = probe(ctx, t).catch((err: Error) => err);
      const { posted, sender, killedAt } = await kill;
      await sleep(opts.downMs ?? 1_000);
      const restartMs = await stack.restart(sender);
      const downMs = Date.now() - killedAt - restartMs;
      const recoveryMs = await probe(ctx, t);
      const firstOutcome = await first;
      if (firstOutcome instanceof Error) throw firstOutcome;
      return {
        downMs,
        restartMs,
        recoveryMs,
        detail: `${sender} killed; ticket ${ticketIdOfMessage(posted.form)} — its alert must exist once and be recorded`,
      };
    },
  };
}

/** SIGKILL the broker (or, in a cluster, broker `node` only: the others keep the partitions available), restart it. */
export function brokerRestart(downMs = 3_000, node?: number): Fault {
  return {
    name: node === undefined ? 'SIGKILL the Kafka broker, restart it' : `SIGKILL Kafka broker ${node + 1} of the cluster, restart it`,
    async inject(ctx) {
      const t = Date.now();
      await ctx.infra.killKafka(node);
      await sleep(downMs);
      const restartMs = await ctx.infra.restartKafka(node);
      return { downMs: Date.now() - t - restartMs, restartMs, recoveryMs: await probe(ctx, t) };
    },
  };
}

export function postgresRestart(downMs = 2_000): Fault {
  return {
    name: 'Postgres stop -m immediate, restart',
    async inject(ctx) {
      const t = Date.now();
      await ctx.infra.stopPostgresImmediate();
      await sleep(downMs);
      const restartMs = await ctx.infra.restartPostgres();
      return { downMs: Date.now() - t - restartMs, restartMs, recoveryMs: await probe(ctx, t) };
    },
  };
}

/**
 * Slack fails the next top-level alerts (429 with Retry-After, 500, a timeout, 503) and the next alert updates (500,
 * 429), then is fine again. The errors land on exactly those calls (failNextSlackCalls); each must be retried and
 * the alert still exist once.
 */
export function slackErrors(): Fault {
  return {
    name: 'Slack answers 429 / 500 / timeout / 503 to alerts, 500 / 429 to updates',
    async inject(ctx) {
      const t = Date.now();
      const { slack } = ctx.sys;
      const posts = failNextSlackCalls(slack, isTopLevelAlert, { status: 429, retryAfter: 1 }, { status: 500 }, { hang: true }, { status: 503 });
      const updates = failNextSlackCalls(slack, isAlertUpdate, { status: 500 }, { status: 429, retryAfter: 1 });
      try {
        const recoveryMs = await probe(ctx, t);
        // the load keeps opening tickets and attaching feedback: the rest of the errors land soon, and each call that
        // got one is tried again (Retry-After 1 s, backoff ≤ 3 s in these runs)
        await until(() => posts.hits.length === 4 && updates.hits.length === 2, 'the scripted Slack errors to land on alerts and updates', 60_000);
        const notRetried = () => retriesOf(slack, [...posts.hits, ...updates.hits]).filter((r) => r.laterAttempts === 0);
        await until(() => notRetried().length === 0, 'every call that got a scripted error to be tried again', 60_000)
          .catch(() => Promise.reject(new Error(`not tried again after a scripted Slack error: ${notRetried().map((r) => `${r.method} ${r.ticketId}`).join(', ')}`)));
        return { recoveryMs, detail: '4 alert posts and 2 updates failed as scripted, each tried again' };
      } finally {
        posts.uninstall();
        updates.uninstall();
      }
    },
  };
}

/** The permanent errors the faults script: a delivery that ended `failed` with one of them is explained. */
export const SCRIPTED_PERMANENT_FAILURES: ExplainedFailure[] = [
  { purpose: 'sms', channel: 'sms', code: '21610', why: 'Twilio 21610 (unsubscribed), scripted by the Twilio fault' },
  { purpose: 'customer_sms', channel: 'sms', code: '21610', why: 'Twilio 21610 (unsubscribed), scripted by the Twilio fault' },
];

/** The next SMS sends fail: 500, 429, timeout, and one permanent 21610 (recorded failed, not retried). */
export function twilioErrors(): Fault {
  return {
    name: 'Twilio answers 500 / 429 / timeout / 21610',
    async inject(ctx) {
      const t = Date.now();
      ctx.sys.twilio.script({ status: 500 }, { status: 429, code: 20429, retryAfter: 1 }, { hang: true }, { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
      return { recoveryMs: await probe(ctx, t), detail: 'SMS: 500, 429, timeout, 21610' };
    },
  };
}

export async function inject(fault: Fault, ctx: FaultContext): Promise<FaultResult> {
  const at = Date.now() - ctx.startedAt;
  try {
    return { fault: fault.name, at, ...(await fault.inject(ctx)) };
  } catch (err) {
    return { fault: fault.name, at, error: (err as Error).message.slice(0, 500) };
  }
}
