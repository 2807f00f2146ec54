/**
 * docker-compose.yml as `docker compose config` sees it on a host with no variables set (no .env): interpolated,
 * `<<` merges resolved; and what a service's container gets from it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { imageDefaults } from './dockerfile';
import { ROOT, withHostPaths } from './repo';

/** Compose variable interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, $VAR, and $$ for a literal $. */
function interpolate(text: string, env: Record<string, string>, unresolved: string[]): string {
  return text.replace(/\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, dollar, name, op, arg, bare) => {
    if (dollar === '$') return '$';
    const key = name ?? bare;
    const value = env[key];
    const unset = value === undefined || (op?.startsWith(':') && value === '');
    if (!unset) return value;
    if (op === ':-' || op === '-') return arg;
    unresolved.push(key);
    return '';
  });
}
function interpolateAll(value: any, env: Record<string, string>, unresolved: string[]): any {
  if (typeof value === 'string') return interpolate(value, env, unresolved);
  if (Array.isArray(value)) return value.map((v) => interpolateAll(v, env, unresolved));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, env, unresolved)]));
  return value;
}

/** Variables used without a default (`docker compose` would warn and use ""). */
export const unresolved: string[] = [];
export const compose = interpolateAll(parseYaml(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }), {}, unresolved);
export const services: Record<string, any> = compose.services;

/** A service's environment as a map (Compose accepts a map or a list of KEY=VALUE; a bare name passes the host's value). */
export function environmentOf(service: string): Record<string, string | null> {
  const env = services[service].environment ?? {};
  if (!Array.isArray(env)) return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? null : String(v)]));
  return Object.fromEntries(env.map((e: string) => (e.includes('=') ? [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] : [e, null])));
}

/** host path (relative to the repository) → container path, for the bind mounts of a service. */
export function bindMounts(service: string): [string, string][] {
  return (services[service].volumes ?? []).filter((v: string) => v.startsWith('./')).map((v: string) => v.split(':').slice(0, 2) as [string, string]);
}

/**
 * Exactly the environment the service's process gets in its container: the image's ENV, then the service's
 * `environment` (a bare name is the host's value, and unset here: no `.env`). No env_file is used (a test checks).
 */
export function containerEnv(service: string): Record<string, string> {
  const env: Record<string, string> = { ...imageDefaults().env };
  for (const [k, v] of Object.entries(environmentOf(service))) if (v !== null) env[k] = v;
  return env;
}

/** containerEnv with paths inside the service's bind mounts turned into the same files in this checkout. */
export function containerEnvOnThisHost(service: string): Record<string, string> {
  return withHostPaths(containerEnv(service), bindMounts(service).map(([host, target]) => [join(ROOT, host), target]));
}
