// `npm start`: from a fresh clone, install → build → provision Kafka and Postgres → migrate → start the five
// services → print their URLs and credentials. Ctrl-C stops every service, then the broker: nothing is left behind.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build, ensureDependencies, repoRoot } from './lib/setup.mjs';
import stack from './lib/stack.cjs';

const { SERVICES, migrateAll, startService, waitReady } = stack;

const log = (m) => console.log(`\x1b[1m${m}\x1b[0m`);
const stateDir = path.join(repoRoot, '.closeloop');
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

/** Dev credentials: generated once (when not given in the environment), kept in .closeloop/ so restarts keep them. */
function credentials(agentIds) {
  mkdirSync(stateDir, { recursive: true });
  const file = path.join(stateDir, 'dev-credentials.json');
  const saved = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const ingestKeys = process.env.INGEST_API_KEYS ?? saved.INGEST_API_KEYS ?? `ik_${randomBytes(18).toString('base64url')}`;
  const apiTokens = process.env.API_TOKENS
    ?? (saved.API_TOKENS && agentIds.every((a) => saved.API_TOKENS.includes(`${a}:`)) ? saved.API_TOKENS : null)
    ?? agentIds.map((a) => `${a}:at_${randomBytes(18).toString('base64url')}`).join(',');
  writeFileSync(file, JSON.stringify({ INGEST_API_KEYS: ingestKeys, API_TOKENS: apiTokens }, null, 2), { mode: 0o600 });
  return { ingestKeys, apiTokens, generated: !process.env.INGEST_API_KEYS || !process.env.API_TOKENS };
}

async function main() {
  const t0 = Date.now();
  ensureDependencies(log);
  build(log);

  const require = createRequire(import.meta.url);
  const { loadRoutingConfig } = require(path.join(repoRoot, 'libs/contracts/dist/index.js'));
  const routingPath = path.resolve(repoRoot, process.env.CLOSELOOP_CONFIG ?? 'config/closeloop.yaml');
  const routing = loadRoutingConfig(routingPath); // a broken routing file stops here, listing every problem

  log('• provisioning Kafka and Postgres (KAFKA_BROKERS / DATABASE_URL → Docker → local)…');
  const { provisionInfra, createDatabase } = await import('../tools/infra/index.mjs');
  infra = await provisionInfra({ log: { info: (m) => console.log(`  ${m}`), warn: (m) => console.warn(`  ${m}`) }, kafka: { port: 9092, dataDir: path.join(stateDir, 'kafka', 'data') } });
  const databaseUrl = process.env.DATABASE_URL ?? (await createDatabase(infra.postgres.url, 'closeloop'));

  const { ingestKeys, apiTokens, generated } = credentials(routing.agents.map((a) => a.id));
  const env = {
    ...process.env,
    KAFKA_BROKERS: infra.kafka.brokers,
    DATABASE_URL: databaseUrl,
    CLOSELOOP_CONFIG: routingPath,
    INGEST_API_KEYS: ingestKeys,
    API_TOKENS: apiTokens,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    CONSOLE_URL: process.env.CONSOLE_URL ?? 'http://127.0.0.1:3000',
    TICKETS_URL: process.env.TICKETS_URL ?? 'http://127.0.0.1:3002',
    PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? 'http://127.0.0.1:3003',
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
  await Promise.all(running.map((s) => waitReady(`http://127.0.0.1:${s.port}/health/ready`, 90_000, () => s.child.exitCode === null)));

  const firstToken = apiTokens.split(',')[0];
  const [agentId, token] = firstToken.split(':');
  console.log(`
\x1b[1;32mCloseloop is running\x1b[0m (ready in ${((Date.now() - t0) / 1000).toFixed(1)} s)

  console        http://127.0.0.1:3000        sign in with an agent token below
  ingest         http://127.0.0.1:3001        API docs: http://127.0.0.1:3001/docs
  tickets        http://127.0.0.1:3002        agent API: /v1/tickets
  notification   http://127.0.0.1:3003        Slack: ${process.env.SLACK_BOT_TOKEN ? 'configured' : 'not configured → alerts are printed here (log channel)'}
  scoring        http://127.0.0.1:3004
  Kafka          ${infra.kafka.brokers} (${infra.kafka.source})     Postgres  ${databaseUrl.replace(/\/\/[^@]*@/, '//')} (${infra.postgres.source})

  ingest key     ${ingestKeys.split(',')[0]}${generated ? '      (generated; kept in .closeloop/dev-credentials.json)' : ''}
  agent tokens   ${apiTokens.split(',').join('\n                 ')}

  try it:        npm run demo
  or:            curl -s -X POST http://127.0.0.1:3001/v1/feedback -H 'Authorization: Bearer ${ingestKeys.split(',')[0]}' \\
                   -H 'Content-Type: application/json' -d '{"source":"web","externalId":"try-1","touchpoint":"checkout","metric":"nps","score":2,"comment":"I want a refund","customer":{"id":"c-1","name":"Deniz"},"respondedAt":"${new Date().toISOString()}"}'
                 curl -s http://127.0.0.1:3002/v1/tickets -H 'Authorization: Bearer ${token}'    # as ${agentId}

  Ctrl-C stops everything.
`);
}

main().catch(async (err) => {
  console.error(`\n✘ ${err.message}`);
  await shutdown(1);
});
