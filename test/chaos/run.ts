/**
 * `npm run test:chaos` (scripts/chaos.mjs loads this file): feedback streams into a real stack while faults are
 * injected on a schedule — SIGKILL of every service (also between a Slack post and its record), SIGKILL and
 * restart of the broker, an immediate-mode Postgres restart, Slack 429/500/timeouts, Twilio errors. Kafka and
 * Postgres are a local broker and an embedded Postgres owned by this run (never the shared ones). Agents claim and
 * resolve tickets from Slack and the API throughout. At the end it waits for quiescence and checks: accepted vs
 * persisted (0 lost), tickets per (customer, touchpoint) (0 duplicates), top-level alerts per ticket (exactly 1,
 * recorded with Slack's ts), thread replies once each and in order, updates never older than what was shown, every
 * SMS exactly once in Twilio (or failed for a scripted permanent reason), every failed delivery explained, every
 * claim/resolve in its ticket, no service exit the run did not cause, no feedback left unaccepted; time to recover per
 * fault. Everything random comes from one seed (`--seed`, printed): the same seed plans the same run.
 * Writes test-artifacts/chaos/report.json and the services' logs next to it; prints a table; exit code 1 on a violation.
 */
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { FeedbackLoad, FeedbackPlan, LogRing, checkInvariants, isTopLevelAlert, describeFailures, seededRandom, sleep, waitForPipelineQuiescence, type AcceptedFeedback, type InvariantReport, type UnexpectedExit } from './harness';
import { startChaosInfra, type ChaosInfra } from './infra';
import { AgentActivity, actionsWithoutEffect } from './agents';
import { Fault, FaultResult, SCRIPTED_PERMANENT_FAILURES, brokerRestart, inject, killNotificationAfterPost, killService, postgresRestart, slackErrors, twilioErrors } from './faults';
import { createDatabaseOn, startChaosSystem, type ChaosSystem } from './system';
import { faultDuring, longestPause } from './pauses';
import type { SlackStubRequest } from '@closeloop/testing';

interface Options {
  /** 0: one pass over the schedule (every fault once) */
  durationS: number;
  rounds: number;
  rate: number;
  customers: number;
  teams: number;
  instances: number;
  pauseS: number;
  seed: number;
  out: string;
  /** 1: one broker; 3: a local three-broker cluster (replication 3, min.insync 2), one broker SIGKILLed at a time */
  brokers: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { durationS: 0, rounds: 1, rate: 10, customers: 400, teams: 3, instances: 2, pauseS: 4, seed: randomInt(1, 2 ** 31 - 1), brokers: 1, out: path.resolve(__dirname, '../../test-artifacts/chaos') };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = argv[i].includes('=') ? argv[i].split('=', 2) : [argv[i], argv[i + 1]];
    const take = () => {
      if (!argv[i].includes('=')) i++;
      return v;
    };
    switch (k) {
      case '--duration': o.durationS = Number(take()); break;
      case '--rounds': o.rounds = Number(take()); break;
      case '--rate': o.rate = Number(take()); break;
      case '--customers': o.customers = Number(take()); break;
      case '--teams': o.teams = Number(take()); break;
      case '--instances': o.instances = Number(take()); break;
      case '--pause': o.pauseS = Number(take()); break;
      case '--seed': o.seed = Number(take()); break;
      case '--brokers': o.brokers = Number(take()); break;
      case '--out': o.out = path.resolve(take()); break;
      case '--help':
        console.log('npm run test:chaos -- [--rounds 1 | --duration <s>] [--seed <n>] [--rate 10] [--customers 400] [--teams 3] [--instances 2] [--brokers 1|3] [--pause 4] [--out test-artifacts/chaos] [--no-build]');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${k} (try --help)`);
    }
  }
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`--${k} needs a number`);
  if (!Number.isInteger(o.instances) || o.instances < 1) throw new Error('--instances needs a whole number ≥ 1');
  if (!Number.isInteger(o.brokers) || o.brokers < 1) throw new Error('--brokers needs a whole number ≥ 1');
  return o;
}

/**
 * The schedule, repeated until the duration is used up: every service, the broker, Postgres, Slack and Twilio.
 * Which instance each SIGKILL hits and how long it stays down come from the seeded `rnd`.
 */
function schedule(instances: number, brokers: number, rnd: () => number): Fault[] {
  const pick = () => Math.floor(rnd() * instances);
  const down = (base: number) => Math.round(base * (0.5 + rnd()));
  // one broker: it dies once per pass; a cluster: each broker in turn, one at a time, spread over the pass
  const broker = (k: number) => (brokers > 1 ? [brokerRestart(down(3_000), k % brokers)] : k === 0 ? [brokerRestart(down(3_000))] : []);
  return [
    killService('scoring', pick(), down(1_500)),
    slackErrors(),
    killService('tickets', pick(), down(1_500)),
    killNotificationAfterPost({ loseAnswer: true, downMs: down(1_000) }),
    ...broker(0),
    killService('notification', pick(), down(1_500)),
    twilioErrors(),
    killService('ingest', 0, down(1_500)),
    ...broker(1),
    postgresRestart(down(2_000)),
    killNotificationAfterPost({ loseAnswer: false, downMs: down(1_000) }),
    killService('scoring', pick(), down(200)),
    killService('tickets', pick(), down(200)),
    ...broker(2),
  ];
}

/** The longest time, while the load ran, in which no top-level alert was asked of Slack, and the fault under way then. */
function alertPauses(requests: SlackStubRequest[], faults: FaultResult[], startedAt: number, endedAt: number) {
  const pause = longestPause(requests.filter(isTopLevelAlert).map((r) => r.time), { from: startedAt, to: endedAt });
  return {
    longestPauseMs: pause?.ms ?? null,
    longestPauseAtMs: pause ? pause.from - startedAt : null,
    duringFault: pause ? faultDuring(faults, pause.from - startedAt)?.fault ?? null : null,
  };
}

function table(rows: (string | number)[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c] ?? '').length)));
  return rows.map((r, i) => {
    const line = r.map((x, c) => String(x ?? '').padEnd(widths[c])).join('  ');
    return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

const s = (ms?: number) => (ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`);

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const o = parseArgs(argv);
  mkdirSync(o.out, { recursive: true });
  const logFile = createWriteStream(path.join(o.out, 'services.log'));
  const logs = new LogRing(5_000, (l) => logFile.write(`${l}\n`));
  const say = (m: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${m}`);
  // the run id only isolates topics and the database; what is sent, killed and clicked comes from the seed
  const run = `chaos${randomBytes(3).toString('hex')}`;
  say(`seed ${o.seed} — replay this plan with: npm run test:chaos -- --seed ${o.seed}${argv.filter((x, i) => x !== '--seed' && argv[i - 1] !== '--seed' && !x.startsWith('--seed=')).map((x) => ` ${x}`).join('')}`);
  const rnd = { plan: seededRandom(o.seed), faults: seededRandom(o.seed ^ 0x5eed), agents: seededRandom(o.seed ^ 0xa9e7) };
  let infra: ChaosInfra | undefined;
  let sys: ChaosSystem | undefined;
  try {
    say(`starting ${o.brokers > 1 ? `a local ${o.brokers}-broker Kafka cluster` : 'a local Kafka broker'} and an embedded Postgres (owned by this run)…`);
    infra = await startChaosInfra({ postgres: true, brokers: o.brokers });
    const db = await createDatabaseOn(infra.postgresUrl as string, `closeloop_${run}`);
    say(`Kafka ${infra.brokers}, Postgres ${db.url.replace(/\/\/[^@]*@/, '//')}; starting the services (${o.instances} of each consumer)…`);
    sys = await startChaosSystem({
      brokers: infra.brokers, dbUrl: db.url, topicPrefix: `${run}.`, teams: o.teams, logs,
      counts: { ingest: 1, scoring: o.instances, tickets: o.instances, notification: o.instances },
    });
    const system = sys;
    const { stack } = system;
    const accepted = new Map<string, AcceptedFeedback>();
    const plan = new FeedbackPlan(run, o.customers, system.routing.touchpoints, rnd.plan);
    const load = new FeedbackLoad({ ingestUrls: system.ingestUrls, apiKey: system.apiKey, plan, perSecond: o.rate, concurrency: 6 });
    const agents = new AgentActivity({
      slack: system.slack, signingSecret: system.signingSecret, agentToken: system.agentToken, slackUserId: system.agentSlackUserId, dbUrl: system.dbUrl,
      notificationUrls: () => stack.of('notification').map((i) => i.url),
      ticketsUrls: () => stack.of('tickets').map((i) => i.url),
      startsOf: (url) => stack.instances.find((i) => i.url === url)?.restarts ?? 0,
    }, rnd.agents);
    const startedAt = Date.now();

    // an instance that dies without being killed is a finding: the stack records it (per pid); bring it back
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const inst of stack.instances) {
          if (!stack.needsRestart(inst)) continue;
          say(`!! ${inst.id} exited by itself; restarting it`);
          await stack.restart(inst.id).catch((err) => say(`!! ${inst.id} did not come back: ${err.message}`));
        }
        await sleep(1_000);
      }
    })();

    const plannedFaults = schedule(o.instances, o.brokers, rnd.faults);
    const more = (i: number) => (o.durationS > 0 ? Date.now() - startedAt < o.durationS * 1000 : i < plannedFaults.length * o.rounds);
    say(`streaming feedback at ~${o.rate}/s, agents claiming and resolving, while injecting ${o.durationS > 0 ? `faults for ${o.durationS} s` : `${plannedFaults.length * o.rounds} faults`}`);
    load.start();
    agents.start();
    const faults: FaultResult[] = [];
    const ctx = { sys: system, infra, run, startedAt, onAccepted: (f: AcceptedFeedback) => accepted.set(f.feedbackId, f), onProbeTicket: (id: string) => agents.mayResolve(id) };
    for (let i = 0; more(i); i++) {
      const fault = plannedFaults[i % plannedFaults.length];
      say(`→ ${fault.name}`);
      const r = await inject(fault, ctx);
      // a fault that failed half-way may leave what it killed down: bring it back, so the next fault starts whole
      for (const inst of stack.leftDown()) {
        r.error = `${r.error ?? 'the fault'} — left ${inst.id} down`;
        await stack.restart(inst.id).catch((err) => say(`!! ${inst.id} did not come back: ${err.message}`));
      }
      faults.push(r);
      say(r.error ? `   FAILED: ${r.error}` : `   down ${s(r.downMs)}, restart ${s(r.restartMs)}, recovered in ${s(r.recoveryMs)}${r.detail ? ` — ${r.detail}` : ''}`);
      await sleep(o.pauseS * 1000);
    }
    const loadEndedAt = Date.now();
    say('stopping the load and the agents (what did not get through is retried, up to 2 min)…');
    await Promise.all([load.stop(120_000), agents.stop(120_000)]);
    for (const [id, f] of load.accepted) accepted.set(id, f);
    say(`waiting for quiescence (${accepted.size} accepted, ${agents.actions.length} claims/resolves)…`);
    const quiet = await waitForPipelineQuiescence(system.dbUrl, system.slack, accepted, {
      timeoutMs: 300_000, stableMs: 3_000,
      more: async () => ({
        'claims/resolves not through': await agents.retryPending(),
        'claims/resolves taken, not in their ticket yet': (await actionsWithoutEffect(system.dbUrl, agents.actions)).length,
      }),
    });
    watching = false;
    await watcher;
    await agents.retryPending();
    const inv = await checkInvariants(system.dbUrl, system.slack, accepted, undefined, {
      twilio: system.twilio, smtp: system.smtp, explained: SCRIPTED_PERMANENT_FAILURES, actions: agents.actions,
      actionsWithoutEffect: await actionsWithoutEffect(system.dbUrl, agents.actions),
    });
    const unexpectedExits: UnexpectedExit[] = [...stack.unexpectedExits];
    const report = {
      run, seed: o.seed, startedAt: new Date(startedAt).toISOString(), options: o,
      infrastructure: { kafka: infra.brokers, brokers: infra.brokerCount, postgres: 'embedded (owned by this run)' },
      alerts: alertPauses(system.slack.requests, faults, startedAt, loadEndedAt),
      load: { outcomes: load.outcomes, problems: load.problems, unaccepted: load.pendingRetries },
      faults,
      unexpectedExits,
      quiescence: quiet,
      invariants: { ...inv, lost: inv.lost.slice(0, 50), unticketed: inv.unticketed.slice(0, 50), failedDeliveries: inv.failedDeliveries.slice(0, 100) },
      agents: agents.actions,
      slack: { requests: system.slack.requests.length, topLevelPosts: system.slack.calls('chat.postMessage').filter((r) => !r.form.thread_ts).length },
      twilio: { requests: system.twilio.requests.length },
      ok: false,
      violations: [] as string[],
    };
    report.violations = verdict({ inv, quiet, faults, load: report.load, unexpectedExits });
    report.ok = report.violations.length === 0;
    writeFileSync(path.join(o.out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    printReport(report, inv, faults);
    say(`seed ${o.seed}; report: ${path.join(o.out, 'report.json')}, service logs: ${path.join(o.out, 'services.log')}`);
    return report.ok ? 0 : 1;
  } finally {
    await sys?.stop().catch(() => undefined);
    await infra?.stop().catch(() => undefined);
    logFile.end();
  }
}

/**
 * Why the run failed, one line per reason; empty when it passed. The exit code is 1 for any of them: an invariant,
 * quiescence not reached, a fault that could not be injected, a problem of the load, feedback never accepted, or a
 * service that exited without being killed.
 */
export function verdict(r: { inv: Pick<InvariantReport, 'ok'>; quiet: { reached: boolean }; faults: Pick<FaultResult, 'fault' | 'error'>[]; load: { problems: string[]; unaccepted: number }; unexpectedExits: UnexpectedExit[] }): string[] {
  return [
    ...(r.inv.ok ? [] : ['an invariant is violated']),
    ...(r.quiet.reached ? [] : ['the pipeline did not become quiet']),
    ...r.faults.filter((f) => f.error).map((f) => `fault "${f.fault}" failed: ${f.error}`),
    ...(r.load.problems.length ? [`${r.load.problems.length} problems in the load`] : []),
    ...(r.load.unaccepted ? [`${r.load.unaccepted} feedback never accepted (retries left)`] : []),
    ...r.unexpectedExits.map((e) => `${e.instance} exited without being killed (pid ${e.pid}, code ${e.code}, signal ${e.signal})`),
  ];
}

function printReport(report: { ok: boolean; violations: string[]; seed: number; alerts: { longestPauseMs: number | null; duringFault: string | null }; quiescence: { ms: number; reached: boolean }; load: { outcomes: Record<string, number>; problems: string[]; unaccepted: number }; unexpectedExits: UnexpectedExit[] }, inv: InvariantReport, faults: FaultResult[]): void {
  console.log('\nFaults');
  console.log(table([
    ['#', 'at', 'fault', 'down', 'restart', 'recovered', 'note'],
    ...faults.map((f, i) => [i + 1, s(f.at), f.fault, s(f.downMs), s(f.restartMs), s(f.recoveryMs), f.error ? `FAILED: ${f.error}` : (f.detail ?? '')]),
  ]));
  const rec = faults.map((f) => f.recoveryMs).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  console.log('\nInvariants');
  console.log(table([
    ['check', 'value', 'expected', ''],
    ['accepted (202)', inv.accepted, '', ''],
    ['persisted (seen by tickets)', inv.persisted, inv.accepted, inv.persisted === inv.accepted ? 'ok' : 'VIOLATED'],
    ['lost', inv.lost.length, 0, inv.lost.length === 0 ? 'ok' : 'VIOLATED'],
    ['action-required in no ticket', inv.unticketed.length, 0, inv.unticketed.length === 0 ? 'ok' : 'VIOLATED'],
    ['tickets', inv.tickets, '', ''],
    ['(customer, touchpoint) with >1 ticket', inv.duplicateTickets.length, 0, inv.duplicateTickets.length === 0 ? 'ok' : 'VIOLATED'],
    ['tickets without exactly 1 top-level alert', inv.alertsNotOne.length, 0, inv.alertsNotOne.length === 0 ? 'ok' : 'VIOLATED'],
    ['alerts for unknown tickets', inv.strayAlerts, 0, inv.strayAlerts === 0 ? 'ok' : 'VIOLATED'],
    ['alert ts recorded ≠ Slack', inv.alertRecordMismatch.length, 0, inv.alertRecordMismatch.length === 0 ? 'ok' : 'VIOLATED'],
    ['alerts that needed >1 post attempt', inv.alertsRetried, '', 'still exactly 1 in Slack'],
    ['deliveries unfinished', inv.unfinishedDeliveries, 0, inv.unfinishedDeliveries === 0 ? 'ok' : 'VIOLATED'],
    ['deliveries failed (explained)', inv.failedDeliveries.length - inv.unexplainedFailures.length, '', explainedSummary(inv)],
    ['deliveries failed, unexplained', inv.unexplainedFailures.length, 0, inv.unexplainedFailures.length === 0 ? 'ok' : 'VIOLATED'],
    ['SMS intended / sent / failed / in Twilio', `${inv.sms.intended} / ${inv.sms.sent} / ${inv.sms.failed} / ${inv.sms.inTwilio}`, '', ''],
    ['SMS not exactly once in Twilio', inv.smsNotOnce.length, 0, inv.smsNotOnce.length === 0 ? 'ok' : 'VIOLATED'],
    ['alert emails not exactly once in the mailbox', inv.emailProblems.length, 0, inv.emailProblems.length === 0 ? 'ok' : 'VIOLATED'],
    ['alert emails resent under their own Message-ID', inv.emailsResent, '', 'one message each in a mail client'],
    ['threads not one reply per event, in order', inv.threadProblems.length, 0, inv.threadProblems.length === 0 ? 'ok' : 'VIOLATED'],
    ['alerts updated to an older status', inv.updatesOutOfOrder.length, 0, inv.updatesOutOfOrder.length === 0 ? 'ok' : 'VIOLATED'],
    ['alerts not showing the ticket status', inv.staleAlerts.length, 0, inv.staleAlerts.length === 0 ? 'ok' : 'VIOLATED'],
    ['updates recorded sent, not shown in Slack', inv.updatesMissing.length, 0, inv.updatesMissing.length === 0 ? 'ok' : 'VIOLATED'],
    ['updates applied again (ambiguous outcome)', inv.updatesResent, '', 'same newest state'],
    ['claims / resolves (slack / api)', `${inv.agentActions.claims} / ${inv.agentActions.resolves} (${inv.agentActions.viaSlack} / ${inv.agentActions.viaApi})`, '', `${inv.agentActions.taken} taken, ${inv.agentActions.refused} refused`],
    ['claims/resolves never through', inv.agentActions.pending, 0, inv.agentActions.pending === 0 ? 'ok' : 'VIOLATED'],
    ['claims/resolves taken, not in the ticket', inv.actionsWithoutEffect.length, 0, inv.actionsWithoutEffect.length === 0 ? 'ok' : 'VIOLATED'],
    ['quiescence', s(report.quiescence.ms), '', report.quiescence.reached ? 'reached' : 'NOT reached'],
    ['unaccepted feedback (retries left)', report.load.unaccepted, 0, report.load.unaccepted === 0 ? 'ok' : 'VIOLATED'],
    ['unexpected service exits', report.unexpectedExits.length, 0, report.unexpectedExits.length === 0 ? 'ok' : 'VIOLATED'],
    ['recovery p50 / max', rec.length ? `${s(rec[Math.floor(rec.length / 2)])} / ${s(rec[rec.length - 1])}` : '', '', ''],
    ['longest pause in alerts (load running)', report.alerts.longestPauseMs === null ? '' : s(report.alerts.longestPauseMs), '', report.alerts.duringFault ? `during: ${report.alerts.duringFault}` : ''],
  ]));
  console.log(`\ningest answers: ${JSON.stringify(report.load.outcomes)}; deliveries: ${JSON.stringify(inv.deliveries)}`);
  if (report.load.problems.length) console.log(`load problems: ${report.load.problems.slice(0, 5).join('; ')}`);
  for (const e of report.unexpectedExits) console.log(`unexpected exit: ${e.instance} (pid ${e.pid}, code ${e.code}, signal ${e.signal}) at ${s(e.at)}`);
  const failures = describeFailures(inv);
  if (failures) console.log(`\n${failures}`);
  for (const v of report.violations) console.log(`✗ ${v}`);
  console.log(`\n${report.ok ? 'CHAOS RUN PASSED' : 'CHAOS RUN FAILED'} (seed ${report.seed})`);
}

/** `sms 21610 × 1` …: the explained failures by purpose and code. */
function explainedSummary(inv: InvariantReport): string {
  const by = new Map<string, number>();
  for (const f of inv.failedDeliveries) if (f.explainedBy) by.set(`${f.purpose} ${f.code}`, (by.get(`${f.purpose} ${f.code}`) ?? 0) + 1);
  return [...by].map(([k, n]) => `${k} × ${n}`).join(', ');
}
