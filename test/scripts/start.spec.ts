/**
 * `npm start`'s pure rules (scripts/lib): where each credential comes from and what is saved, the routing file it runs
 * with (the repository's plus the demo sources), and the URLs it polls and prints for the HOST and *_PORT variables
 * it passes to the services.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOURCE_KINDS, missingSourceEnv, parseRoutingConfig } from '@closeloop/contracts';
const { resolveCredentials, resolveSourceSecrets, resolveMasterKey, describeOrigin } = require('../../scripts/lib/dev-credentials.cjs') as {
  resolveCredentials(input: { env: Record<string, string | undefined>; saved: Record<string, string>; agentIds: string[]; generate?: (p: string) => string }): {
    ingestKeys: string; apiTokens: string; origin: { ingestKeys: string; apiTokens: string }; toSave: Record<string, string> | null;
  };
  resolveSourceSecrets(input: {
    env: Record<string, string | undefined>; saved: Record<string, string>; generate?: (p: string) => string;
    sources: { id: string; kind: string; secretEnv: string; api?: { tokenEnv: string } }[];
  }): { values: Record<string, string>; origin: Record<string, string>; toSave: Record<string, string> | null };
  resolveMasterKey(input: { env: Record<string, string | undefined>; saved: Record<string, string>; generate?: () => string }): {
    value: string; origin: string; toSave: Record<string, string> | null;
  };
  describeOrigin(origin: string): string;
};
const { withDemoSources } = require('../../scripts/lib/demo-routing.cjs') as {
  withDemoSources(input: { routing: string; demoSources: string }): { text: string; added: boolean };
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

describe('npm start: the secrets of the routing file\'s sources', () => {
  const sources = [
    { id: 'tf', kind: 'typeform', secretEnv: 'TF_SECRET' },
    { id: 'fb', kind: 'formbricks', secretEnv: 'FB_SECRET' },
    { id: 'ql', kind: 'qualtrics', secretEnv: 'QL_KEY', api: { tokenEnv: 'QL_TOKEN' } },
    { id: 'tf-2', kind: 'typeform', secretEnv: 'TF_SECRET' },
  ];
  const whsecNew = `whsec_${Buffer.from('NEW').toString('base64')}`;

  it.each([
    ['nothing anywhere: each secretEnv and tokenEnv generated once and saved (Formbricks\' as whsec_ + base64)', {}, {},
      { values: { TF_SECRET: 'ss_NEW', FB_SECRET: whsecNew, QL_KEY: 'ss_NEW', QL_TOKEN: 'st_NEW' },
        origin: { TF_SECRET: 'generated', FB_SECRET: 'generated', QL_KEY: 'generated', QL_TOKEN: 'generated' },
        toSave: { TF_SECRET: 'ss_NEW', FB_SECRET: whsecNew, QL_KEY: 'ss_NEW', QL_TOKEN: 'st_NEW' } }],
    ['given in the environment: used, never written; saved ones reused; only the rest generated', { TF_SECRET: 'from-env', QL_TOKEN: ' ' }, { FB_SECRET: 'whsec_old', QL_KEY: 'old' },
      { values: { TF_SECRET: 'from-env', FB_SECRET: 'whsec_old', QL_KEY: 'old', QL_TOKEN: 'st_NEW' },
        origin: { TF_SECRET: 'environment', FB_SECRET: 'saved', QL_KEY: 'saved', QL_TOKEN: 'generated' },
        toSave: { QL_TOKEN: 'st_NEW' } }],
  ])('%s', (_name, env, saved, expected) => {
    expect(resolveSourceSecrets({ env, saved, sources, generate })).toEqual(expected);
  });

  it('no sources: nothing to set or save', () => {
    expect(resolveSourceSecrets({ env: {}, saved: {}, sources: [], generate })).toEqual({ values: {}, origin: {}, toSave: null });
  });
});

describe('npm start: CLOSELOOP_MASTER_KEY (ADR 0024)', () => {
  it.each([
    ['nothing anywhere: generated and saved', {}, {}, { value: 'MK_NEW', origin: 'generated', toSave: { CLOSELOOP_MASTER_KEY: 'MK_NEW' } }],
    ['saved by an earlier run: reused (it wraps the keys of the kept database)', {}, { CLOSELOOP_MASTER_KEY: 'MK_OLD' },
      { value: 'MK_OLD', origin: 'saved', toSave: null }],
    ['given in the environment: used, never written', { CLOSELOOP_MASTER_KEY: ' MK_ENV ' }, { CLOSELOOP_MASTER_KEY: 'MK_OLD' },
      { value: 'MK_ENV', origin: 'environment', toSave: null }],
  ])('%s', (_name, env, saved, expected) => {
    expect(resolveMasterKey({ env, saved, generate: () => 'MK_NEW' })).toEqual(expected);
  });

  it('generates base64 of 32 random bytes, a new one each time', () => {
    const [a, b] = [resolveMasterKey({ env: {}, saved: {} }).value, resolveMasterKey({ env: {}, saved: {} }).value];
    expect(Buffer.from(a, 'base64')).toHaveLength(32);
    expect(a).not.toBe(b);
  });
});

describe('npm start: the routing file with the demo sources', () => {
  const read = (file: string) => readFileSync(join(__dirname, '../../config', file), 'utf8');

  it('is config/closeloop.yaml plus one valid demo source per kind, whose variables npm start generates as ingest requires them', () => {
    const { text, added } = withDemoSources({ routing: read('closeloop.yaml'), demoSources: read('demo-sources.yaml') });
    expect(added).toBe(true);
    const parsed = parseRoutingConfig(text, 'closeloop.yaml + demo-sources.yaml');
    if (!parsed.ok) throw new Error(parsed.message);
    const { sources } = parsed.config;
    expect(sources.map((s) => s.kind).sort()).toEqual([...SOURCE_KINDS].sort());
    for (const s of sources) expect(s.id).toMatch(/^demo-/);
    // the fetching kinds' answers come from the stand-ins npm run demo starts on this machine
    for (const s of sources.filter((x) => x.api)) expect(new URL(s.api?.url as string).hostname).toBe('127.0.0.1');
    const { values } = resolveSourceSecrets({ env: {}, saved: {}, sources, generate });
    expect(missingSourceEnv(sources, values)).toEqual([]);
    // the rest of the routing file is the repository's, as it is
    const plain = parseRoutingConfig(read('closeloop.yaml'));
    if (!plain.ok) throw new Error(plain.message);
    expect({ ...parsed.config, sources: [] }).toEqual(plain.config);
  });

  it('config/closeloop.yaml declares no sources: compose, Kubernetes and the tests that load it need no source variables', () => {
    const plain = parseRoutingConfig(read('closeloop.yaml'));
    expect(plain.ok && plain.config.sources).toEqual([]);
  });

  it('a routing file with sources of its own is used as it is', () => {
    const routing = 'defaults: {}\nsources:\n  - { id: mine }\n';
    expect(withDemoSources({ routing, demoSources: 'sources:\n  - { id: demo-x }\n' })).toEqual({ text: routing, added: false });
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
