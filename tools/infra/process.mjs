// Child processes that never outlive the Node process that started them (Kafka's JVM, an embedded Postgres).
//
// Three layers, because no single one covers every way a parent dies:
//  - Linux `setpriv --pdeathsig`: the kernel signals the child when the parent dies, even by SIGKILL.
//  - process 'exit': synchronous SIGKILL of whatever is still running (process.exit(), end of the event loop).
//  - SIGINT/SIGTERM/SIGHUP: only when nobody else listens for that signal. Then Node's default would kill the
//    parent without an 'exit' event, so we stop our children gracefully and re-raise the signal. When the parent
//    has its own handler (npm start's orchestrator, the infra CLI) it owns the shutdown order and calls stop().
// Children run in their own process group (detached) so a terminal Ctrl-C reaches only the Node parent: services can
// drain while the broker and database are still up, and the parent stops them last.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/** @typedef {{ info(msg: string): void, warn(msg: string): void, error(msg: string): void, debug(msg: string): void }} Logger */

/**
 * Accepts a pino/console-like logger, a plain `(msg) => void` function, `false` (silent) or nothing
 * (stderr, debug lines only with CLOSELOOP_INFRA_DEBUG=1).
 * @param {any} log
 * @returns {Logger}
 */
export function toLogger(log) {
  const noop = () => {};
  if (log === false) return { info: noop, warn: noop, error: noop, debug: noop };
  if (typeof log === 'function') return { info: log, warn: log, error: log, debug: noop };
  if (log && typeof log.info === 'function') {
    const call = (level) => (msg) => (typeof log[level] === 'function' ? log[level](msg) : log.info(msg));
    return { info: call('info'), warn: call('warn'), error: call('error'), debug: call('debug') };
  }
  const write = (msg) => process.stderr.write(`[infra] ${msg}\n`);
  return { info: write, warn: write, error: write, debug: process.env.CLOSELOOP_INFRA_DEBUG ? write : noop };
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function pickFreePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** @param {number} pid */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return /** @type {any} */ (err).code === 'EPERM';
  }
}

let setprivAvailable;
function hasSetpriv() {
  if (setprivAvailable === undefined) {
    setprivAvailable = process.platform === 'linux' && spawnSync('setpriv', ['--pdeathsig', 'TERM', 'true'], { stdio: 'ignore' }).status === 0;
  }
  return setprivAvailable;
}

// ---- guard registry -------------------------------------------------------------------------------------------

/** @typedef {{ name: string, shutdown(): Promise<void>, killSync(): void }} Guarded */

/** @type {Set<Guarded>} */
const guarded = new Set();
const SIGNALS = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);
let shuttingDown = false;

function onExit() {
  for (const resource of guarded) {
    try {
      resource.killSync();
    } catch {
      // best effort: the process is exiting
    }
  }
}

/** @param {NodeJS.Signals} signal */
function onSignal(signal) {
  // Someone else handles this signal: they decide when to stop us (the 'exit' hook remains the backstop).
  if (process.listenerCount(signal) > 1) return;
  const reraise = () => {
    uninstall();
    process.kill(process.pid, signal);
  };
  if (shuttingDown) {
    onExit();
    reraise();
    return;
  }
  shuttingDown = true;
  Promise.allSettled([...guarded].map((resource) => resource.shutdown())).then(reraise, reraise);
}

function install() {
  process.on('exit', onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall() {
  process.off('exit', onExit);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/**
 * Registers a resource that must be stopped when the parent exits or is signalled. Returns the unregister function.
 * @param {Guarded} resource
 */
export function guard(resource) {
  if (guarded.size === 0) install();
  guarded.add(resource);
  return () => {
    guarded.delete(resource);
    if (guarded.size === 0) {
      uninstall();
      shuttingDown = false;
    }
  };
}

// ---- spawning -------------------------------------------------------------------------------------------------

/**
 * @typedef {object} ChildHandle
 * @property {number} pid
 * @property {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} exited
 * @property {() => boolean} running
 * @property {() => string} tail  last output lines, for error messages
 * @property {(graceMs?: number) => Promise<void>} stop  stop signal, then SIGKILL after graceMs
 * @property {() => Promise<void>} kill  SIGKILL and wait
 * @property {() => void} killSync
 */

/**
 * Spawns a long-running child in its own process group, with parent-death signal where available.
 * The child and its pipes are unref'd: it never keeps the parent's event loop alive by itself.
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, cwd?: string, uid?: number, gid?: number, stopSignal?: NodeJS.Signals,
 *   onLine?: (line: string) => void, tailLines?: number }} [options]
 * @returns {ChildHandle}
 */
export function spawnChild(command, args, options = {}) {
  const stopSignal = options.stopSignal ?? 'SIGTERM';
  const [cmd, argv] = hasSetpriv()
    ? ['setpriv', ['--pdeathsig', stopSignal.replace(/^SIG/, ''), command, ...args]]
    : [command, args];
  const child = spawn(cmd, argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    uid: options.uid,
    gid: options.gid,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  const keep = options.tailLines ?? 40;
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        if (!line.trim()) continue;
        lines.push(line);
        if (lines.length > keep) lines.shift();
        options.onLine?.(line);
      }
    });
    /** @type {any} */ (stream).unref?.();
  }
  let exitInfo = null;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
    child.on('error', (err) => {
      lines.push(String(err));
      exitInfo = { code: -1, signal: null };
      resolve(exitInfo);
    });
  });
  child.unref();
  const running = () => exitInfo === null && child.pid !== undefined;
  return {
    get pid() {
      return /** @type {number} */ (child.pid);
    },
    exited,
    running,
    tail: () => lines.join('\n'),
    async stop(graceMs = 20_000) {
      if (!running()) return;
      child.ref(); // someone awaits the exit: it must keep the event loop alive
      child.kill(stopSignal);
      const timer = setTimeout(() => running() && child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (running()) {
        child.ref();
        child.kill('SIGKILL');
      }
      await exited;
    },
    killSync() {
      if (running()) child.kill('SIGKILL');
    },
  };
}

/** rm -rf that never throws (used from exit hooks too). */
export function removeDirSync(dir) {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // leftovers in the OS temp dir are not worth failing a shutdown for
  }
}
