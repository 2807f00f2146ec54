/**
 * `npm start`'s pure rules (scripts/lib): where each credential comes from and what is saved, and the URLs it polls
 * and prints for the HOST and *_PORT variables it passes to the services.
 */
const { resolveCredentials, describeOrigin } = require('../../scripts/lib/dev-credentials.cjs') as {
  resolveCredentials(input: { env: Record<string, string | undefined>; saved: Record<string, string>; agentIds: string[]; generate?: (p: string) => string }): {
    ingestKeys: string; apiTokens: string; origin: { ingestKeys: string; apiTokens: string }; toSave: Record<string, string> | null;
  };
  describeOrigin(origin: string): string;
};
const { localUrls } = require('../../scripts/lib/stack.cjs') as { localUrls(env: Record<string, string | undefined>): Record<string, string> };

const generate = (prefix: string) => `${prefix}NEW`;
const agents = ['ayse', 'mehmet'];

describe('npm start credentials', () => {
  it.each([
    ['nothing anywhere: both generated and saved', {}, {},
      { ingestKeys: 'ik_NEW', apiTokens: 'ayse:at_NEW,mehmet:at_NEW', origin: { ingestKeys: 'generated', apiTokens: 'generated' },
        toSave: { INGEST_API_KEYS: 'ik_NEW', API_TOKENS: 'ayse:at_NEW,mehmet:at_NEW' } }],
    ['both saved earlier: reused, file unchanged', {}, { INGEST_API_KEYS: 'ik_old', API_TOKENS: 'ayse:a,mehmet:m' },
      { ingestKeys: 'ik_old', apiTokens: 'ayse:a,mehmet:m', origin: { ingestKeys: 'saved', apiTokens: 'saved' }, toSave: null }],
    ['both from the environment: never written', { INGEST_API_KEYS: 'ik_env', API_TOKENS: 'ayse:e1,mehmet:e2' }, {},
      { ingestKeys: 'ik_env', apiTokens: 'ayse:e1,mehmet:e2', origin: { ingestKeys: 'environment', apiTokens: 'environment' }, toSave: null }],
    ['key from the environment, tokens generated: only the tokens are written', { INGEST_API_KEYS: 'ik_env' }, {},
      { ingestKeys: 'ik_env', apiTokens: 'ayse:at_NEW,mehmet:at_NEW', origin: { ingestKeys: 'environment', apiTokens: 'generated' },
        toSave: { API_TOKENS: 'ayse:at_NEW,mehmet:at_NEW' } }],
    ['tokens from the environment, earlier saved key kept in the file as it was', { API_TOKENS: 'ayse:e1' }, { INGEST_API_KEYS: 'ik_old' },
      { ingestKeys: 'ik_old', apiTokens: 'ayse:e1', origin: { ingestKeys: 'saved', apiTokens: 'environment' }, toSave: null }],
    ['saved tokens missing an agent of the routing file: regenerated', {}, { INGEST_API_KEYS: 'ik_old', API_TOKENS: 'ayse:a' },
      { ingestKeys: 'ik_old', apiTokens: 'ayse:at_NEW,mehmet:at_NEW', origin: { ingestKeys: 'saved', apiTokens: 'generated' },
        toSave: { INGEST_API_KEYS: 'ik_old', API_TOKENS: 'ayse:at_NEW,mehmet:at_NEW' } }],
    ['an agent id that is only a prefix of a saved one does not count', {}, { INGEST_API_KEYS: 'ik_old', API_TOKENS: 'ayse2:a,mehmet:m' },
      { ingestKeys: 'ik_old', apiTokens: 'ayse:at_NEW,mehmet:at_NEW', origin: { ingestKeys: 'saved', apiTokens: 'generated' },
        toSave: { INGEST_API_KEYS: 'ik_old', API_TOKENS: 'ayse:at_NEW,mehmet:at_NEW' } }],
    ['an empty variable counts as not given', { INGEST_API_KEYS: ' ' }, { INGEST_API_KEYS: 'ik_old', API_TOKENS: 'ayse:a,mehmet:m' },
      { ingestKeys: 'ik_old', apiTokens: 'ayse:a,mehmet:m', origin: { ingestKeys: 'saved', apiTokens: 'saved' }, toSave: null }],
  ])('%s', (_name, env, saved, expected) => {
    expect(resolveCredentials({ env, saved, agentIds: agents, generate })).toEqual(expected);
  });

  it.each([
    ['environment', 'from the environment'],
    ['generated', 'generated; kept in .closeloop/dev-credentials.json'],
    ['saved', 'kept in .closeloop/dev-credentials.json'],
  ])('labels %s as "%s"', (origin, label) => {
    expect(describeOrigin(origin)).toBe(label);
  });
});

describe('npm start URLs', () => {
  it.each([
    ['defaults', {}, { ingest: 'http://127.0.0.1:3001', tickets: 'http://127.0.0.1:3002', console: 'http://127.0.0.1:3000' }],
    ['configured ports', { INGEST_PORT: '4001', TICKETS_PORT: '4002', CONSOLE_PORT: '4000' },
      { ingest: 'http://127.0.0.1:4001', tickets: 'http://127.0.0.1:4002', console: 'http://127.0.0.1:4000' }],
    ['HOST binding every address: loopback', { HOST: '0.0.0.0', SCORING_PORT: '4004' }, { scoring: 'http://127.0.0.1:4004' }],
    ['HOST one address', { HOST: '10.1.2.3' }, { notification: 'http://10.1.2.3:3003' }],
    ['HOST an IPv6 address', { HOST: '::1' }, { ingest: 'http://[::1]:3001' }],
  ])('%s', (_name, env, expected) => {
    expect(localUrls(env)).toMatchObject(expected);
  });
});
