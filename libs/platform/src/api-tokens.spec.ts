import { MIN_TOKEN_LENGTH, bearerToken, parseAgentTokens, parseKeyList } from './api-tokens';
import { env, loadConfig } from './config';

describe('API_TOKENS (agentId:token,…)', () => {
  const tokens = parseAgentTokens(' ayse : tok-ayse-0123456789 , mehmet:a:b:c:d:e:f:g:h:i:j , ');

  it('maps each token to its agent, splitting on the first colon', () => {
    expect(tokens.match('tok-ayse-0123456789')).toBe('ayse');
    expect(tokens.match('a:b:c:d:e:f:g:h:i:j')).toBe('mehmet');
    expect(tokens.ids).toEqual(['ayse', 'mehmet']);
  });

  it.each(['tok-ayse-012345678', 'tok-ayse-01234567890', 'TOK-AYSE-0123456789', '', 'ayse'])('%j is nobody', (t) => {
    expect(tokens.match(t)).toBeNull();
  });

  it.each([
    [undefined, 'required (comma-separated agentId:token pairs)'],
    [' , ', 'required (comma-separated agentId:token pairs)'],
    ['ayse', 'entry 1 is not agentId:token'],
    [':tok-0123456789abcdef', 'entry 1 is not agentId:token'],
    ['ayse:short-secret-1', `the token of ayse (entry 1) is shorter than ${MIN_TOKEN_LENGTH} characters`],
    ['ayse:same-token-0123456,mehmet:same-token-0123456', 'the token of mehmet (entry 2) is also used by ayse'],
  ])('%j is refused (%s) without echoing a token', (value, message) => {
    let error = '';
    try {
      parseAgentTokens(value);
    } catch (err) {
      error = (err as Error).message;
    }
    expect(error).toBe(message);
    expect(error).not.toMatch(/short-secret|same-token|0123456789abcdef/);
  });

  it('names the variable in the start-up message', () => {
    expect(() => loadConfig({ t: env.custom('API_TOKENS', parseAgentTokens) }, { API_TOKENS: 'ayse:tiny' }, 'tickets')).toThrow(
      `API_TOKENS: the token of ayse (entry 1) is shorter than ${MIN_TOKEN_LENGTH} characters`,
    );
  });
});

describe('INGEST_API_KEYS (key,…)', () => {
  const keys = parseKeyList('first-key-0123456789, second-key-abcdefgh');

  it.each([
    ['first-key-0123456789', 'key-1'],
    ['second-key-abcdefgh', 'key-2'],
    ['first-key-012345678', null], // a prefix is not the key
    ['first-key-01234567890', null], // nor is a longer string
    ['FIRST-KEY-0123456789', null], // keys are case-sensitive
  ])('%j → %j', (k, id) => expect(keys.match(k)).toBe(id));

  it.each([
    [undefined, 'required (comma-separated API keys)'],
    ['k1, k2', `key 1 is shorter than ${MIN_TOKEN_LENGTH} characters; key 2 is shorter than ${MIN_TOKEN_LENGTH} characters`],
    ['a-long-enough-key-1,a-long-enough-key-1', 'key 2 is also used by key 1'],
    [',,', 'required (comma-separated API keys)'],
  ])('%j is refused: %s', (value, message) => expect(() => parseKeyList(value)).toThrow(message));
});

describe('bearerToken', () => {
  it.each([
    [undefined, { failure: 'missing' }],
    ['', { failure: 'missing' }],
    ['tok-ayse-0123456789', { failure: 'malformed' }],
    ['Basic Zmlyc3Qta2V5', { failure: 'malformed' }],
    ['Bearer', { failure: 'malformed' }],
    ['Bearer a b', { failure: 'malformed' }],
    ['bearer  tok-ayse-0123456789 ', { token: 'tok-ayse-0123456789' }],
    [['Bearer tok-1', 'Bearer tok-2'], { token: 'tok-1' }],
  ])('%j → %j', (h, expected) => expect(bearerToken(h)).toEqual(expected));
});
