/**
 * Which variables each service reads and requires, taken from the services' own config loaders
 * (services/<name>/src/config.ts `load…Config(env)`) by running them: nothing here is a hand-written list, so the
 * deployment tests can never agree with a copy that the code has left behind.
 *
 * - reads: every name the loader looks up. It is run on an empty environment, and on any `probes` given (the
 *   environments Compose and the manifests give it), through a Proxy that records each lookup. A loader that lists
 *   the environment's keys instead of looking names up could not be described this way, so that is an error here.
 * - required: the names the loader reports as a problem when the environment is empty.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, databaseEnv, loadConfig, type Env } from '@closeloop/platform';
import { loadConsoleConfig } from '../../../services/console/src/config';
import { loadIngestConfig } from '../../../services/ingest/src/config';
import { loadNotificationConfig } from '../../../services/notification/src/config';
import { loadScoringConfig } from '../../../services/scoring/src/config';
import { loadTicketsConfig } from '../../../services/tickets/src/config';
import { ROOT } from './repo';

type Loader = (env: Env) => unknown;

/** Every service and the loader its main.ts runs, in SPEC §2 order. */
export const CONFIG_LOADERS: Record<string, Loader> = {
  ingest: loadIngestConfig,
  scoring: loadScoringConfig,
  tickets: loadTicketsConfig,
  notification: loadNotificationConfig,
  console: loadConsoleConfig,
};
export const SERVICES = Object.keys(CONFIG_LOADERS);

/** The services/ folders, to check that CONFIG_LOADERS names every one. */
export const serviceFolders = () => readdirSync(join(ROOT, 'services')).filter((d) => existsSync(join(ROOT, 'services', d, 'src', 'config.ts'))).sort();

/**
 * What a service's `migrate.js` loads: `migrationCli` (libs/platform/src/migration-cli.ts) reads
 * `{ database: databaseEnv(schema) }` and nothing else. A service has a migrate.js when its loader requires DATABASE_URL.
 */
export function loadMigrationConfig(service: string, env: Env) {
  return loadConfig({ database: databaseEnv(service) }, env, `${service} migrations`);
}
export const hasMigrations = (service: string) => existsSync(join(ROOT, 'services', service, 'src', 'migrate.ts'));

export interface EnvUse { reads: Set<string>; required: Set<string> }

/** Runs `load` on a recording environment; returns what it looked up and the problems it reported. */
function record(load: Loader, env: Env): { reads: Set<string>; problems: string[] } {
  const reads = new Set<string>();
  const recording = new Proxy({ ...env }, {
    get: (target, name) => {
      if (typeof name === 'string') reads.add(name);
      return target[name as string];
    },
    has: (target, name) => {
      if (typeof name === 'string') reads.add(name);
      return name in target;
    },
    ownKeys: () => {
      throw new Error('the config loader lists the environment\'s keys: its variables cannot be found by looking at what it reads');
    },
  });
  try {
    load(recording);
    return { reads, problems: [] };
  } catch (err) {
    if (err instanceof ConfigError) return { reads, problems: err.problems };
    throw err;
  }
}

/** The variable a ConfigError problem is about (`NAME: reason`). */
export const problemVariable = (problem: string) => /^([A-Z][A-Z0-9_]*):/.exec(problem)?.[1];

export function envUse(load: Loader, probes: Env[] = []): EnvUse {
  const empty = record(load, {});
  const reads = new Set([...empty.reads, ...probes.flatMap((p) => [...record(load, p).reads])]);
  const required = new Set(empty.problems.map(problemVariable).filter((v): v is string => v !== undefined && reads.has(v)));
  return { reads, required };
}

const plain = new Map<string, EnvUse>();
/** envUse of a service's loader; without probes, computed once. */
export function serviceEnvUse(service: string, probes: Env[] = []): EnvUse {
  if (probes.length) return envUse(CONFIG_LOADERS[service], probes);
  if (!plain.has(service)) plain.set(service, envUse(CONFIG_LOADERS[service]));
  return plain.get(service) as EnvUse;
}
export const migrationEnvUse = (service: string) => envUse((env) => loadMigrationConfig(service, env));

/** Services with a database: their loader requires DATABASE_URL (and they have a migrate.js). */
export const DB_SERVICES = SERVICES.filter((s) => serviceEnvUse(s).required.has('DATABASE_URL'));

/** A config loader's answer to an environment: 'ok', or its one start-up message (every problem). */
export function boot(load: () => unknown): string {
  try {
    load();
    return 'ok';
  } catch (err) {
    return (err as Error).message;
  }
}
