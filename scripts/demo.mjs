// `npm run demo`: a realistic stream of feedback for a restaurant chain and an online shop, sent to a running stack
// (`npm start`). Several touchpoints and languages; promoters, passives, detractors, a repeat detractor and a critical comment.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './lib/setup.mjs';
import stack from './lib/stack.cjs';

const urls = stack.localUrls(process.env); // the same HOST and *_PORT variables as npm start
const INGEST = process.env.INGEST_URL ?? urls.ingest;
const TICKETS = process.env.TICKETS_URL ?? urls.tickets;
const CONSOLE = process.env.CONSOLE_URL ?? urls.console;
const saved = path.join(repoRoot, '.closeloop', 'dev-credentials.json');
const creds = existsSync(saved) ? JSON.parse(readFileSync(saved, 'utf8')) : {};
const ingestKey = (process.env.INGEST_API_KEYS ?? creds.INGEST_API_KEYS ?? '').split(',')[0];
const agentToken = (process.env.API_TOKENS ?? creds.API_TOKENS ?? '').split(',')[0]?.split(':')[1];
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

await call(`${INGEST}/health/live`); // exits with a clear message when nothing answers
console.log(`sending ${stream.length} responses to ${INGEST}…\n`);
for (const [i, item] of stream.entries()) {
  await send(i, item);
  await new Promise((r) => setTimeout(r, 150));
}
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
    console.log(`\nthe alerts are in the notification log above (or your Slack channel), and in the console: ${CONSOLE}`);
  }
}
