import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { secureRandom } from './random';
import type { DataKey } from './field-crypto';

/**
 * `CLOSELOOP_MASTER_KEY` (SPEC §3, §13): base64 of 32 bytes. It never encrypts data: it wraps the per-customer data
 * keys kept in Postgres, so a database dump alone reads nothing, and rotating it re-wraps the keys without touching
 * a single event.
 */
export interface MasterKey {
  /** First 8 hex digits of SHA-256(key): which master key wrapped a data key, without revealing it. */
  id: string;
  key: Buffer;
}

export function parseMasterKey(value: string | undefined): MasterKey {
  if (value === undefined || !value.trim()) throw new Error('required (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)');
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw new Error('must be base64');
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new Error(`must decode to 32 bytes (it decodes to ${key.length})`);
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key };
}

/** A data key as kept in Postgres: `iv ‖ wrapped key ‖ tag`, and the master key that wrapped it. */
export interface WrappedKey {
  keyId: string;
  masterKeyId: string;
  wrapped: Buffer;
}

export function newDataKey(id: string): DataKey {
  return { id, key: secureRandom(32) };
}

export function wrapKey(dataKey: DataKey, master: MasterKey): WrappedKey {
  const iv = secureRandom(12);
  const cipher = createCipheriv('aes-256-gcm', master.key, iv);
  cipher.setAAD(Buffer.from(`${dataKey.id}:${master.id}`, 'utf8'));
  const body = Buffer.concat([cipher.update(dataKey.key), cipher.final()]);
  return { keyId: dataKey.id, masterKeyId: master.id, wrapped: Buffer.concat([iv, body, cipher.getAuthTag()]) };
}

/** Throws when `w` was not wrapped by `master` or was altered: a wrong master key must stop a service, not read garbage. */
export function unwrapKey(w: WrappedKey, master: MasterKey): DataKey {
  if (w.masterKeyId !== master.id) throw new Error(`data key ${w.keyId} is wrapped by master key ${w.masterKeyId}, not by the configured ${master.id}`);
  const decipher = createDecipheriv('aes-256-gcm', master.key, w.wrapped.subarray(0, 12));
  decipher.setAAD(Buffer.from(`${w.keyId}:${master.id}`, 'utf8'));
  decipher.setAuthTag(w.wrapped.subarray(w.wrapped.length - 16));
  return { id: w.keyId, key: Buffer.concat([decipher.update(w.wrapped.subarray(12, w.wrapped.length - 16)), decipher.final()]) };
}

/** Master-key rotation: the same data key, wrapped by the new master key (events stay as they are). */
export function rewrapKey(w: WrappedKey, from: MasterKey, to: MasterKey): WrappedKey {
  return wrapKey(unwrapKey(w, from), to);
}
