import { checkSaslComplete, databaseEnv, env, httpEnv, kafkaEnv, loadConfig, logEnv, routingEnv } from '@closeloop/platform';

export const SERVICE = 'scoring';
/** The schema scoring owns in the shared database, unless DATABASE_SCHEMA says otherwise. */
export const DEFAULT_SCHEMA = 'scoring';

/**
 * DATABASE_SCHEMA (optional): the schema this service's tables live in. Production keeps the default; tests set a
 * unique one per test file, since every test file of a run shares one database. A plain lower-case identifier of at
 * most 40 characters: it is quoted into DDL, and the outbox's NOTIFY channel (`closeloop_outbox_<schema>`) must stay
 * under Postgres' 63-character limit.
 */
export const schemaEnv = (defaultSchema: string) =>
  env.custom('DATABASE_SCHEMA', (v) => {
    const schema = v ?? defaultSchema;
    if (!/^[a-z_][a-z0-9_]{0,39}$/.test(schema)) throw new Error(`must be a lower-case SQL identifier (a-z, 0-9, _; at most 40 characters), got "${schema}"`);
    return schema;
  });

/** DATABASE_URL, DATABASE_POOL_SIZE and DATABASE_SCHEMA: all migrate.ts needs. */
export const scoringDatabaseEnv = () => ({ ...databaseEnv(), schema: schemaEnv(DEFAULT_SCHEMA) });

export function loadScoringConfig(source: NodeJS.ProcessEnv = process.env) {
  return loadConfig(
    {
      http: httpEnv('SCORING_PORT', 3004),
      kafka: kafkaEnv(),
      database: scoringDatabaseEnv(),
      log: logEnv(),
      routing: routingEnv(),
    },
    source,
    SERVICE,
    (c) => checkSaslComplete(c.kafka),
  );
}
export type ScoringConfig = ReturnType<typeof loadScoringConfig>;
