import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@closeloop/platform';
import { loadIngestConfig } from './config';

const base = { KAFKA_BROKERS: '127.0.0.1:9092', DATABASE_URL: 'postgres://closeloop@127.0.0.1:5432/closeloop', CLOSELOOP_MASTER_KEY: 'Y2xvc2Vsb29wLWRldi1tYXN0ZXIta2V5LWNoYW5nZSE=', INGEST_API_KEYS: 'first-key-0123456789, second-key-0123456789', API_TOKENS: 'ayse:agent-token-0123456789' };

describe('loadIngestConfig', () => {
  it('has the SPEC defaults', () => {
    const cfg = loadIngestConfig(base);
    expect(cfg.http).toEqual({ port: 3001, host: '127.0.0.1' });
    expect([cfg.apiKeys.match('first-key-0123456789'), cfg.apiKeys.match('second-key-0123456789'), cfg.apiKeys.match('k1')]).toEqual(['key-1', 'key-2', null]);
    expect(cfg.rateLimit).toEqual({ perSecond: 200, burst: 200 });
    expect(cfg.kafkaTimeoutMs).toBe(10_000);
    expect(cfg.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(cfg.database).toEqual({ url: 'postgres://closeloop@127.0.0.1:5432/closeloop', poolSize: 10, schema: 'ingest' });
  });

  it('reads overrides', () => {
    const cfg = loadIngestConfig({ ...base, INGEST_PORT: '4001', HOST: '0.0.0.0', INGEST_RATE_LIMIT: '0', INGEST_RATE_BURST: '5', INGEST_KAFKA_TIMEOUT_MS: '2000' });
    expect(cfg.http).toEqual({ port: 4001, host: '0.0.0.0' });
    expect(cfg.rateLimit).toEqual({ perSecond: 0, burst: 5 });
    expect(cfg.kafkaTimeoutMs).toBe(2_000);
  });

  it('lists every problem in one message', () => {
    let err: unknown;
    try {
      loadIngestConfig({ INGEST_PORT: 'abc', INGEST_RATE_LIMIT: '-1', INGEST_RATE_BURST: '0', INGEST_KAFKA_TIMEOUT_MS: '5', LOG_LEVEL: 'loud' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.map((p) => p.split(':')[0]).sort();
    expect(problems).toEqual(['API_TOKENS', 'CLOSELOOP_MASTER_KEY', 'DATABASE_URL', 'INGEST_API_KEYS', 'INGEST_KAFKA_TIMEOUT_MS', 'INGEST_PORT', 'INGEST_RATE_BURST', 'INGEST_RATE_LIMIT', 'KAFKA_BROKERS', 'LOG_LEVEL'].sort());
    expect((err as Error).message).toMatch(/^ingest cannot start, its configuration has 10 problem\(s\)/);
  });

  it.each([
    [',', 'INGEST_API_KEYS: required (comma-separated API keys)'],
    ['good-key-0123456789, has space', 'INGEST_API_KEYS: key 2 contains whitespace'],
    ['good-key-0123456789,short-key', 'INGEST_API_KEYS: key 2 is shorter than 16 characters'],
  ])('refuses INGEST_API_KEYS=%j', (keys, message) => {
    expect(() => loadIngestConfig({ ...base, INGEST_API_KEYS: keys })).toThrow(message);
  });

  it('never puts a key in the error message', () => {
    expect(() => loadIngestConfig({ ...base, INGEST_API_KEYS: 'secret-one-0123456789,secret two,secret-3' })).toThrow(/^(?!.*secret)/s);
  });
});

describe('loadIngestConfig: the ops API and the delivery records', () => {
  it('bounds the records by default as the README says, and reads overrides', () => {
    const day = 24 * 60 * 60 * 1000;
    expect(loadIngestConfig(base).deliveryBounds).toEqual({
      deliveriesPerSource: 500, deliveryMaxAgeMs: 7 * day, keptPerSource: 1000, keptMaxAgeMs: 30 * day, keptFetchedMaxBytes: 1024 * 1024, countsMaxAgeMs: 31 * day,
    });
    const cfg = loadIngestConfig({ ...base, INGEST_DELIVERIES_PER_SOURCE: '3', INGEST_DELIVERIES_DAYS: '2', INGEST_KEPT_PER_SOURCE: '2', INGEST_KEPT_DAYS: '1' });
    expect(cfg.deliveryBounds).toMatchObject({ deliveriesPerSource: 3, deliveryMaxAgeMs: 2 * day, keptPerSource: 2, keptMaxAgeMs: day });
  });

  const problemsOf = (env: Record<string, string>) => {
    try {
      loadIngestConfig(env);
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
    return [];
  };

  it('refuses bad bounds, naming each variable', () => {
    expect(problemsOf({ ...base, INGEST_KEPT_PER_SOURCE: '0', INGEST_DELIVERIES_DAYS: 'week' }).map((p) => p.split(':')[0]).sort())
      .toEqual(['INGEST_DELIVERIES_DAYS', 'INGEST_KEPT_PER_SOURCE']);
  });

  it('refuses a token of an agent the routing file does not name, without the token', () => {
    const problems = problemsOf({ ...base, API_TOKENS: 'nobody:agent-token-0123456789' });
    expect(problems).toEqual([expect.stringMatching(/^API_TOKENS: agent "nobody" is not in the routing file's agents/)]);
    expect(problems.join()).not.toContain('agent-token-0123456789');
  });
});

describe('loadIngestConfig: sources (SPEC §10)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingest-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const routing = join(dir, 'closeloop.yaml');
  writeFileSync(routing, `
defaults: { team: cx, alertAt: { nps: 6, csat: 2, ces: 3 } }
teams: [{ id: cx, sla: { firstResponse: PT1H, resolve: PT48H } }]
rootCauses: [other]
agents: [{ id: ayse, name: Ayse, team: cx }]
sources:
  - { id: tf-checkout, kind: typeform, secretEnv: TF_CHECKOUT_SECRET, touchpoint: checkout, fields: { score: nps_q } }
  - { id: qx, kind: qualtrics, secretEnv: QX_KEY, touchpoint: branch, fields: { score: QID1 }, api: { url: "https://fra1.qualtrics.com", tokenEnv: QX_TOKEN } }
`);

  it('reads the sources of the routing file when every secret variable is set', () => {
    const cfg = loadIngestConfig({ ...base, CLOSELOOP_CONFIG: routing, TF_CHECKOUT_SECRET: 's', QX_KEY: 'k', QX_TOKEN: 't' });
    expect(cfg.routing.sources.map((s) => s.id)).toEqual(['tf-checkout', 'qx']);
    expect(cfg.sourceSecrets).toEqual(new Map([['tf-checkout', { secret: 's' }], ['qx', { secret: 'k', token: 't' }]]));
  });

  it('refuses to start listing every missing secretEnv and api.tokenEnv', () => {
    let err: unknown;
    try {
      loadIngestConfig({ ...base, CLOSELOOP_CONFIG: routing, QX_KEY: 'k' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'TF_CHECKOUT_SECRET: required by sources[0] (tf-checkout) as its secretEnv',
      'QX_TOKEN: required by sources[1] (qx) as its api.tokenEnv',
    ]);
  });
});
