import { resolve } from 'node:path';
import { ConfigError } from '@closeloop/platform';
import { loadTicketsConfig, parseApiTokens, tokenDigest } from './config';

const base = {
  KAFKA_BROKERS: 'localhost:9092',
  DATABASE_URL: 'postgres://u@localhost:5432/db',
  CLOSELOOP_CONFIG: resolve(__dirname, '../../../config/closeloop.yaml'),
  API_TOKENS: 'ayse:secret-token-1,noa:secret-token-2',
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
    expect(c.apiTokens.byDigest.get(tokenDigest('secret-token-2'))).toBe('noa');
    expect(c.apiTokens.agentIds).toEqual(['ayse', 'noa']);
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
      'API_TOKENS: the token of ayse (entry 1) is shorter than 8 characters; entry 2 is not agentId:token',
      'SLA_CHECK_INTERVAL_MS: must be an integer from 50 to 3600000, got "soon"',
    ]);
    expect(problems.join('\n')).not.toContain('Xq7z');
  });

  it('requires API_TOKENS', () => {
    expect(problemsOf({ ...base, API_TOKENS: '' })).toEqual(['API_TOKENS: required (comma-separated agentId:token pairs)']);
  });

  it('refuses agents that are not in the routing file', () => {
    expect(problemsOf({ ...base, API_TOKENS: 'ayse:secret-token-1,ghost:secret-token-9' })).toEqual([
      'API_TOKENS: agent "ghost" is not in the routing file\'s agents (ayse, mehmet, budi, noa, wei)',
    ]);
  });
});

describe('parseApiTokens', () => {
  it('splits on the first colon, trims, and refuses a token shared by two agents', () => {
    expect(parseApiTokens(' ayse : a:b:c:d:e:f , ').byDigest.get(tokenDigest('a:b:c:d:e:f'))).toBe('ayse');
    expect(() => parseApiTokens('ayse:same-token-1,noa:same-token-1')).toThrow('the token of noa (entry 2) is also used by ayse');
  });
});
