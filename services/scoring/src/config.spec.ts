import { resolve } from 'node:path';
import { ConfigError } from '@closeloop/platform';
import { loadScoringConfig } from './config';

const env = (extra: Record<string, string> = {}) => ({
  KAFKA_BROKERS: '127.0.0.1:9092',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/closeloop',
  CLOSELOOP_MASTER_KEY: 'Y2xvc2Vsb29wLWRldi1tYXN0ZXIta2V5LWNoYW5nZSE=',
  CLOSELOOP_CONFIG: resolve(__dirname, '../test/fixtures/routing.yaml'),
  ...extra,
});

describe('loadScoringConfig', () => {
  it('defaults: port 3004 on 127.0.0.1, schema "scoring"', () => {
    const cfg = loadScoringConfig(env());
    expect(cfg.http).toEqual({ port: 3004, host: '127.0.0.1' });
    expect(cfg.database).toMatchObject({ schema: 'scoring', poolSize: 10 });
    expect(cfg.routing.defaults.team).toBe('cx');
  });

  it('DATABASE_SCHEMA moves the tables to another schema', () => {
    expect(loadScoringConfig(env({ DATABASE_SCHEMA: 'scoring_it_1a2b' })).database.schema).toBe('scoring_it_1a2b');
  });

  it.each(['Scoring', 'scoring-test', '1scoring', 'a'.repeat(41), 'x"; DROP SCHEMA public; --'])('refuses DATABASE_SCHEMA=%s', (schema) => {
    expect(() => loadScoringConfig(env({ DATABASE_SCHEMA: schema }))).toThrow(/DATABASE_SCHEMA: must be a lower-case SQL identifier/);
  });

  it('lists every problem at once', () => {
    try {
      loadScoringConfig({ DATABASE_SCHEMA: 'Bad', SCORING_PORT: 'x', CLOSELOOP_CONFIG: resolve(__dirname, '../test/fixtures/routing.yaml') });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual([
        expect.stringMatching(/^SCORING_PORT/),
        expect.stringMatching(/^KAFKA_BROKERS: required/),
        expect.stringMatching(/^DATABASE_URL: required/),
        expect.stringMatching(/^DATABASE_SCHEMA/),
        expect.stringMatching(/^CLOSELOOP_MASTER_KEY: required/),
      ]);
    }
  });
});
