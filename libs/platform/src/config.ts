import { DEFAULT_ROUTING_CONFIG_PATH, loadRoutingConfig } from '@closeloop/contracts';
import { parseMasterKey } from './privacy/master-key';
/**
 * One config loader for every service: env → typed object, validated all at once.
 * A service that has any bad or missing variable refuses to start with ONE message listing every problem.
 */
export type Env = Record<string, string | undefined>;
type Read<T> = (env: Env) => { value: T } | { error: string };

export class ConfigError extends Error {
  constructor(public readonly problems: string[], service = 'service') {
    super(`${service} cannot start, its configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function raw(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

export const env = {
  string(name: string, opts: { default?: string; required?: boolean } = {}): Read<string | undefined> {
    return (e) => {
      const v = raw(e, name) ?? opts.default;
      if (v === undefined && opts.required) return { error: `${name}: required` };
      return { value: v };
    };
  },
  required(name: string): Read<string> {
    return env.string(name, { required: true }) as Read<string>;
  },
  int(name: string, def: number, opts: { min?: number; max?: number } = {}): Read<number> {
    return (e) => {
      const v = raw(e, name);
      if (v === undefined) return { value: def };
      const n = Number(v);
      if (!Number.isInteger(n) || (opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
        return { error: `${name}: must be an integer${opts.min !== undefined ? ` from ${opts.min}` : ''}${opts.max !== undefined ? ` to ${opts.max}` : ''}, got "${v}"` };
      }
      return { value: n };
    };
  },
  port(name: string, def: number): Read<number> {
    return env.int(name, def, { min: 0, max: 65535 });
  },
  bool(name: string, def: boolean): Read<boolean> {
    return (e) => {
      const v = raw(e, name)?.toLowerCase();
      if (v === undefined) return { value: def };
      if (['1', 'true', 'yes', 'on'].includes(v)) return { value: true };
      if (['0', 'false', 'no', 'off'].includes(v)) return { value: false };
      return { error: `${name}: must be true or false, got "${v}"` };
    };
  },
  list(name: string, opts: { required?: boolean; default?: string[] } = {}): Read<string[]> {
    return (e) => {
      const v = raw(e, name);
      if (v === undefined) return opts.required ? { error: `${name}: required (comma-separated)` } : { value: opts.default ?? [] };
      return { value: v.split(',').map((s) => s.trim()).filter(Boolean) };
    };
  },
  oneOf<T extends string>(name: string, values: readonly T[], def: T): Read<T> {
    return (e) => {
      const v = raw(e, name);
      if (v === undefined) return { value: def };
      if (!values.includes(v as T)) return { error: `${name}: must be one of ${values.join(', ')}, got "${v}"` };
      return { value: v as T };
    };
  },
  url(name: string, opts: { default?: string; required?: boolean; protocols?: string[] } = {}): Read<string | undefined> {
    return (e) => {
      const v = raw(e, name) ?? opts.default;
      if (v === undefined) return opts.required ? { error: `${name}: required` } : { value: undefined };
      try {
        const u = new URL(v);
        if (opts.protocols && !opts.protocols.includes(u.protocol.replace(/:$/, ''))) {
          return { error: `${name}: must be a ${opts.protocols.join(' or ')} URL, got "${u.protocol}"` };
        }
      } catch {
        return { error: `${name}: not a URL` };
      }
      return { value: v };
    };
  },
  /** A custom reader: `parse` returns the value or throws an Error whose message is the reason. */
  custom<T>(name: string, parse: (value: string | undefined) => T): Read<T> {
    return (e) => {
      try {
        return { value: parse(raw(e, name)) };
      } catch (err) {
        return { error: `${name}: ${(err as Error).message}` };
      }
    };
  },
};

type Spec = Record<string, Read<unknown> | Record<string, Read<unknown>>>;
type Out<S> = { [K in keyof S]: S[K] extends Read<infer T> ? T : S[K] extends Record<string, Read<unknown>> ? Out<S[K]> : never };

/** Reads every variable of `spec`; returns the typed config, or throws one ConfigError naming every problem. */
export function loadConfig<S extends Spec>(spec: S, source: Env = process.env, service?: string, extraChecks: (cfg: Out<S>) => string[] = () => []): Out<S> {
  const problems: string[] = [];
  const walk = (s: Spec): any => {
    const out: Record<string, unknown> = {};
    for (const [k, r] of Object.entries(s)) {
      if (typeof r === 'function') {
        const res = r(source);
        if ('error' in res) problems.push(res.error);
        else out[k] = res.value;
      } else out[k] = walk(r as Spec);
    }
    return out;
  };
  const cfg = walk(spec) as Out<S>;
  if (!problems.length) problems.push(...extraChecks(cfg));
  if (problems.length) throw new ConfigError(problems, service);
  return cfg;
}

/** Shared pieces, so every service names its variables the same way (SPEC §3). */
export const kafkaEnv = () => ({
  brokers: env.list('KAFKA_BROKERS', { required: true }),
  topicPrefix: env.custom('KAFKA_TOPIC_PREFIX', (v) => {
    if (v !== undefined && !/^[A-Za-z0-9._-]+$/.test(v)) throw new Error('only letters, digits, ".", "_" and "-"');
    return v ?? '';
  }),
  ssl: env.bool('KAFKA_SSL', false),
  sslCaFile: env.string('KAFKA_SSL_CA_FILE'),
  saslMechanism: env.custom('KAFKA_SASL_MECHANISM', (v) => {
    if (v !== undefined && !['plain', 'scram-sha-256', 'scram-sha-512'].includes(v)) throw new Error('must be plain, scram-sha-256 or scram-sha-512');
    return v as 'plain' | 'scram-sha-256' | 'scram-sha-512' | undefined;
  }),
  saslUsername: env.string('KAFKA_SASL_USERNAME'),
  saslPassword: env.string('KAFKA_SASL_PASSWORD'),
});

/**
 * DATABASE_URL, DATABASE_POOL_SIZE and DATABASE_SCHEMA (default: the service's own schema; tests use a unique one per
 * file). The schema is a plain lower-case identifier of at most 40 characters: it is quoted into DDL, and the outbox's
 * NOTIFY channel (`closeloop_outbox_<schema>`) must stay under Postgres' 63-character limit.
 */
export const databaseEnv = (defaultSchema: string) => ({
  url: env.url('DATABASE_URL', { required: true, protocols: ['postgres', 'postgresql'] }) as Read<string>,
  poolSize: env.int('DATABASE_POOL_SIZE', 10, { min: 1, max: 200 }),
  schema: env.custom('DATABASE_SCHEMA', (v) => {
    const schema = v ?? defaultSchema;
    if (!/^[a-z_][a-z0-9_]{0,39}$/.test(schema)) throw new Error(`must be a lower-case SQL identifier (a-z, 0-9, _; at most 40 characters), got "${schema}"`);
    return schema;
  }),
});

export const httpEnv = (portVar: string, defaultPort: number) => ({
  port: env.port(portVar, defaultPort),
  host: env.string('HOST', { default: '127.0.0.1' }) as Read<string>,
});

export const logEnv = () => ({
  level: env.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
});

export function checkSaslComplete(k: { saslMechanism?: string; saslUsername?: string; saslPassword?: string }): string[] {
  if (!k.saslMechanism) return [];
  const missing = [!k.saslUsername && 'KAFKA_SASL_USERNAME', !k.saslPassword && 'KAFKA_SASL_PASSWORD'].filter(Boolean);
  return missing.map((m) => `${m}: required when KAFKA_SASL_MECHANISM is set`);
}

/** CLOSELOOP_CONFIG → the validated routing file; its own problems are listed in the one start-up message. */
export const routingEnv = () =>
  env.custom('CLOSELOOP_CONFIG', (v) => loadRoutingConfig(v ?? DEFAULT_ROUTING_CONFIG_PATH));

/**
 * CLOSELOOP_MASTER_KEY (SPEC §3, §13): required, base64 of 32 bytes; it wraps the customers' data keys.
 * CLOSELOOP_PREVIOUS_MASTER_KEY: only during a rotation (ADR 0024), the key being replaced, so keys not yet re-wrapped
 * still open. CLOSELOOP_KEY_CACHE_MS: how long keys stay in memory (default 60 s).
 */
export const privacyEnv = () => ({
  current: env.custom('CLOSELOOP_MASTER_KEY', parseMasterKey),
  previous: env.custom('CLOSELOOP_PREVIOUS_MASTER_KEY', (v) => (v === undefined ? undefined : parseMasterKey(v))),
  /** how long an unwrapped data key (or its absence) is kept in memory: an erasure reaches every instance within it */
  keyCacheMs: env.int('CLOSELOOP_KEY_CACHE_MS', 60_000, { min: 0, max: 3_600_000 }),
});
