import { resolve } from 'node:path';
import { testInfra, testKafkaSettings, uniqueName } from '@closeloop/testing';
import { ScoringConfig, loadScoringConfig } from '../src/config';

/** A scoring test file's own schema, topic prefix and config (the test routing file or `routingFile`, a free port, logs silent). */
export function scoringTestEnvironment(name: string, opts: { routingFile?: string } = {}): { schema: string; settings: ReturnType<typeof testKafkaSettings>; cfg: ScoringConfig } {
  const schema = uniqueName(`${name.replace(/-/g, '_')}_it`);
  const settings = testKafkaSettings(name);
  const cfg = loadScoringConfig({
    KAFKA_BROKERS: settings.brokers.join(','),
    KAFKA_TOPIC_PREFIX: settings.topicPrefix,
    DATABASE_URL: testInfra().databaseUrl,
    CLOSELOOP_MASTER_KEY: testInfra().masterKey,
    DATABASE_SCHEMA: schema,
    CLOSELOOP_CONFIG: opts.routingFile ?? resolve(__dirname, 'fixtures/routing.yaml'),
    SCORING_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  return { schema, settings, cfg };
}
