import { agentById, missingSourceEnv, type Source } from '@closeloop/contracts';
import { Env, checkSaslComplete, databaseEnv, env, httpEnv, kafkaEnv, loadConfig, logEnv, parseAgentTokens, parseKeyList, routingEnv, privacyEnv } from '@closeloop/platform';
import { deliveryBounds } from './sources/deliveries/bounds';

export const SERVICE = 'ingest';
/** The schema ingest owns in the shared database, unless DATABASE_SCHEMA says otherwise (tests use a schema each). */
export const DEFAULT_SCHEMA = 'ingest';

/** SPEC §4: request bodies over 1 MiB are refused with 413. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** SPEC §4: at most 500 items per batch. */
export const MAX_BATCH_ITEMS = 500;

export function loadIngestConfig(source: Env = process.env) {
  const cfg = loadConfig(
    {
      http: httpEnv('INGEST_PORT', 3001),
      kafka: kafkaEnv(),
      database: databaseEnv(DEFAULT_SCHEMA),
      privacy: privacyEnv(),
      log: logEnv(),
      /** `key,key`: at least one, each at least MIN_TOKEN_LENGTH characters, none with whitespace */
      apiKeys: env.custom('INGEST_API_KEYS', parseKeyList),
      /** SPEC §3: the agents' tokens; they read the sources' records and replay kept payloads (the ops API). */
      apiTokens: env.custom('API_TOKENS', parseAgentTokens),
      rateLimit: {
        /** Requests per second per API key; 0 turns the limit off. */
        perSecond: env.int('INGEST_RATE_LIMIT', 200, { min: 0, max: 1_000_000 }),
        /** Bucket size: how many requests a key may send at once after being idle. Default: one second's worth. */
        burst: env.custom('INGEST_RATE_BURST', (v) => {
          if (v === undefined) return undefined;
          const n = Number(v);
          if (!Number.isInteger(n) || n < 1 || n > 10_000_000) throw new Error(`must be an integer from 1 to 10000000, got "${v}"`);
          return n;
        }),
      },
      /** How long a request waits for Kafka's acknowledgement before it is answered 503. */
      kafkaTimeoutMs: env.int('INGEST_KAFKA_TIMEOUT_MS', 10_000, { min: 100, max: 120_000 }),
      /** The routing file: its `sources` (SPEC §10) are the survey tools that post to ingest. */
      routing: routingEnv(),
      /** How long one request to a survey tool's API (qualtrics, surveymonkey answers) may take before it counts as failed. */
      sourceFetchTimeoutMs: env.int('INGEST_SOURCE_FETCH_TIMEOUT_MS', 3_000, { min: 100, max: 60_000 }),
      /** What ops see of the deliveries (SPEC §10), bounded: the latest rows per source, and none older than the days. */
      deliveries: {
        perSource: env.int('INGEST_DELIVERIES_PER_SOURCE', 500, { min: 1, max: 100_000 }),
        maxAgeDays: env.int('INGEST_DELIVERIES_DAYS', 7, { min: 1, max: 366 }),
      },
      /** Unmappable payloads kept for replay, bounded the same way (the oldest dropped, and counted). */
      kept: {
        perSource: env.int('INGEST_KEPT_PER_SOURCE', 1_000, { min: 1, max: 100_000 }),
        maxAgeDays: env.int('INGEST_KEPT_DAYS', 30, { min: 1, max: 366 }),
      },
    },
    source,
    SERVICE,
    // Every source's secretEnv / api.tokenEnv must be set: a source that cannot check a signature must not start.
    (c) => [
      ...checkSaslComplete(c.kafka),
      ...missingSourceEnv(c.routing.sources, source),
      ...c.apiTokens.ids
        .filter((id) => !agentById(c.routing, id))
        .map((id) => `API_TOKENS: agent "${id}" is not in the routing file's agents (${c.routing.agents.map((a) => a.id).join(', ') || 'none'})`),
    ],
  );
  return {
    ...cfg,
    sourceSecrets: sourceSecrets(cfg.routing.sources, source),
    deliveryBounds: deliveryBounds({
      deliveriesPerSource: cfg.deliveries.perSource, deliveryMaxAgeDays: cfg.deliveries.maxAgeDays,
      keptPerSource: cfg.kept.perSource, keptMaxAgeDays: cfg.kept.maxAgeDays,
    }, MAX_BODY_BYTES),
    rateLimit: { perSecond: cfg.rateLimit.perSecond, burst: cfg.rateLimit.burst ?? Math.max(1, cfg.rateLimit.perSecond) },
  };
}
/** What each source is checked and fetched with, read once at start (the start-up check above made sure each is set). */
export interface SourceSecrets {
  secret: string;
  token?: string;
}

function sourceSecrets(sources: readonly Source[], env: Env): ReadonlyMap<string, SourceSecrets> {
  return new Map(sources.map((s) => {
    const token = s.api ? env[s.api.tokenEnv] : undefined;
    return [s.id, { secret: env[s.secretEnv] ?? '', ...(token !== undefined && { token }) }];
  }));
}

export type IngestConfig = ReturnType<typeof loadIngestConfig>;
