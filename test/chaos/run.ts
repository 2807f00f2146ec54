/**
 * `npm run test:chaos` (scripts/chaos.mjs loads this file): feedback streams into a real stack while faults are
 * injected on a schedule — SIGKILL of every service (also between a Slack post and its record), SIGKILL and
 * restart of the broker, an immediate-mode Postgres restart, Slack 429/500/timeouts, Twilio errors. Kafka and
 * Postgres are a local broker and an embedded Postgres owned by this run (never the shared ones). At the end it
 * waits for quiescence and checks: accepted vs persisted (0 lost), tickets per (customer, touchpoint) (0
 * duplicates), top-level alerts per ticket (exactly 1, recorded with Slack's ts), time to recover per fault.
 * Writes test-artifacts/chaos/report.json and the services' logs next to it; prints a table; exit code 1 on a violation.
 */
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { FeedbackLoad, FeedbackPlan, LogRing, checkInvariants, describeFailures, sleep, waitForPipelineQuiescence, type AcceptedFeedback, type InvariantReport } from './harness';
import { startChaosInfra, type ChaosInfra } from './infra';
import { Fault, FaultResult, brokerRestart, inject, killNotificationAfterPost, killService, postgresRestart, slackErrors, twilioErrors } from './faults';
import { createDatabaseOn, startChaosSystem, type ChaosSystem } from './system';

interface Options {
  /** 0: one pass over the schedule (every fault once) */
  durationS: number;
  rounds: number;
  rate: number;
  customers: number;
  teams: number;
  instances: number;
  pauseS: number;
  out: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { durationS: 0, rounds: 1, rate: 10, customers: 400, teams: 3, instances: 1, pauseS: 4, out: path.resolve(__dirname, '../../test-artifacts/chaos') };
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
      case '--out': o.out = path.resolve(take()); break;
      case '--help':
        console.log('npm run test:chaos -- [--rounds 1 | --duration <s>] [--rate 10] [--customers 400] [--teams 3] [--instances 1] [--pause 4] [--out test-artifacts/chaos] [--no-build]');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${k} (try --help)`);
    }
  }
  return o;
}

/** The schedule, repeated until the duration is used up: every service, the broker, Postgres, Slack and Twilio. */
function schedule(instances: number): Fault[] {
  const pick = (n: number) => n % instances;
  return [
    killService('scoring', pick(0)),
    slackErrors(),
    killService('tickets', pick(1)),
    killNotificationAfterPost({ loseAnswer: true }),
    brokerRestart(),
    killService('notification', pick(0)),
    twilioErrors(),
    killService('ingest', 0),
    postgresRestart(),
    killNotificationAfterPost({ loseAnswer: false }),
    killService('scoring', pick(1), 200),
    killService('tickets', pick(0), 200),
  ];
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
  const run = `chaos${randomBytes(3).toString('hex')}`;
  let infra: ChaosInfra | undefined;
  let sys: ChaosSystem | undefined;
  const watchdog: { at: number; instance: string }[] = [];
  try {
    say('starting a local Kafka broker and an embedded Postgres (owned by this run)…');
    infra = await startChaosInfra({ postgres: true });
    const db = await createDatabaseOn(infra.postgresUrl as string, `closeloop_${run}`);
    say(`Kafka ${infra.brokers}, Postgres ${db.url.replace(/\/\/[^@]*@/, '//')}; starting the services (${o.instances} of each consumer)…`);
    sys = await startChaosSystem({
      brokers: infra.brokers, dbUrl: db.url, topicPrefix: `${run}.`, teams: o.teams, logs,
      counts: { ingest: 1, scoring: o.instances, tickets: o.instances, notification: o.instances },
    });
    const system = sys;
    const accepted = new Map<string, AcceptedFeedback>();
    const plan = new FeedbackPlan(run, o.customers, system.routing.touchpoints);
    const load = new FeedbackLoad({ ingestUrls: system.ingestUrls, apiKey: system.apiKey, plan, perSecond: o.rate, concurrency: 6 });
    const startedAt = Date.now();

    // an instance that dies without being killed is a finding: record it and bring it back
    const intentional = new Set<string>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const inst of system.stack.instances) {
          if (!system.stack.isRunning(inst) && !intentional.has(inst.id)) {
            watchdog.push({ at: Date.now() - startedAt, instance: inst.id });
            say(`!! ${inst.id} exited by itself; restarting it`);
            intentional.add(inst.id);
            await system.stack.restart(inst.id).catch((err) => say(`!! ${inst.id} did not come back: ${err.message}`));
            intentional.delete(inst.id);
          }
        }
        await sleep(1_000);
      }
    })();

    const plannedFaults = schedule(o.instances);
    const more = (i: number) => (o.durationS > 0 ? Date.now() - startedAt < o.durationS * 1000 : i < plannedFaults.length * o.rounds);
    say(`streaming feedback at ~${o.rate}/s while injecting ${o.durationS > 0 ? `faults for ${o.durationS} s` : `${plannedFaults.length * o.rounds} faults`}`);
    load.start();
    const faults: FaultResult[] = [];
    const ctx = { sys: system, infra, run, startedAt, onAccepted: (f: AcceptedFeedback) => accepted.set(f.feedbackId, f) };
    for (let i = 0; more(i); i++) {
      const fault = plannedFaults[i % plannedFaults.length];
      const ids = fault.name.match(/(ingest|scoring|tickets|notification)#\d/g) ?? (/between a Slack post/.test(fault.name) ? system.stack.of('notification').map((x) => x.id) : []);
      ids.forEach((id) => intentional.add(id));
      say(`→ ${fault.name}`);
      const r = await inject(fault, ctx);
      ids.forEach((id) => intentional.delete(id));
      faults.push(r);
      say(r.error ? `   FAILED: ${r.error}` : `   down ${s(r.downMs)}, restart ${s(r.restartMs)}, recovered in ${s(r.recoveryMs)}${r.detail ? ` — ${r.detail}` : ''}`);
      await sleep(o.pauseS * 1000);
    }
    say('stopping the load (unaccepted feedback is retried until accepted, up to 2 min)…');
    await load.stop(120_000);
    for (const [id, f] of load.accepted) accepted.set(id, f);
    say(`waiting for quiescence (${accepted.size} accepted)…`);
    const quiet = await waitForPipelineQuiescence(system.dbUrl, system.slack, accepted, { timeoutMs: 300_000, stableMs: 3_000 });
    watching = false;
    await watcher;
    const inv = await checkInvariants(system.dbUrl, system.slack, accepted);
    const report = {
      run, startedAt: new Date(startedAt).toISOString(), options: o,
      infrastructure: { kafka: infra.brokers, postgres: 'embedded (owned by this run)' },
      load: { outcomes: load.outcomes, problems: load.problems, unaccepted: load.pendingRetries },
      faults,
      unexpectedExits: watchdog,
      quiescence: quiet,
      invariants: { ...inv, lost: inv.lost.slice(0, 50), unticketed: inv.unticketed.slice(0, 50) },
      slack: { requests: system.slack.requests.length, topLevelPosts: system.slack.calls('chat.postMessage').filter((r) => !r.form.thread_ts).length },
      twilio: { requests: system.twilio.requests.length },
      ok: inv.ok && quiet.reached && faults.every((f) => !f.error) && load.problems.length === 0,
    };
    writeFileSync(path.join(o.out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    printReport(report, inv, faults);
    say(`report: ${path.join(o.out, 'report.json')}, service logs: ${path.join(o.out, 'services.log')}`);
    return report.ok ? 0 : 1;
  } finally {
    await sys?.stop().catch(() => undefined);
    await infra?.stop().catch(() => undefined);
    logFile.end();
  }
}

function printReport(report: { ok: boolean; quiescence: { ms: number; reached: boolean }; load: { outcomes: Record<string, number>; problems: string[] }; unexpectedExits: unknown[] }, inv: InvariantReport, faults: FaultResult[]): void {
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
    ['quiescence', s(report.quiescence.ms), '', report.quiescence.reached ? 'reached' : 'NOT reached'],
    ['unexpected service exits', report.unexpectedExits.length, 0, report.unexpectedExits.length === 0 ? 'ok' : 'VIOLATED'],
    ['recovery p50 / max', rec.length ? `${s(rec[Math.floor(rec.length / 2)])} / ${s(rec[rec.length - 1])}` : '', '', ''],
  ]));
  console.log(`\ningest answers: ${JSON.stringify(report.load.outcomes)}; deliveries: ${JSON.stringify(inv.deliveries)}`);
  if (report.load.problems.length) console.log(`load problems: ${report.load.problems.slice(0, 5).join('; ')}`);
  const failures = describeFailures(inv);
  if (failures) console.log(`\n${failures}`);
  console.log(`\n${report.ok ? 'CHAOS RUN PASSED' : 'CHAOS RUN FAILED'}`);
}
