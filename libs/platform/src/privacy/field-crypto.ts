import { createCipheriv, createDecipheriv } from 'node:crypto';
import { secureRandom } from './random';
import { ENCRYPTED_PREFIX, isEncrypted } from '@closeloop/contracts';

/** The format is the contracts' (their schemas recognise an encrypted field); re-exported for the crypto's users. */
export { ENCRYPTED_PREFIX, isEncrypted };

/**
 * Crypto-shredding of personal fields (SPEC §13): each customer's fields are encrypted with that customer's data key
 * (AES-256-GCM); erasing the customer deletes the key, and every copy Kafka still retains becomes unreadable.
 *
 * An encrypted field is a string `enc:v1:<keyId>:<base64url(iv ‖ ciphertext ‖ tag)>`, so it fits every string field of
 * the contracts unchanged. The key id is authenticated (GCM additional data): a ciphertext moved under another key
 * id does not decrypt.
 */

/** What a field reads as once its customer's key is erased (never an error: consumers show it like any text). */
export const ERASED = '‹erased›';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface DataKey {
  /** A UUID: what the envelope names. */
  id: string;
  /** 32 random bytes. */
  key: Buffer;
}

export function encryptField(plain: string, dataKey: DataKey): string {
  if (dataKey.key.length !== 32) throw new Error('a data key is 32 bytes');
  const iv = secureRandom(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey.key, iv);
  cipher.setAAD(Buffer.from(dataKey.id, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${ENCRYPTED_PREFIX}${dataKey.id}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

/** The key id an encrypted field names, or null when `value` is not one. */
export function keyIdOf(value: string): string | null {
  if (!isEncrypted(value)) return null;
  const id = value.slice(ENCRYPTED_PREFIX.length, value.indexOf(':', ENCRYPTED_PREFIX.length));
  return KEY_ID.test(id) ? id : null;
}

export type FieldReading = { ok: true; text: string } | { ok: false; erased: true } | { ok: false; erased: false; reason: string };

/**
 * An encrypted field with its key (null: the key is erased) → its text. A field that is not encrypted is returned as
 * it is (events from before encryption). A damaged field is a reason, never a throw.
 */
export function decryptField(value: string, key: Buffer | null): FieldReading {
  if (!isEncrypted(value)) return { ok: true, text: value };
  const id = keyIdOf(value);
  if (!id) return { ok: false, erased: false, reason: 'the encrypted field names no valid key id' };
  if (!key) return { ok: false, erased: true };
  const raw = Buffer.from(value.slice(ENCRYPTED_PREFIX.length + id.length + 1), 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) return { ok: false, erased: false, reason: 'the encrypted field is truncated' };
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(id, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return { ok: true, text: Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8') };
  } catch {
    return { ok: false, erased: false, reason: 'the encrypted field does not authenticate under its key' };
  }
}

/** The text to show: the field's text, or ERASED (an erased key and a damaged field both read as erased: nothing to show). */
export function readField(value: string, key: Buffer | null): string {
  const r = decryptField(value, key);
  return r.ok ? r.text : ERASED;
}
