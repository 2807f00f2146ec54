import { checkSaslComplete, databaseEnv, httpEnv, kafkaEnv, loadConfig, logEnv, routingEnv, privacyEnv } from '@closeloop/platform';

export const SERVICE = 'scoring';
/** The schema scoring owns in the shared database, unless DATABASE_SCHEMA says otherwise. */
export const DEFAULT_SCHEMA = 'scoring';


export function loadScoringConfig(source: NodeJS.ProcessEnv = process.env) {
  return loadConfig(
    {
      http: httpEnv('SCORING_PORT', 3004),
      kafka: kafkaEnv(),
      database: databaseEnv(DEFAULT_SCHEMA),
      privacy: privacyEnv(),
      log: logEnv(),
      routing: routingEnv(),
    },
    source,
    SERVICE,
    (c) => checkSaslComplete(c.kafka),
  );
}
export type ScoringConfig = ReturnType<typeof loadScoringConfig>;
