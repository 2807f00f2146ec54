// `npm run demo`: a realistic stream of feedback for a restaurant chain and an online shop, sent to a running stack
// (`npm start`). Several touchpoints and languages; promoters, passives, detractors, a repeat detractor and a critical
// comment. Then one signed webhook per survey-tool kind to the routing file's `demo-*` sources (SPEC §10), with local
// stand-ins of the Qualtrics and SurveyMonkey APIs on the ports their api.url names, and the ticket each one opened.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import demoSources from './lib/demo-sources.cjs';
import { repoRoot } from './lib/setup.mjs';
import stack from './lib/stack.cjs';
import { startSurveyApiStub } from './lib/survey-api-stub.mjs';

const { DEMO_DELIVERIES } = demoSources;

const urls = stack.localUrls(process.env); // the same HOST and *_PORT variables as npm start
const INGEST = process.env.INGEST_URL ?? urls.ingest;
const TICKETS = process.env.TICKETS_URL ?? urls.tickets;
const CONSOLE = process.env.CONSOLE_URL ?? urls.console;
const saved = path.join(repoRoot, '.closeloop', 'dev-credentials.json');
const creds = existsSync(saved) ? JSON.parse(readFileSync(saved, 'utf8')) : {};
const ingestKey = (process.env.INGEST_API_KEYS ?? creds.INGEST_API_KEYS ?? '').split(',')[0];
if (!ingestKey) {
  console.error('No ingest key: start the stack with `npm start` first (it writes .closeloop/dev-credentials.json), or set INGEST_API_KEYS.');
  process.exit(1);
}

const run = Date.now().toString(36);
const minutesAgo = (m) => new Date(Date.now() - m * 60_000).toISOString();
// [touchpoint, channel, metric, score, comment, customer, attributes]
const stream = [
  ['dine-in', 'tablet', 'nps', 10, 'Harika bir akşamdı, garsonumuz Elif çok ilgiliydi!', { id: 'c-tr-01', name: 'Ahmet', locale: 'tr' }, { store: 'istanbul-kadikoy' }],
  ['checkout', 'web', 'csat', 5, 'Fast checkout, thanks!', { id: 'c-en-01', name: 'Olivia', locale: 'en' }],
  ['dine-in', 'tablet', 'nps', 3, 'Garsonlar çok kaba, yemek 40 dakika sürdü', { id: 'c-tr-02', name: 'Deniz', locale: 'tr' }, { store: 'istanbul-besiktas' }],
  ['delivery', 'app', 'csat', 1, '外卖送到时已经凉了，我要退款', { id: 'c-zh-01', name: '王伟', locale: 'zh' }, { store: 'online' }],
  ['support-call', 'phone', 'ces', 2, 'חיכיתי שעה על הקו ואף אחד לא עזר לי. אני רוצה החזר', { id: 'c-he-01', name: 'Noa', locale: 'he' }],
  ['delivery', 'app', 'nps', 8, 'Makanannya enak, pengirimannya agak lama', { id: 'c-id-01', name: 'Putri', locale: 'id' }],
  ['checkout', 'web', 'nps', 7, 'OK, but the coupon field is hard to find', { id: 'c-en-02', name: 'Liam', locale: 'en' }],
  ['dine-in', 'tablet', 'csat', 2, 'Pelayannya kasar sekali dan mejanya kotor', { id: 'c-id-02', name: 'Budi', locale: 'id' }, { store: 'jakarta-1', vip: true }],
  ['checkout', 'web', 'nps', 1, 'Charged twice for one order. If this is not fixed I will talk to my lawyer.', { id: 'c-en-03', name: 'Emma', locale: 'en' }],
  ['support-call', 'phone', 'csat', 4, '客服很耐心，问题解决了', { id: 'c-zh-02', name: '李娜', locale: 'zh' }],
  ['dine-in', 'tablet', 'nps', 9, 'השירות היה מצוין', { id: 'c-he-02', name: 'Yossi', locale: 'he' }],
  // the repeat detractor: Deniz again, a week later feeling, now about delivery
  ['dine-in', 'app', 'csat', 1, 'Şikayetime hâlâ cevap yok. Avukatımla görüşeceğim, avukat tutacağım.', { id: 'c-tr-02', name: 'Deniz', locale: 'tr' }, { store: 'istanbul-besiktas' }],
  ['delivery', 'app', 'ces', 6, 'Easy to reorder', { id: 'c-en-04', name: 'Noah', locale: 'en' }],
  ['checkout', 'web', 'ces', 2, 'Ödeme sayfası üç kez hata verdi, iade istiyorum', { id: 'c-tr-03', name: 'Zeynep', locale: 'tr' }],
];

/** A stack that does not answer is the usual first mistake: say what to do instead of a raw `fetch failed`. */
async function call(url, init) {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    const { origin } = new URL(url);
    const cause = err?.cause?.code ?? err?.name ?? 'no answer';
    console.error(`\nno stack answers at ${origin} (${cause}): run npm start first (or set INGEST_URL / TICKETS_URL, or the *_PORT variables npm start was given)`);
    process.exit(1);
  }
}

async function send(i, [touchpoint, channel, metric, score, comment, customer, attributes]) {
  const body = {
    source: 'demo', externalId: `demo-${run}-${i}`, touchpoint, channel, metric, score, comment,
    customer: { ...customer, email: `${customer.id}@example.com` }, respondedAt: minutesAgo(stream.length - i), attributes,
  };
  const r = await call(`${INGEST}/v1/feedback`, { method: 'POST', headers: { Authorization: `Bearer ${ingestKey}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const j = await r.text();
  console.log(`${String(r.status).padEnd(4)} ${touchpoint.padEnd(13)} ${metric} ${String(score).padStart(2)}  ${customer.name.padEnd(7)} ${comment.slice(0, 60)}${r.ok ? '' : `  → ${j.slice(0, 300)}`}`);
  if (!r.ok) process.exitCode = 1;
}

/** The routing file npm start runs with (CLOSELOOP_CONFIG, else the one it writes with the demo sources), as the services read it. */
function readRouting() {
  const written = path.join(repoRoot, '.closeloop', 'closeloop.yaml');
  const file = path.resolve(repoRoot, process.env.CLOSELOOP_CONFIG ?? (existsSync(written) ? written : 'config/closeloop.yaml'));
  try {
    const { loadRoutingConfig } = createRequire(import.meta.url)(path.join(repoRoot, 'libs/contracts/dist/index.js'));
    return { routing: loadRoutingConfig(file) };
  } catch (err) {
    return { file, error: err.message.split('\n')[0] };
  }
}

function routingSources() {
  const r = readRouting();
  if (r.routing) return r.routing.sources ?? [];
  console.error(`\nsurvey-tool deliveries skipped: cannot read ${path.relative(repoRoot, r.file)} (${r.error}); npm start builds what it needs`);
  return [];
}

/** The demo reads every team's tickets: an admin's token when the routing file has one (SPEC §12), else the first. */
function readerToken() {
  const entries = (process.env.API_TOKENS ?? creds.API_TOKENS ?? '').split(',').filter(Boolean).map((e) => e.split(':'));
  const admins = new Set((readRouting().routing?.agents ?? []).filter((a) => a.role === 'admin').map((a) => a.id));
  return (entries.find(([id]) => admins.has(id)) ?? entries[0])?.[1];
}

/** One signed delivery per `demo-*` source; returns what each should have opened. */
async function sendSourceDeliveries() {
  const sources = routingSources().filter((s) => s.id.startsWith('demo-') && DEMO_DELIVERIES[s.kind]);
  if (!sources.length) return [];
  const secrets = Object.fromEntries(sources.flatMap((s) => [s.secretEnv, s.api?.tokenEnv]).filter(Boolean)
    .map((name) => [name, process.env[name]?.trim() || creds[name]]));
  const missing = Object.entries(secrets).filter(([, v]) => !v).map(([name]) => name);
  if (missing.length) {
    console.error(`\nsurvey-tool deliveries skipped: no value for ${missing.join(', ')} (npm start generates them into .closeloop/dev-credentials.json, or set them)`);
    process.exitCode = 1;
    return [];
  }
  console.log(`\nsending one signed webhook per survey tool to ${INGEST}/v1/sources/{id}…\n`);
  const sent = [];
  for (const source of sources) {
    const d = DEMO_DELIVERIES[source.kind](source, secrets, run);
    let api;
    if (d.answers) {
      // the vendor's API, where ingest fetches the answers: a local stand-in on the port the routing file names
      const url = new URL(source.api.url);
      if (!['127.0.0.1', 'localhost'].includes(url.hostname)) {
        console.log(`skip ${source.id.padEnd(18)} its api.url ${url.origin} is not local: the demo answers only for a local stand-in`);
        continue;
      }
      try {
        api = await startSurveyApiStub(source.kind, { port: Number(url.port || 80), token: secrets[source.api.tokenEnv] });
      } catch (err) {
        console.log(`skip ${source.id.padEnd(18)} cannot start its API stand-in on ${url.host} (${err.code ?? err.message})`);
        process.exitCode = 1;
        continue;
      }
      api.respond(...d.answers);
    }
    try {
      const r = await call(`${INGEST}/v1/sources/${source.id}`, { method: 'POST', headers: d.delivery.headers, body: d.delivery.body });
      const j = await r.text();
      const shown = r.status === 202 ? `feedback ${JSON.parse(j).feedbackId}` : j.slice(0, 300);
      console.log(`${String(r.status).padEnd(4)} ${source.id.padEnd(18)} ${source.kind.padEnd(13)} ${String(d.score).padStart(2)}  ${d.customer.name.padEnd(7)} ${d.comment.slice(0, 45).padEnd(45)} ${shown}`);
      if (r.status !== 202) process.exitCode = 1;
      else sent.push({ source, ...d });
    } finally {
      await api?.close();
    }
  }
  return sent;
}

await call(`${INGEST}/health/live`); // exits with a clear message when nothing answers
console.log(`sending ${stream.length} responses to ${INGEST}…\n`);
for (const [i, item] of stream.entries()) {
  await send(i, item);
  await new Promise((r) => setTimeout(r, 150));
}
const fromSources = await sendSourceDeliveries();
const agentToken = readerToken();
if (agentToken) {
  await new Promise((r) => setTimeout(r, 2_000));
  // open follow-up tickets: not resolved yet (open or claimed)
  const r = await call(`${TICKETS}/v1/tickets?status=open,claimed&limit=20`, { headers: { Authorization: `Bearer ${agentToken}` } });
  if (!r.ok) {
    console.error(`\nGET ${TICKETS}/v1/tickets answered ${r.status}: ${(await r.text()).slice(0, 300)}`);
    process.exitCode = 1;
  } else {
    const { items } = await r.json();
    console.log(`\nopen follow-up tickets (${items.length}):`);
    for (const t of items) console.log(`  ${t.severity.padEnd(8)} ${t.status.padEnd(8)} ${t.touchpoint.padEnd(13)} ${(t.customer?.name ?? t.customer?.id ?? '').padEnd(8)} ${t.metric} ${t.score}  ×${t.feedbackCount}  ${t.id}`);
    if (fromSources.length) await showSourceTickets(fromSources);
    console.log(`\nthe alerts are in the notification log above (or your Slack channel), and in the console: ${CONSOLE}`);
  }
}

/** The ticket each survey tool's response opened (it may take a moment to cross the pipeline). */
async function showSourceTickets(sent) {
  console.log('\ntickets opened by the survey tools:');
  for (const d of sent) {
    let t;
    for (let i = 0; i < 30 && !t; i++) {
      const r = await call(`${TICKETS}/v1/tickets?customer=${encodeURIComponent(d.customer.id)}`, { headers: { Authorization: `Bearer ${agentToken}` } });
      t = r.ok ? (await r.json()).items[0] : undefined;
      if (!t) await new Promise((res) => setTimeout(res, 500));
    }
    if (!t) {
      console.log(`  ${d.source.kind.padEnd(13)} no ticket for ${d.customer.id} after 15 s`);
      process.exitCode = 1;
      continue;
    }
    console.log(`  ${d.source.kind.padEnd(13)} ${t.severity.padEnd(8)} ${t.touchpoint.padEnd(13)} ${t.customer.id.padEnd(28)} ${t.metric} ${t.score}  ${(t.comment ?? '').slice(0, 40).padEnd(40)} ${t.id}`);
  }
}
