// A load generator in a worker thread (its own event loop, so the main thread's probes and samplers keep their
// timing). Keep-alive HTTP/1.1 connections through node:http's Agent; only 127.0.0.1 targets.
// Jobs (workerData.job):
//   batchClosed  — `connections` loops each sending 500-item batches back to back; accepted items/s in a window
//   rateOpen     — single-feedback requests at a fixed rate (open loop); latency from the *scheduled* send time
//   background   — rateOpen until the parent posts 'stop' (load under the latency probes)
//   preload      — N items through the batch endpoint as fast as they are accepted
//   webhookClosed — `connections` loops each posting signed Typeform webhooks (one response each) back to back to
//                  POST /v1/sources/{id}; accepted (202, not duplicate) payloads/s in a window, as batchClosed
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { feedback, typeformResponse } from './feedback.mjs';

const now = () => performance.timeOrigin + performance.now();
const w = workerData;
const target = new URL(w.baseUrl);
if (target.hostname !== '127.0.0.1') throw new Error('the bench only targets 127.0.0.1');
const agent = new http.Agent({ keepAlive: true, maxSockets: w.connections, maxFreeSockets: w.connections, scheduling: 'fifo' });
const headers = { authorization: `Bearer ${w.apiKey}`, 'content-type': 'application/json' };

function post(path, body, requestHeaders = headers) {
  return new Promise((resolve) => {
    const req = http.request({ agent, host: target.hostname, port: target.port, path, method: 'POST', headers: { ...requestHeaders, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => resolve({ status: 0, error: err.message }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout after 30 s')));
    req.on('error', (err) => resolve({ status: 0, error: err.message }));
    req.end(body);
  });
}

const bump = (counts, key) => (counts[key] = (counts[key] ?? 0) + 1);

async function batchClosed() {
  const { connections, batchSize, warmupMs, durationMs } = w;
  const start = now();
  const windowStart = start + warmupMs;
  const end = windowStart + durationMs;
  let seq = 0;
  let acceptedInWindow = 0;
  let acceptedTotal = 0;
  const latencies = [];
  const statuses = {};
  let firstError;
  const loop = async () => {
    while (now() < end) {
      const items = [];
      for (let k = 0; k < batchSize; k++) items.push(feedback(w.run, w.stream, seq++));
      const body = JSON.stringify({ items });
      const t0 = now();
      const r = await post('/v1/feedback/batch', body);
      const t1 = now();
      bump(statuses, r.status);
      if (r.status !== 200) {
        firstError ??= `${r.status} ${r.error ?? r.body?.slice(0, 300)}`;
        if (r.status === 0) await new Promise((res) => setTimeout(res, 100));
        continue;
      }
      const accepted = JSON.parse(r.body).results.filter((x) => x.feedbackId && !x.duplicate).length;
      acceptedTotal += accepted;
      if (t1 >= windowStart && t1 <= end) {
        acceptedInWindow += accepted;
        latencies.push(t1 - t0);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  return { itemsPerSec: acceptedInWindow / (durationMs / 1000), acceptedInWindow, acceptedTotal, sent: seq, batchLatenciesMs: latencies, statuses, firstError, windowMs: durationMs, warmupMs };
}

/** As batchClosed, one signed Typeform response per request (`Typeform-Signature: sha256=<base64 HMAC-SHA256>`). */
async function webhookClosed() {
  const { connections, warmupMs, durationMs, sourceId, secret } = w;
  const start = now();
  const windowStart = start + warmupMs;
  const end = windowStart + durationMs;
  let seq = 0;
  let acceptedInWindow = 0;
  let acceptedTotal = 0;
  const latencies = [];
  const statuses = {};
  let firstError;
  const loop = async () => {
    while (now() < end) {
      const body = JSON.stringify(typeformResponse(w.run, w.stream, seq++));
      const signature = `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;
      const t0 = now();
      const r = await post(`/v1/sources/${sourceId}`, body, { 'content-type': 'application/json', 'typeform-signature': signature });
      const t1 = now();
      bump(statuses, r.status);
      if (r.status !== 202) {
        firstError ??= `${r.status} ${r.error ?? r.body?.slice(0, 300)}`;
        if (r.status === 0) await new Promise((res) => setTimeout(res, 100));
        continue;
      }
      const accepted = JSON.parse(r.body).duplicate === false ? 1 : 0;
      acceptedTotal += accepted;
      if (t1 >= windowStart && t1 <= end) {
        acceptedInWindow += accepted;
        latencies.push(t1 - t0);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  return { itemsPerSec: acceptedInWindow / (durationMs / 1000), acceptedInWindow, acceptedTotal, sent: seq, latenciesMs: latencies, statuses, firstError, windowMs: durationMs, warmupMs };
}

/** Open loop at `rate`/s for `durationMs` (or until stopped); never more than `maxInFlight` outstanding (then it stops: overload). */
async function rateOpen({ rate, durationMs, stopSignal }) {
  const interval = 1000 / rate;
  const start = now() + 20;
  const total = durationMs === undefined ? Infinity : Math.round((rate * durationMs) / 1000);
  const maxInFlight = Math.max(50, Math.ceil(rate * 2));
  const latencies = [];
  const statuses = {};
  let k = 0;
  let inFlight = 0;
  let ok = 0;
  let overloaded = false;
  let firstError;
  let lastDone = start;
  const pending = new Set();
  const fire = (i, scheduled) => {
    inFlight += 1;
    const p = post('/v1/feedback', JSON.stringify(feedback(w.run, w.stream, i))).then((r) => {
      const t = now();
      inFlight -= 1;
      lastDone = t;
      bump(statuses, r.status);
      if (r.status === 202) {
        ok += 1;
        latencies.push(t - scheduled);
      } else firstError ??= `${r.status} ${r.error ?? r.body?.slice(0, 300)}`;
      pending.delete(p);
    });
    pending.add(p);
  };
  await new Promise((done) => {
    const tick = () => {
      const t = now();
      while (k < total && start + k * interval <= t && !stopSignal.stop) {
        if (inFlight >= maxInFlight) {
          overloaded = true;
          return done();
        }
        fire(k, start + k * interval);
        k += 1;
      }
      if (k >= total || stopSignal.stop) return done();
      setTimeout(tick, Math.max(0, Math.min(4, start + k * interval - now())));
    };
    tick();
  });
  const sentUntil = now();
  await Promise.all(pending);
  const elapsedS = (Math.max(lastDone, sentUntil) - start) / 1000;
  return { targetRate: rate, sent: k, ok, achievedRate: ok / elapsedS, latenciesMs: latencies, statuses, overloaded, firstError, elapsedS };
}

async function preload() {
  const { n, batchSize, connections } = w;
  const startedAt = now();
  let next = 0;
  let accepted = 0;
  const statuses = {};
  let firstError;
  let attempts = 0;
  const loop = async () => {
    while (next < n && attempts < Math.ceil(n / batchSize) * 3) {
      const from = next;
      const to = Math.min(n, from + batchSize);
      next = to;
      const items = [];
      for (let i = from; i < to; i++) items.push(feedback(w.run, w.stream, i));
      const body = JSON.stringify({ items });
      for (;;) {
        attempts += 1;
        const r = await post('/v1/feedback/batch', body);
        bump(statuses, r.status);
        if (r.status === 200) {
          accepted += JSON.parse(r.body).results.filter((x) => x.feedbackId).length;
          break;
        }
        firstError ??= `${r.status} ${r.error ?? r.body?.slice(0, 300)}`;
        if (attempts >= Math.ceil(n / batchSize) * 3) break;
        await new Promise((res) => setTimeout(res, 200)); // resubmitting the same items is idempotent (same feedbackIds)
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  return { accepted, startedAt, finishedAt: now(), statuses, firstError };
}

const stopSignal = { stop: false };
parentPort.on('message', (m) => {
  if (m === 'stop') stopSignal.stop = true;
});

let result;
try {
  if (w.job === 'batchClosed') result = await batchClosed();
  else if (w.job === 'rateOpen') result = await rateOpen({ rate: w.rate, durationMs: w.durationMs, stopSignal });
  else if (w.job === 'background') result = await rateOpen({ rate: w.rate, durationMs: w.maxDurationMs, stopSignal });
  else if (w.job === 'preload') result = await preload();
  else if (w.job === 'webhookClosed') result = await webhookClosed();
  else throw new Error(`unknown job ${w.job}`);
  parentPort.postMessage({ type: 'result', result });
} catch (err) {
  parentPort.postMessage({ type: 'error', message: err.stack ?? String(err) });
} finally {
  agent.destroy();
}
