/**
 * The faults a chaos run injects, each measured: how long the thing was down, how long its restart took, and how
 * long until a fresh feedback went all the way to a Slack alert again (time to recover).
 */
import type { SlackStubRequest } from '@closeloop/testing';
import type { ChaosInfra } from './infra';
import { ServiceName, onTopLevelPost, probeRecovery, sleep, ticketIdOfMessage, type AcceptedFeedback } from './harness';
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
  probeTimeoutMs?: number;
}

export type Fault = { name: string; inject(ctx: FaultContext): Promise<Omit<FaultResult, 'fault' | 'at'>> };

async function probe(ctx: FaultContext, from: number): Promise<number> {
  const p = await probeRecovery({
    ingestUrls: ctx.sys.ingestUrls, apiKey: ctx.sys.apiKey, slack: ctx.sys.slack, dbUrl: ctx.sys.dbUrl, run: ctx.run,
    touchpoint: ctx.sys.routing.touchpoints[0], timeoutMs: ctx.probeTimeoutMs ?? 180_000,
  });
  ctx.onAccepted(p.feedback);
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
 * SIGKILL notification between Slack accepting a top-level alert and notification recording it: the stub calls us
 * synchronously as it records the chat.postMessage; we kill the process there. With `loseAnswer` the stub keeps
 * the message but never answers (deterministic); without, the answer races the kill. Either way the restarted
 * service must find the message in conversations.history instead of posting a second one.
 */
export function killNotificationAfterPost(opts: { loseAnswer: boolean; index?: number; downMs?: number }): Fault {
  const id = `notification#${opts.index ?? 0}`;
  return {
    name: `SIGKILL ${id} between a Slack post and its record${opts.loseAnswer ? ' (answer lost)' : ''}`,
    async inject(ctx) {
      const { stack, slack } = ctx.sys;
      let posted: SlackStubRequest | undefined;
      let killedAt = 0;
      const uninstall = onTopLevelPost(slack, (r) => {
        if (posted) return;
        posted = r;
        if (opts.loseAnswer) slack.script('chat.postMessage', { dropResponse: true });
        // every instance: whichever sent it must not record it
        for (const inst of stack.of('notification')) stack.killNow(inst.id);
        killedAt = Date.now();
      });
      const t = Date.now();
      // a fresh customer makes a new ticket, so a top-level alert is on its way
      const first = probe(ctx, t).catch((err: Error) => err);
      try {
        const deadline = Date.now() + 120_000;
        while (!posted && Date.now() < deadline) await sleep(20);
      } finally {
        uninstall();
      }
      if (!posted) throw new Error('no top-level chat.postMessage within 120 s');
      await sleep(opts.downMs ?? 1_000);
      let restartMs = 0;
      for (const inst of stack.of('notification')) restartMs = Math.max(restartMs, await stack.restart(inst.id));
      const downMs = Date.now() - killedAt - restartMs;
      const recoveryMs = await probe(ctx, t);
      const firstOutcome = await first;
      if (firstOutcome instanceof Error) throw firstOutcome;
      return {
        downMs,
        restartMs,
        recoveryMs,
        detail: `ticket ${ticketIdOfMessage(posted.form)} — its alert must exist once and be recorded`,
      };
    },
  };
}

export function brokerRestart(downMs = 3_000): Fault {
  return {
    name: 'SIGKILL the Kafka broker, restart it',
    async inject(ctx) {
      const t = Date.now();
      await ctx.infra.killKafka();
      await sleep(downMs);
      const restartMs = await ctx.infra.restartKafka();
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

/** The next Slack calls fail: 429 with Retry-After, 500, a timeout (no answer) — then Slack is fine again. */
export function slackErrors(): Fault {
  return {
    name: 'Slack answers 429 / 500 / timeout',
    async inject(ctx) {
      const t = Date.now();
      ctx.sys.slack.script('chat.postMessage', { status: 429, retryAfter: 1 }, { status: 500 }, { hang: true }, { status: 503 });
      ctx.sys.slack.script('chat.update', { status: 500 }, { status: 429, retryAfter: 1 });
      return { recoveryMs: await probe(ctx, t), detail: 'postMessage: 429, 500, timeout, 503; update: 500, 429' };
    },
  };
}

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
