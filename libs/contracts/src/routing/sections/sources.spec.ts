import { stringify } from 'yaml';
import { parseRoutingConfig } from '../parse-routing-config';
import type { RoutingConfigProblem, Source } from '../routing-config';
import { missingSourceEnv } from './sources';

const REST = {
  defaults: { team: 'cx', alertAt: { nps: 6, csat: 2, ces: 3 } },
  teams: [{ id: 'cx', sla: { firstResponse: 'PT1H', resolve: 'PT48H' } }],
  rootCauses: ['other'],
};

// SPEC §10's example, one source per kind.
const SOURCES = [
  { id: 'tf-checkout', kind: 'typeform', secretEnv: 'TF_CHECKOUT_SECRET', touchpoint: 'checkout', metric: 'nps',
    fields: { score: 'nps_q', comment: 'why_q', customerId: 'form_response.hidden.customer_id', touchpoint: 'form_response.hidden.touchpoint' } },
  { id: 'qp-stores', kind: 'questionpro', secretEnv: 'QP_SECRET', touchpoint: 'store', fields: { score: 'Q2', comment: 'Q3' } },
  { id: 'dl', kind: 'delighted', secretEnv: 'DELIGHTED_KEY', touchpoint: 'delivery', metric: 'csat' },
  { id: 'fb-app', kind: 'formbricks', secretEnv: 'FB_SECRET', touchpoint: 'app', fields: { score: 'nps' } },
  { id: 'qx', kind: 'qualtrics', secretEnv: 'QX_KEY', touchpoint: 'branch', fields: { score: 'QID1', comment: 'QID2' },
    api: { url: 'https://fra1.qualtrics.com', tokenEnv: 'QUALTRICS_TOKEN', surveyId: 'SV_ebdf20QralHTzQF' } },
  { id: 'sm', kind: 'surveymonkey', secretEnv: 'SM_SECRET', touchpoint: 'support', metric: 'ces', fields: { score: '222222' },
    api: { url: 'https://api.surveymonkey.com', tokenEnv: 'SM_TOKEN' } },
  { id: 'kiosk', kind: 'generic', secretEnv: 'KIOSK_TOKEN', fields: { score: 'answers.ltr', externalId: 'id', touchpoint: 'store' } },
];

function parse(sources: unknown) {
  return parseRoutingConfig(stringify({ ...REST, sources }));
}

function errorsOf(sources: unknown): Pick<RoutingConfigProblem, 'path' | 'message'>[] {
  const r = parse(sources);
  if (r.ok) throw new Error('expected the sources to be rejected');
  return r.errors.map(({ path, message }) => ({ path, message }));
}

const one = (over: Record<string, unknown>) => [{ ...SOURCES[0], ...over }];

describe('routing file: sources', () => {
  it('accepts one source of every kind; metric defaults to nps, fields to {}', () => {
    const r = parse(SOURCES);
    if (!r.ok) throw new Error(r.message);
    expect(r.config.sources.map((s) => [s.id, s.kind, s.metric])).toEqual([
      ['tf-checkout', 'typeform', 'nps'], ['qp-stores', 'questionpro', 'nps'], ['dl', 'delighted', 'csat'], ['fb-app', 'formbricks', 'nps'],
      ['qx', 'qualtrics', 'nps'], ['sm', 'surveymonkey', 'ces'], ['kiosk', 'generic', 'nps'],
    ]);
    expect(r.config.sources[2]).toEqual({ id: 'dl', kind: 'delighted', secretEnv: 'DELIGHTED_KEY', touchpoint: 'delivery', metric: 'csat', fields: {} });
    expect(r.config.sources[4].api).toEqual({ url: 'https://fra1.qualtrics.com', tokenEnv: 'QUALTRICS_TOKEN', surveyId: 'SV_ebdf20QralHTzQF' });
  });

  it('is optional: no sources → []', () => {
    const r = parseRoutingConfig(stringify(REST));
    expect(r.ok && r.config.sources).toEqual([]);
  });

  it.each<[string, unknown, { path: string; message: string }[]]>([
    ['an unknown kind, with a did-you-mean', one({ kind: 'typefrom' }), [
      { path: 'sources[0].kind', message: 'unknown kind "typefrom" — did you mean "typeform"? (kinds: questionpro, typeform, delighted, formbricks, qualtrics, surveymonkey, generic)' },
    ]],
    ['a bad id (upper case, the URL segment)', one({ id: 'TF_Checkout' }), [
      { path: 'sources[0].id', message: 'must be lowercase letters, digits and "-" (it is the URL segment of POST /v1/sources/{id}) ("TF_Checkout")' },
    ]],
    ['the id of the recheck page (reserved)', one({ id: 'closeloop-recheck' }), [
      { path: 'sources[0].id', message: '"closeloop-recheck" is reserved for answers on Closeloop\'s recheck page (SPEC §11); choose another id' },
    ]],
    ['a duplicate id', [SOURCES[0], { ...SOURCES[1], id: 'tf-checkout' }], [
      { path: 'sources[1].id', message: 'duplicate source id "tf-checkout" (first at sources[0].id)' },
    ]],
    ['the secret itself instead of a variable name', one({ secretEnv: 'abc def' }), [
      { path: 'sources[0].secretEnv', message: 'must name an environment variable (letters, digits and "_"; not the secret itself) ("abc def")' },
    ]],
    ['a missing id, kind and secretEnv', [{ touchpoint: 'x' }], [
      { path: 'sources[0].id', message: 'is required' }, { path: 'sources[0].kind', message: 'is required' }, { path: 'sources[0].secretEnv', message: 'is required' },
    ]],
    ['a vendor kind without fields.score', one({ fields: { comment: 'why_q' } }), [{ path: 'sources[0].fields.score', message: 'is required' }]],
    ['a vendor kind without fields at all', one({ fields: undefined }), [{ path: 'sources[0].fields', message: 'is required: kind typeform needs fields.score' }]],
    ['generic without score and externalId', [{ ...SOURCES[6], fields: { touchpoint: 'store' } }], [
      { path: 'sources[0].fields.score', message: 'is required' }, { path: 'sources[0].fields.externalId', message: 'is required' },
    ]],
    ['generic with a path that is not a dotted path', [{ ...SOURCES[6], fields: { ...SOURCES[6].fields, score: 'answers..ltr' } }], [
      { path: 'sources[0].fields.score', message: 'must be a dotted path into the payload like "hidden.customer_id" ("answers..ltr")' },
    ]],
    ['delighted with a score question (it sends the score itself)', [{ ...SOURCES[2], fields: { score: 'q1' } }], [
      { path: 'sources[0].fields.score', message: 'unknown key (allowed: customerId, touchpoint)' },
    ]],
    ['externalId on a vendor kind', one({ fields: { score: 'nps_q', externalId: 'token' } }), [
      { path: 'sources[0].fields.externalId', message: 'unknown key (allowed: score, comment, customerId, touchpoint)' },
    ]],
    ['qualtrics without api', [{ ...SOURCES[4], api: undefined }], [
      { path: 'sources[0].api', message: 'is required: kind qualtrics fetches the answers from its API (api.url and api.tokenEnv)' },
    ]],
    ['surveymonkey without api.url and api.tokenEnv', [{ ...SOURCES[5], api: {} }], [
      { path: 'sources[0].api.url', message: 'is required' }, { path: 'sources[0].api.tokenEnv', message: 'is required' },
    ]],
    ['an api url that is not http(s)', [{ ...SOURCES[4], api: { url: 'fra1.qualtrics.com', tokenEnv: 'T' } }], [
      { path: 'sources[0].api.url', message: 'must be an http(s) URL like "https://fra1.qualtrics.com" ("fra1.qualtrics.com")' },
    ]],
    ['an api on a kind that does not fetch', one({ api: { url: 'https://x', tokenEnv: 'T' } }), [
      { path: 'sources[0].api', message: 'only qualtrics and surveymonkey fetch answers; kind typeform has no api' },
    ]],
    ['no touchpoint and no fields.touchpoint', [{ ...SOURCES[1], touchpoint: undefined }], [
      { path: 'sources[0].touchpoint', message: 'is required unless fields.touchpoint names where the payload carries it' },
    ]],
    ['an unknown metric and an unknown key', one({ metric: 'ces5', secret: 'x' }), [
      { path: 'sources[0].metric', message: 'must be one of nps, csat, ces (got "ces5")' },
      { path: 'sources[0].secret', message: 'unknown key (allowed: id, kind, secretEnv, touchpoint, metric, fields, api)' },
    ]],
    ['not a list', { id: 'x' }, [{ path: 'sources', message: 'must be a list (got a mapping)' }]],
  ])('refuses %s', (_, sources, expected) => {
    expect(errorsOf(sources)).toEqual(expect.arrayContaining(expected));
    expect(errorsOf(sources)).toHaveLength(expected.length);
  });

  it('lists every problem of every source at once', () => {
    const errors = errorsOf([{ ...SOURCES[0], kind: 'tally' }, { ...SOURCES[4], api: undefined }, { ...SOURCES[6], id: 'tf-checkout', fields: {}, touchpoint: 'kiosk' }]);
    expect(errors.map((e) => e.path)).toEqual(['sources[0].kind', 'sources[1].api', 'sources[2].id', 'sources[2].fields.score', 'sources[2].fields.externalId']);
  });
});

describe('missingSourceEnv (checked at service start)', () => {
  const sources = [
    { id: 'tf', kind: 'typeform', secretEnv: 'TF_SECRET', metric: 'nps', fields: {} },
    { id: 'qx', kind: 'qualtrics', secretEnv: 'QX_KEY', metric: 'nps', fields: {}, api: { url: 'https://x', tokenEnv: 'QX_TOKEN' } },
    { id: 'tf2', kind: 'typeform', secretEnv: 'TF_SECRET', metric: 'nps', fields: {} },
  ] as Source[];

  it.each<[string, Record<string, string>, string[]]>([
    ['all set', { TF_SECRET: 's', QX_KEY: 'k', QX_TOKEN: 't' }, []],
    ['a missing secretEnv shared by two sources, once with both', { QX_KEY: 'k', QX_TOKEN: 't' }, ['TF_SECRET: required by sources[0] (tf) as its secretEnv, sources[2] (tf2) as its secretEnv']],
    ['a blank api.tokenEnv', { TF_SECRET: 's', QX_KEY: 'k', QX_TOKEN: '  ' }, ['QX_TOKEN: required by sources[1] (qx) as its api.tokenEnv']],
    ['everything missing', {}, [
      'TF_SECRET: required by sources[0] (tf) as its secretEnv, sources[2] (tf2) as its secretEnv',
      'QX_KEY: required by sources[1] (qx) as its secretEnv',
      'QX_TOKEN: required by sources[1] (qx) as its api.tokenEnv',
    ]],
  ])('%s', (_, env, problems) => {
    expect(missingSourceEnv(sources, env)).toEqual(problems);
  });

  it('never puts a value in a message', () => {
    expect(missingSourceEnv(sources, { TF_SECRET: 'very-secret', QX_KEY: '' }).join('\n')).not.toContain('very-secret');
  });
});
