// A minimal, fast Slack Web API stand-in for the bench, in its own worker thread so that its arrival timestamps are
// not delayed by the load generator or the probes. libs/testing's stub keeps every request and the whole channel
// history (linear searches) — right for tests, not for thousands of alerts. This one answers what notification calls
// (auth.test, chat.postMessage, chat.update, conversations.history, chat.postEphemeral, views.open), keeps only
// counters, and reports the arrival time of each top-level chat.postMessage whose text names a probe customer.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { URLSearchParams } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const now = () => performance.timeOrigin + performance.now();
const probeRe = new RegExp(`${workerData.probePrefix}[A-Za-z0-9-]+`);
const counts = { postMessage: 0, topLevel: 0, threadReplies: 0, update: 0, other: 0, firstAt: null, lastAt: null };
let ts = 0;

function parse(raw, type) {
  if (/json/i.test(type ?? '')) {
    try {
      return JSON.parse(raw);
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const arrived = now();
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
    const raw = Buffer.concat(chunks).toString('utf8');
    let answer;
    if (method === 'chat.postMessage') {
      const form = parse(raw, req.headers['content-type']);
      counts.postMessage += 1;
      ts += 1;
      const messageTs = `1700000000.${String(ts).padStart(6, '0')}`;
      if (form.thread_ts) counts.threadReplies += 1;
      else {
        counts.topLevel += 1;
        counts.firstAt ??= arrived;
        counts.lastAt = arrived;
        const m = probeRe.exec(`${form.text ?? ''} ${typeof form.blocks === 'string' ? form.blocks : JSON.stringify(form.blocks ?? '')}`);
        if (m) parentPort.postMessage({ type: 'probeAlert', customerId: m[0], at: arrived, channel: form.channel });
      }
      answer = { ok: true, channel: form.channel, ts: messageTs, message: { ts: messageTs, text: form.text ?? '' } };
    } else if (method === 'chat.update') {
      const form = parse(raw, req.headers['content-type']);
      counts.update += 1;
      answer = { ok: true, channel: form.channel, ts: form.ts, text: form.text ?? '' };
    } else if (method === 'auth.test') {
      answer = { ok: true, url: 'https://bench.slack.com/', team: 'Bench', user: 'closeloop', team_id: 'T0BENCH', user_id: 'U0BOT', bot_id: 'B0BOT' };
    } else if (method === 'conversations.history') {
      counts.other += 1;
      answer = { ok: true, messages: [], has_more: false };
    } else if (method === 'chat.postEphemeral') {
      counts.other += 1;
      answer = { ok: true, message_ts: `1700000000.${String(++ts).padStart(6, '0')}` };
    } else if (method === 'views.open') {
      counts.other += 1;
      answer = { ok: true, view: { id: 'V0BENCH' } };
    } else {
      counts.other += 1;
      answer = { ok: true };
    }
    const body = JSON.stringify(answer);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;

parentPort.on('message', (m) => {
  if (m === 'stats') parentPort.postMessage({ type: 'stats', counts: { ...counts } });
  if (m === 'close') server.close(() => process.exit(0));
});

server.listen(0, '127.0.0.1', () => {
  parentPort.postMessage({ type: 'ready', url: `http://127.0.0.1:${server.address().port}/api/` });
});
