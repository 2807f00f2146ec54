import { ApiKeys, bearerChallenge } from './api-keys';

describe('ApiKeys', () => {
  const keys = new ApiKeys(['first-key-0123456789', 'second-key-abcdef']);

  it.each([
    [undefined, { ok: false, reason: 'missing' }],
    ['', { ok: false, reason: 'missing' }],
    ['first-key-0123456789', { ok: false, reason: 'malformed' }],
    ['Basic Zmlyc3Qta2V5', { ok: false, reason: 'malformed' }],
    ['Bearer', { ok: false, reason: 'malformed' }],
    ['Bearer a b', { ok: false, reason: 'malformed' }],
    ['Bearer wrong', { ok: false, reason: 'unknown' }],
    ['Bearer first-key-012345678', { ok: false, reason: 'unknown' }], // a prefix is not the key
    ['Bearer first-key-01234567890', { ok: false, reason: 'unknown' }], // nor is a longer string
    ['Bearer FIRST-KEY-0123456789', { ok: false, reason: 'unknown' }], // keys are case-sensitive
    ['Bearer first-key-0123456789', { ok: true, keyId: 'key-1' }],
    ['bearer second-key-abcdef', { ok: true, keyId: 'key-2' }], // the scheme is case-insensitive (RFC 7235)
    ['Bearer  second-key-abcdef ', { ok: true, keyId: 'key-2' }],
  ])('%j → %j', (header, expected) => {
    expect(keys.check(header)).toEqual(expected);
  });

  it('names a key by its position, never by its value', () => {
    const r = keys.check('Bearer second-key-abcdef');
    expect(JSON.stringify(r)).not.toContain('second-key');
  });

  it('refuses an empty key list', () => {
    expect(() => new ApiKeys([])).toThrow('at least one');
  });

  it('challenges per RFC 6750', () => {
    expect(bearerChallenge('missing')).toBe('Bearer realm="closeloop-ingest"');
    expect(bearerChallenge('unknown')).toBe('Bearer realm="closeloop-ingest", error="invalid_token"');
  });
});
