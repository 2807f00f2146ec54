// `npm start`: from a fresh clone, install → build → provision Kafka and Postgres → migrate → start the five
// services → print their URLs and credentials. Ctrl-C stops every service, then the broker: nothing is left behind.
// The local broker's data (.closeloop/kafka/data) and the embedded Postgres' data (.closeloop/postgres) are kept
// across restarts, together; `npm start -- --fresh` wipes both first.
//   npm start [-- [--fresh] [--embedded-pg]]
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build, ensureDependencies, repoRoot } from './lib/setup.mjs';
import credentialsLib from './lib/dev-credentials.cjs';
import demoRouting from './lib/demo-routing.cjs';
import stack from './lib/stack.cjs';

const { SERVICES, localUrls, migrateAll, startService, waitReady } = stack;
const { resolveCredentials, resolveSourceSecrets, resolveMasterKey, describeOrigin } = credentialsLib;

const USAGE = `usage: npm start [-- [--fresh] [--embedded-pg]]
  --fresh        wipe the local broker's data and the embedded Postgres' data (and the "closeloop" database on a
                 Postgres at 127.0.0.1:5432) before starting: topics, offsets and tickets go together
  --embedded-pg  use the embedded Postgres even where DATABASE_URL, Docker or a server on :5432 is there
                 (same as CLOSELOOP_EMBEDDED_PG=1)`;

const log = (m) => console.log(`\x1b[1m${m}\x1b[0m`);
const stateDir = path.join(repoRoot, '.closeloop');
const kafkaDataDir = path.join(stateDir, 'kafka', 'data');
const postgresDataDir = path.join(stateDir, 'postgres');
const KAFKA_PORT = 9092;
const DATABASE = 'closeloop';
let infra;
const running = [];
let stopping = false;

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  log('\n• stopping services…');
  await Promise.allSettled(running.map((s) => s.stop()));
  if (infra) {
    log('• stopping infrastructure…');
    await infra.stop().catch((err) => console.error(err.message));
  }
  log('• stopped.');
  process.exit(code);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

function readJsonOr(file, fallback) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return fallback;
  }
}

/** Writes via a temp file and rename: a crash never leaves half a file. */
function writeJson(file, value, mode = 0o644) {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, { mode });
  renameSync(temp, file);
}

function answersTcp(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, timeout: 1_000 });
    const done = (answered) => {
      socket.destroy();
      resolve(answered);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** The pid of an embedded Postgres still running on .closeloop/postgres (its postmaster.pid), else 0. */
function embeddedPostgresRunning() {
  try {
    const first = readFileSync(path.join(postgresDataDir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0];
    process.kill(Number(first), 0);
    return Number(first);
  } catch {
    return 0;
  }
}

/** --fresh: the data npm start keeps goes away together, and never under a stack that is still running. */
async function wipeLocalData() {
  const pgPid = embeddedPostgresRunning();
  if (pgPid) throw new Error(`--fresh: the embedded Postgres in ${postgresDataDir} is running (pid ${pgPid}): stop the other npm start first`);
  if (!process.env.KAFKA_BROKERS && (await answersTcp(KAFKA_PORT))) {
    throw new Error(`--fresh: something answers on 127.0.0.1:${KAFKA_PORT} (another npm start?): stop it first`);
  }
  for (const dir of [kafkaDataDir, postgresDataDir]) {
    if (existsSync(dir)) {
      rmSync(dir, { recursive: true, force: true });
      console.log(`  removed ${path.relative(repoRoot, dir)}`);
    }
  }
  rmSync(path.join(stateDir, 'stack.json'), { force: true });
  if (process.env.KAFKA_BROKERS) console.log('  KAFKA_BROKERS is given: its topics and offsets are yours and are kept');
}

/**
 * Tickets live in Postgres, the offsets that say which events made them live in Kafka: both must come from the same
 * history. Say so when this run's Postgres is not the one the last run used (e.g. :5432 was up then, not now).
 */
function checkSameHistory(current) {
  const file = path.join(stateDir, 'stack.json');
  const last = readJsonOr(file, null);
  if (last && last.postgres !== current.postgres && current.kafka === 'local' && last.kafka === 'local') {
    console.warn(`\x1b[33m  ! the last npm start kept its tickets in the ${last.postgres} Postgres; this one uses the ${current.postgres} Postgres.` +
      ` Tickets from before are not here, and the broker's committed offsets will not replay their events.` +
      ` npm start -- --fresh starts both clean.\x1b[0m`);
  }
  writeJson(file, current);
}

/**
 * The ingest key, the agents' tokens, every source's secretEnv / api.tokenEnv (SPEC §3, §10) and CLOSELOOP_MASTER_KEY
 * (§13): given, saved or generated.
 */
function credentials(agentIds, sources) {
  const file = path.join(stateDir, 'dev-credentials.json');
  const saved = readJsonOr(file, {});
  const resolved = resolveCredentials({ env: process.env, saved, agentIds });
  const sourceSecrets = resolveSourceSecrets({ env: process.env, saved, sources });
  const masterKey = resolveMasterKey({ env: process.env, saved });
  if (resolved.toSave || sourceSecrets.toSave || masterKey.toSave) {
    writeJson(file, { ...(resolved.toSave ?? saved), ...sourceSecrets.toSave, ...masterKey.toSave }, 0o600);
  }
  return { ...resolved, sourceSecrets, masterKey };
}

/**
 * CLOSELOOP_CONFIG when given; else config/closeloop.yaml plus the demo sources of config/demo-sources.yaml (unless it
 * declares sources of its own), written to .closeloop/closeloop.yaml for the services to read.
 */
function routingFile() {
  if (process.env.CLOSELOOP_CONFIG) {
    const routingPath = path.resolve(repoRoot, process.env.CLOSELOOP_CONFIG);
    return { routingPath, routingLine: `${path.relative(repoRoot, routingPath)} (CLOSELOOP_CONFIG)` };
  }
  const base = path.join(repoRoot, 'config', 'closeloop.yaml');
  const demo = path.join(repoRoot, 'config', 'demo-sources.yaml');
  const { text, added } = demoRouting.withDemoSources({ routing: readFileSync(base, 'utf8'), demoSources: readFileSync(demo, 'utf8') });
  if (!added) return { routingPath: base, routingLine: 'config/closeloop.yaml (its own sources; the demo sources are not added)' };
  const routingPath = path.join(stateDir, 'closeloop.yaml');
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(routingPath, `# Written by npm start: config/closeloop.yaml + config/demo-sources.yaml. Edit those, not this.\n${text}`);
  return { routingPath, routingLine: `config/closeloop.yaml + the demo sources of config/demo-sources.yaml (→ ${path.relative(repoRoot, routingPath)})` };
}

/** One line per source of the routing file: its URL, and where its secrets came from (never the secrets). */
function sourcesLine(sources, ingestUrl, origin) {
  if (!sources.length) return 'none in the routing file (docs/sources.md)';
  const from = [...new Set(Object.values(origin))].map(describeOrigin).join('; ');
  return `${sources.map((s) => `${`${s.kind}`.padEnd(13)} ${ingestUrl}/v1/sources/${s.id}`).join('\n                 ')}
                 (secrets ${from}; docs/sources.md)`;
}

async function main() {
  let flags;
  try {
    ({ values: flags } = parseArgs({ options: { fresh: { type: 'boolean' }, 'embedded-pg': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    console.error(`${err.message}\n${USAGE}`);
    process.exit(2);
  }
  if (flags.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const t0 = Date.now();
  ensureDependencies(log);
  build(log);

  const require = createRequire(import.meta.url);
  const { loadRoutingConfig } = require(path.join(repoRoot, 'libs/contracts/dist/index.js'));
  const { routingPath, routingLine } = routingFile();
  const routing = loadRoutingConfig(routingPath); // a broken routing file stops here, listing every problem

  const { provisionInfra, createDatabase, dropDatabase, embeddedForced, redact } = await import('../tools/infra/index.mjs');
  if (flags.fresh) {
    log('• --fresh: wiping the broker\'s and the embedded Postgres\' data…');
    await wipeLocalData();
  }
  log('• provisioning Kafka and Postgres (KAFKA_BROKERS / DATABASE_URL → Docker → local)…');
  const forceEmbedded = Boolean(flags['embedded-pg']) || embeddedForced();
  infra = await provisionInfra({
    log: { info: (m) => console.log(`  ${m}`), warn: (m) => console.warn(`  ${m}`), debug: () => {} }, // debug: broker/Postgres chatter
    kafka: { port: KAFKA_PORT, dataDir: kafkaDataDir },
    postgres: { forceEmbedded, dataDir: postgresDataDir },
  });
  let databaseUrl;
  if (infra.postgres.source === 'env') {
    databaseUrl = infra.postgres.url; // the user's database, used as it is (and never wiped)
    if (flags.fresh) console.log('  DATABASE_URL is given: its data is yours and is kept');
  } else {
    if (flags.fresh && infra.postgres.source === 'local') {
      await dropDatabase(infra.postgres.url, DATABASE);
      console.log(`  dropped database "${DATABASE}" on 127.0.0.1:5432`);
    }
    databaseUrl = await createDatabase(infra.postgres.url, DATABASE);
  }
  checkSameHistory({ kafka: infra.kafka.source, postgres: infra.postgres.source });

  const creds = credentials(routing.agents.map((a) => a.id), routing.sources ?? []);
  const urls = localUrls(process.env);
  const env = {
    ...process.env,
    KAFKA_BROKERS: infra.kafka.brokers,
    DATABASE_URL: databaseUrl,
    CLOSELOOP_CONFIG: routingPath,
    INGEST_API_KEYS: creds.ingestKeys,
    API_TOKENS: creds.apiTokens,
    CLOSELOOP_MASTER_KEY: creds.masterKey.value,
    ...creds.sourceSecrets.values, // ingest refuses to start while a source's variable is unset
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    CONSOLE_URL: process.env.CONSOLE_URL ?? urls.console,
    TICKETS_URL: process.env.TICKETS_URL ?? urls.tickets,
    PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? urls.notification,
    SERVICE_URLS: process.env.SERVICE_URLS ?? ['ingest', 'tickets', 'notification', 'scoring'].map((n) => `${n}=${urls[n]}`).join(','),
  };

  log('• migrating schemas…');
  await migrateAll(env);

  log('• starting services…');
  for (const s of SERVICES) running.push(startService(s, env));
  for (const s of running) {
    s.exited.then(({ code, signal }) => {
      if (!stopping) {
        console.error(`\n${s.name} exited (${signal ?? code}); stopping everything.`);
        shutdown(1);
      }
    });
  }
  await Promise.all(running.map((s) => waitReady(`${urls[s.name]}/health/ready`, 90_000, () => s.child.exitCode === null)));

  const ingestKey = creds.ingestKeys.split(',')[0];
  // SPEC §12: say whose role each token carries; the curl example reads every team's tickets, so it uses an admin's
  const roleOf = (id) => routing.agents.find((a) => a.id === id)?.role ?? 'agent';
  const tokens = creds.apiTokens.split(',').map((e) => e.split(':'));
  const [agentId, token] = tokens.find(([id]) => roleOf(id) === 'admin') ?? tokens[0];
  const pg = infra.postgres;
  const postgresLine = `${redact(databaseUrl)} (${pg.source}${pg.source === 'embedded' ? `, data in ${path.relative(repoRoot, pg.dataDir)}, kept across restarts` : ''})`;
  const kafkaLine = `${infra.kafka.brokers} (${infra.kafka.source}${infra.kafka.source === 'local' ? `, data in ${path.relative(repoRoot, kafkaDataDir)}, kept across restarts` : ''})`;
  console.log(`
\x1b[1;32mCloseloop is running\x1b[0m (ready in ${((Date.now() - t0) / 1000).toFixed(1)} s)

  console        ${urls.console.padEnd(28)} sign in with an agent token below
  ingest         ${urls.ingest.padEnd(28)} API docs: ${urls.ingest}/docs
  tickets        ${urls.tickets.padEnd(28)} agent API: /v1/tickets
  notification   ${urls.notification.padEnd(28)} Slack: ${process.env.SLACK_BOT_TOKEN ? 'configured' : 'not configured → alerts are printed here (log channel)'}
  scoring        ${urls.scoring}
  Kafka          ${kafkaLine}
  Postgres       ${postgresLine}

  ingest key     ${ingestKey}      (${describeOrigin(creds.origin.ingestKeys)})
  agent tokens   ${tokens.map(([id, t]) => `${id}:${t}  (${roleOf(id)})`).join('\n                 ')}
                 (${describeOrigin(creds.origin.apiTokens)})
  master key     CLOSELOOP_MASTER_KEY, not printed (${describeOrigin(creds.masterKey.origin)})

  routing file   ${routingLine}
  survey tools   ${sourcesLine(routing.sources ?? [], urls.ingest, creds.sourceSecrets.origin)}

  try it:        npm run demo
  or:            curl -s -X POST ${urls.ingest}/v1/feedback -H 'Authorization: Bearer ${ingestKey}' \\
                   -H 'Content-Type: application/json' -d '{"source":"web","externalId":"try-1","touchpoint":"checkout","metric":"nps","score":2,"comment":"I want a refund","customer":{"id":"c-1","name":"Deniz"},"respondedAt":"${new Date().toISOString()}"}'
                 curl -s ${urls.tickets}/v1/tickets -H 'Authorization: Bearer ${token}'    # as ${agentId}

  Ctrl-C stops everything (data kept); npm start -- --fresh starts clean.
`);
}

main().catch(async (err) => {
  console.error(`\n✘ ${err.message}`);
  await shutdown(1);
});
