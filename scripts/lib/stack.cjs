// Runs the built services as child processes: used by `npm start`, the end-to-end tests, chaos and bench.
// CommonJS so that both the .mjs scripts and the jest tests load the same code.
'use strict';
const { spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '../..');

const SERVICES = [
  { name: 'ingest', port: 3001, portVar: 'INGEST_PORT', migrate: true },
  { name: 'scoring', port: 3004, portVar: 'SCORING_PORT', migrate: true },
  { name: 'tickets', port: 3002, portVar: 'TICKETS_PORT', migrate: true },
  { name: 'notification', port: 3003, portVar: 'NOTIFICATION_PORT', migrate: true },
  { name: 'console', port: 3000, portVar: 'CONSOLE_PORT', migrate: 'if-present' },
];

/** The port a service listens on with this environment: its `*_PORT` variable, else its default. */
function portOf(s, env = process.env) {
  const given = env[s.portVar]?.trim();
  return given ? Number(given) : s.port;
}

/** Where a service bound to HOST answers locally: HOST itself, or loopback when it binds every address (or is unset). */
function localHost(env = process.env) {
  const host = env.HOST?.trim();
  if (!host || host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** `{ ingest: 'http://127.0.0.1:3001', … }` for the HOST and ports this environment gives (what `npm start` polls and prints). */
function localUrls(env = process.env) {
  return Object.fromEntries(SERVICES.map((s) => [s.name, `http://${localHost(env)}:${portOf(s, env)}`]));
}

const COLORS = { ingest: 36, scoring: 35, tickets: 33, notification: 32, console: 34 };
const LEVELS = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** pino JSON → one readable line; anything else is passed through. */
function prettyLine(service, line) {
  const tag = `\x1b[${COLORS[service] ?? 37}m${service.padEnd(12)}\x1b[0m`;
  try {
    const j = JSON.parse(line);
    if (typeof j !== 'object' || j === null || !('level' in j)) throw new Error('not pino');
    const { level, time, msg, service: _s, pid: _p, hostname: _h, req, res, responseTime, ...rest } = j;
    const t = typeof time === 'string' ? time.slice(11, 19) : new Date(time ?? Date.now()).toISOString().slice(11, 19);
    const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    const http = req ? ` ${req.method} ${req.url} → ${res?.statusCode} (${responseTime} ms)` : '';
    return `${t} ${tag} ${(LEVELS[level] ?? level).padEnd(5)} ${msg ?? ''}${http}${extra}`;
  } catch {
    return `${tag} ${line}`;
  }
}

function pipeLines(stream, service, out) {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) out(prettyLine(service, line));
    }
  });
}

function runNode(script, env, { service, out = console.log } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    pipeLines(child.stdout, service, out);
    pipeLines(child.stderr, service, out);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited with ${code}`))));
  });
}

async function migrateAll(env, out = console.log) {
  for (const s of SERVICES) {
    const script = path.join(repoRoot, 'services', s.name, 'dist', 'migrate.js');
    if (s.migrate === false || (s.migrate === 'if-present' && !existsSync(script))) continue;
    await runNode(script, env, { service: s.name, out });
  }
}

/** Starts one service; returns a handle that can stop (SIGTERM, then SIGKILL) or kill it. */
const SERVICE_NODE_OPTIONS = '--max-old-space-size=128';

function startService(s, env, out = console.log) {
  const child = spawn(process.execPath, [path.join(repoRoot, 'services', s.name, 'dist', 'main.js')], {
    cwd: repoRoot,
    // V8 grows its heap freely on a large machine; the services are sized for ≤ 200 MB RSS (the Dockerfile sets the same)
    env: { NODE_OPTIONS: SERVICE_NODE_OPTIONS, ...env, [s.portVar]: String(portOf(s, env)) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  pipeLines(child.stdout, s.name, out);
  pipeLines(child.stderr, s.name, out);
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return {
    ...s,
    port: portOf(s, env),
    child,
    exited,
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(t);
    },
    kill() {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

async function waitReady(url, timeoutMs, isAlive = () => true) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`exited before ${url} was ready`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (r.ok) return;
      last = `${r.status} ${(await r.text()).slice(0, 300)}`;
    } catch (err) {
      last = err.message;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
}

module.exports = { SERVICES, SERVICE_NODE_OPTIONS, portOf, localUrls, prettyLine, runNode, migrateAll, startService, waitReady, repoRoot };
