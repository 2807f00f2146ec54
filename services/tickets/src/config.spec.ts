import { resolve } from 'node:path';
import { ConfigError } from '@closeloop/platform';
import { loadTicketsConfig } from './config';

const base = {
  KAFKA_BROKERS: 'localhost:9092',
  DATABASE_URL: 'postgres://u@localhost:5432/db',
  CLOSELOOP_MASTER_KEY: 'Y2xvc2Vsb29wLWRldi1tYXN0ZXIta2V5LWNoYW5nZSE=',
  CLOSELOOP_CONFIG: resolve(__dirname, '../../../config/closeloop.yaml'),
  API_TOKENS: 'ayse:secret-token-0001,noa:secret-token-0002',
};

const problemsOf = (env: Record<string, string>) => {
  try {
    loadTicketsConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

describe('loadTicketsConfig', () => {
  it('reads defaults', () => {
    const c = loadTicketsConfig(base);
    expect(c.http).toEqual({ port: 3002, host: '127.0.0.1' });
    expect(c.database.schema).toBe('tickets');
    expect(c.slaCheckIntervalMs).toBe(5_000);
    expect(c.consoleUrl).toBeUndefined();
    expect(c.apiTokens.match('secret-token-0002')).toBe('noa');
    expect(c.apiTokens.ids).toEqual(['ayse', 'noa']);
  });

  it('takes DATABASE_SCHEMA, SLA_CHECK_INTERVAL_MS, TICKETS_PORT and CONSOLE_URL', () => {
    const c = loadTicketsConfig({ ...base, DATABASE_SCHEMA: 'tickets_test_1', SLA_CHECK_INTERVAL_MS: '250', TICKETS_PORT: '0', CONSOLE_URL: 'http://localhost:3000' });
    expect([c.database.schema, c.slaCheckIntervalMs, c.http.port, c.consoleUrl]).toEqual(['tickets_test_1', 250, 0, 'http://localhost:3000']);
  });

  it('lists every problem at once, never echoing a token', () => {
    const problems = problemsOf({ ...base, API_TOKENS: 'ayse:Xq7z,broken', DATABASE_SCHEMA: 'Bad-Schema', SLA_CHECK_INTERVAL_MS: 'soon', KAFKA_BROKERS: '' });
    expect(problems).toEqual([
      'KAFKA_BROKERS: required (comma-separated)',
      'DATABASE_SCHEMA: must be a lower-case SQL identifier (a-z, 0-9, _; at most 40 characters), got "Bad-Schema"',
      'API_TOKENS: the token of ayse (entry 1) is shorter than 16 characters; entry 2 is not agentId:token',
      'SLA_CHECK_INTERVAL_MS: must be an integer from 50 to 3600000, got "soon"',
    ]);
    expect(problems.join('\n')).not.toContain('Xq7z');
  });

  it('requires API_TOKENS', () => {
    expect(problemsOf({ ...base, API_TOKENS: '' })).toEqual(['API_TOKENS: required (comma-separated agentId:token pairs)']);
  });

  it('refuses agents that are not in the routing file', () => {
    expect(problemsOf({ ...base, API_TOKENS: 'ayse:secret-token-0001,ghost:secret-token-0009' })).toEqual([
      'API_TOKENS: agent "ghost" is not in the routing file\'s agents (ayse, mehmet, budi, noa, wei, emre, dewi)',
    ]);
  });
});
