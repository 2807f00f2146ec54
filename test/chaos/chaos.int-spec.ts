/**
 * The reduced chaos run of `npm test` (the full one is `npm run test:chaos`): feedback streams into the real
 * services (child processes) while notification is SIGKILLed between Slack accepting an alert and recording it,
 * Slack answers 429 and 500, scoring and tickets are SIGKILLed, and the broker is SIGKILLed and restarted. The broker
 * is a local one this file owns (the shared one is never touched); the database is this run's Postgres.
 * An agent claims and resolves tickets from Slack and the API throughout, and texts customers of claimed tickets an
 * apology (API, Idempotency-Key): every message taken is texted once.
 * Then: 0 accepted feedback lost, 0 duplicate tickets, exactly one top-level alert per ticket (recorded with Slack's ts),
 * the scripted Slack errors landed on alerts and updates and each was retried, thread replies once each and in order,
 * every SMS once, team t0's alert emails once each in its mailbox (a real SMTP server in the test) with one thread
 * start per ticket, no failed delivery, every claim/resolve in its ticket, and the one exit the harness did not cause
 * (ingest SIGKILLed from outside, by pid) recorded as unexpected — no other.
 */
import { randomBytes } from 'node:crypto';
import { createE2eDatabase } from '../e2e/stack';
import { AcceptedFeedback, FeedbackLoad, FeedbackPlan, checkInvariants, describeFailures, failNextSlackCalls, isAlertUpdate, isTopLevelAlert, retriesOf, seededRandom, sleep, topLevelAlerts, until, waitForPipelineQuiescence } from './harness';
import { AgentActivity, actionsWithoutEffect } from './agents';
import { ChaosInfra, startChaosInfra } from './infra';
import { FaultContext, inject, killNotificationAfterPost } from './faults';
import { ChaosSystem, startChaosSystem } from './system';

jest.setTimeout(300_000);

const run = `chaos${randomBytes(3).toString('hex')}`;
let infra: ChaosInfra;
let db: Awaited<ReturnType<typeof createE2eDatabase>>;
let sys: ChaosSystem;

beforeAll(async () => {
  [infra, db] = await Promise.all([startChaosInfra(), createE2eDatabase()]);
  sys = await startChaosSystem({
    brokers: infra.brokers, dbUrl: db.url, topicPrefix: `${run}.`, teams: 3,
    counts: { ingest: 1, scoring: 1, tickets: 1, notification: 1 },
  });
}, 240_000);

afterAll(async () => {
  await sys?.stop();
  await infra?.stop();
  await db?.drop();
});

describe('chaos (reduced)', () => {
  it('SIGKILLs, a broker restart and Slack errors while feedback streams in and agents work: nothing lost, no duplicate ticket, one alert per ticket', async () => {
    const seed = Number(process.env.CHAOS_SEED ?? randomBytes(4).readUInt32BE(0) >>> 1);
    console.log(`chaos (reduced): seed ${seed} (CHAOS_SEED=${seed} replays the plan)`);
    const accepted = new Map<string, AcceptedFeedback>();
    const plan = new FeedbackPlan(run, 150, sys.routing.touchpoints, seededRandom(seed));
    const load = new FeedbackLoad({ ingestUrls: sys.ingestUrls, apiKey: sys.apiKey, plan, perSecond: 15, concurrency: 4 });
    const agents = new AgentActivity({
      slack: sys.slack, signingSecret: sys.signingSecret, agentToken: sys.agentToken, slackUserId: sys.agentSlackUserId, dbUrl: sys.dbUrl,
      notificationUrls: () => sys.stack.of('notification').map((i) => i.url), ticketsUrls: () => sys.stack.of('tickets').map((i) => i.url),
      startsOf: (url) => sys.stack.instances.find((i) => i.url === url)?.restarts ?? 0,
    }, seededRandom(seed ^ 0xa9e7), 1_000);
    const ctx: FaultContext = { sys, infra, run, startedAt: Date.now(), onAccepted: (f) => accepted.set(f.feedbackId, f), onProbeTicket: (id) => agents.mayResolve(id), probeTimeoutMs: 150_000 };
    load.start();
    agents.start();
    await sleep(3_000);

    // notification dies after Slack stored its alert and before the answer arrives (the answer is lost too)
    const between = await inject(killNotificationAfterPost({ loseAnswer: true }), ctx);
    expect(between.error).toBeUndefined();

    // Slack refuses the next two alerts (429 with Retry-After, then 500) and the next update; scoring and tickets die at once
    const posts = failNextSlackCalls(sys.slack, isTopLevelAlert, { status: 429, retryAfter: 1 }, { status: 500 });
    const updates = failNextSlackCalls(sys.slack, isAlertUpdate, { status: 500 });
    await Promise.all([sys.stack.kill('scoring#0'), sys.stack.kill('tickets#0')]);
    await sleep(1_000);
    await Promise.all([sys.stack.restart('scoring#0', 120_000), sys.stack.restart('tickets#0', 120_000)]);

    // ingest dies from outside the harness (as an OOM kill would: no log line): the stack sees that pid exit unasked
    const ingestPid = sys.stack.get('ingest#0').handle.child.pid as number;
    process.kill(ingestPid, 'SIGKILL');
    await until(() => sys.stack.unexpectedExits.length > 0, 'the unexpected exit to be recorded', 10_000, 50);
    await sys.stack.restart('ingest#0', 120_000);

    // the broker dies and comes back (same port, same data)
    await infra.killKafka();
    await sleep(2_000);
    await infra.restartKafka();
    await sleep(3_000);

    await Promise.all([load.stop(90_000), agents.stop(90_000)]);
    for (const [id, f] of load.accepted) accepted.set(id, f);
    const quiet = await waitForPipelineQuiescence(sys.dbUrl, sys.slack, accepted, {
      timeoutMs: 150_000, stableMs: 2_000,
      more: async () => ({ 'claims/resolves not through': await agents.retryPending(), 'claims/resolves not in their ticket': (await actionsWithoutEffect(sys.dbUrl, agents.actions)).length }),
    });
    posts.uninstall();
    updates.uninstall();
    const inv = await checkInvariants(sys.dbUrl, sys.slack, accepted, undefined, {
      twilio: sys.twilio, smtp: sys.smtp, actions: agents.actions, actionsWithoutEffect: await actionsWithoutEffect(sys.dbUrl, agents.actions),
    });
    const retried = retriesOf(sys.slack, [...posts.hits, ...updates.hits]);
    const summary = { seed, accepted: inv.accepted, tickets: inv.tickets, alertsRetried: inv.alertsRetried, updatesResent: inv.updatesResent, retried, agents: inv.agentActions, sms: inv.sms, quiescence: quiet, outcomes: load.outcomes, deliveries: inv.deliveries };
    const failures = describeFailures(inv);
    if (failures || !quiet.reached) console.log(`${failures}\n${JSON.stringify(summary)}\n--- service warnings and errors ---\n${sys.logs.tail(60, /WARN|ERROR|FATAL/)}`);

    expect(load.problems).toEqual([]);
    expect(load.pendingRetries).toBe(0);
    expect(inv.accepted).toBeGreaterThan(100);
    expect(inv.lost).toEqual([]);
    expect(inv.unticketed).toEqual([]);
    expect(inv.duplicateTickets).toEqual([]);
    expect(inv.alertsNotOne).toEqual([]);
    expect(inv.strayAlerts).toBe(0);
    expect(inv.alertRecordMismatch).toEqual([]);
    expect(inv.unfinishedDeliveries).toBe(0);
    expect(inv.failedDeliveries).toEqual([]);
    expect(inv.smsNotOnce).toEqual([]);
    expect(inv.emailProblems).toEqual([]);
    expect(inv.threadProblems).toEqual([]);
    expect(inv.updatesOutOfOrder).toEqual([]);
    expect(inv.staleAlerts).toEqual([]);
    expect(inv.updatesMissing).toEqual([]);
    expect(quiet).toMatchObject({ reached: true });
    // the scripted 429 and 500 landed on two top-level alerts and the 500 on an update; each was tried again, and
    // each of those alerts exists once
    expect(posts.hits).toHaveLength(2);
    expect(updates.hits).toHaveLength(1);
    expect(retried.filter((r) => r.laterAttempts < 1)).toEqual([]);
    const alerts = topLevelAlerts(sys.slack);
    expect(retried.filter((r) => r.method === 'chat.postMessage').map((r) => alerts.get(r.ticketId as string)?.length)).toEqual([1, 1]);
    // agents claimed and resolved from Slack and the API; what was taken is in the tickets, nothing was left undone
    expect(inv.agentActions.claims).toBeGreaterThan(0);
    expect(inv.agentActions.resolves).toBeGreaterThan(0);
    expect(inv.agentActions.pending).toBe(0);
    expect(inv.actionsWithoutEffect).toEqual([]);
    // nothing died by itself but the ingest killed from outside (the stack watches every pid it started)
    expect(sys.stack.unexpectedExits.map(({ instance, pid, signal }) => ({ instance, pid, signal }))).toEqual([{ instance: 'ingest#0', pid: ingestPid, signal: 'SIGKILL' }]);
    expect(sys.stack.instances.filter((i) => !sys.stack.isRunning(i)).map((i) => i.id)).toEqual([]);
    console.log(`chaos (reduced): ${JSON.stringify(summary)}; notification killed between post and record: ${between.detail}, recovered in ${between.recoveryMs} ms`);
  });
});
