import { randomBytes, randomUUID } from 'node:crypto';
import { ENCRYPTED_PREFIX, ERASED, decryptField, encryptField, keyIdOf, readField } from './field-crypto';
import { newDataKey, parseMasterKey, rewrapKey, unwrapKey, wrapKey } from './master-key';
import { ConfigError, loadConfig, privacyEnv } from '../config';

const customerKey = () => newDataKey(randomUUID());
const master = () => parseMasterKey(randomBytes(32).toString('base64'));

describe('field encryption (SPEC §13 crypto-shredding)', () => {
  it.each([
    ['Turkish', 'Garsonlar çok kaba, avukatımla görüşeceğim'],
    ['Chinese', '服务员太粗鲁了，我要退款'],
    ['Hebrew with a phone number', 'המלצר היה גס רוח, +972501234567'],
    ['an email address', 'deniz.yilmaz@example.com'],
    ['the empty string', ''],
  ])('round-trips %s, and the stored form reveals nothing of it', (_, text) => {
    const k = customerKey();
    const sealed = encryptField(text, k);
    expect(sealed.startsWith(`${ENCRYPTED_PREFIX}${k.id}:`)).toBe(true);
    if (text) expect(sealed).not.toContain(text);
    expect(keyIdOf(sealed)).toBe(k.id);
    expect(decryptField(sealed, k.key)).toEqual({ ok: true, text });
  });

  it('encrypts the same text differently every time (a fresh IV)', () => {
    const k = customerKey();
    expect(encryptField('Deniz', k)).not.toBe(encryptField('Deniz', k));
  });

  it('an erased key reads as erased: no throw, nothing of the text', () => {
    const sealed = encryptField('Deniz Yılmaz', customerKey());
    expect(decryptField(sealed, null)).toEqual({ ok: false, erased: true });
    expect(readField(sealed, null)).toBe(ERASED);
  });

  it.each([
    ['another customer\'s key', (s: string) => s, () => customerKey().key],
    ['a flipped ciphertext byte', (s: string) => `${s.slice(0, -6)}${s.slice(-6, -5) === 'A' ? 'B' : 'A'}${s.slice(-5)}`, null],
    ['the ciphertext moved under another key id', (s: string) => s.replace(/^enc:v1:[^:]+:/, `enc:v1:${randomUUID()}:`), null],
    ['a truncated field', (s: string) => s.slice(0, 60), null],
  ])('%s does not authenticate: a reason, never a throw or garbage', (_, damage, otherKey) => {
    const k = customerKey();
    const r = decryptField(damage(encryptField('Garsonlar çok kaba', k)), otherKey ? otherKey() : k.key);
    expect(r).toMatchObject({ ok: false, erased: false, reason: expect.any(String) });
  });

  it('a field that is not encrypted (an event from before encryption) reads as it is', () => {
    expect(decryptField('plain text', null)).toEqual({ ok: true, text: 'plain text' });
    expect(keyIdOf('plain text')).toBeNull();
    expect(decryptField('enc:v1:not-a-uuid:AAAA', null)).toMatchObject({ ok: false, erased: false });
  });
});

describe('CLOSELOOP_MASTER_KEY: wrapping, unwrapping and rotating the data keys', () => {
  it.each([
    [undefined, /required/],
    ['', /required/],
    ['not base64!', /must be base64/],
    [randomBytes(16).toString('base64'), /32 bytes \(it decodes to 16\)/],
  ])('refuses %p', (value, message) => {
    expect(() => parseMasterKey(value)).toThrow(message);
  });

  it('a wrapped data key unwraps with its master key only, and says which master key it needs', () => {
    const m = master();
    const k = customerKey();
    const w = wrapKey(k, m);
    expect(w.wrapped.includes(k.key)).toBe(false);
    expect(unwrapKey(w, m)).toEqual(k);
    expect(() => unwrapKey(w, master())).toThrow(`wrapped by master key ${m.id}`);
    const forged = { ...w, masterKeyId: master().id };
    expect(() => unwrapKey(forged, { ...m, id: forged.masterKeyId })).toThrow();
  });

  it('rotation re-wraps the same data key: fields encrypted before read the same after', () => {
    const [old, next] = [master(), master()];
    const k = customerKey();
    const sealed = encryptField('服务员太粗鲁了', k);
    const rotated = rewrapKey(wrapKey(k, old), old, next);
    expect(rotated.masterKeyId).toBe(next.id);
    expect(readField(sealed, unwrapKey(rotated, next).key)).toBe('服务员太粗鲁了');
    expect(() => unwrapKey(rotated, old)).toThrow();
  });
});

describe('privacyEnv: CLOSELOOP_MASTER_KEY, CLOSELOOP_PREVIOUS_MASTER_KEY, CLOSELOOP_KEY_CACHE_MS', () => {
  const [a, b] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
  const load = (env: Record<string, string>) => loadConfig({ privacy: privacyEnv() }, env, 'test').privacy;

  it('reads the key, the key being replaced during a rotation, and the cache time (60 s by default)', () => {
    expect(load({ CLOSELOOP_MASTER_KEY: a })).toEqual({ current: parseMasterKey(a), previous: undefined, keyCacheMs: 60_000 });
    expect(load({ CLOSELOOP_MASTER_KEY: b, CLOSELOOP_PREVIOUS_MASTER_KEY: a, CLOSELOOP_KEY_CACHE_MS: '0' }))
      .toEqual({ current: parseMasterKey(b), previous: parseMasterKey(a), keyCacheMs: 0 });
  });

  it('lists every problem, never echoing a key', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => load({ CLOSELOOP_PREVIOUS_MASTER_KEY: short, CLOSELOOP_KEY_CACHE_MS: 'soon' })).toThrow(ConfigError);
    try {
      load({ CLOSELOOP_PREVIOUS_MASTER_KEY: short, CLOSELOOP_KEY_CACHE_MS: 'soon' });
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        'CLOSELOOP_MASTER_KEY: required (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)',
        'CLOSELOOP_PREVIOUS_MASTER_KEY: must decode to 32 bytes (it decodes to 16)',
        'CLOSELOOP_KEY_CACHE_MS: must be an integer from 0 to 3600000, got "soon"',
      ]);
      expect((err as Error).message).not.toContain(short);
    }
  });
});
