import { createHash, randomBytes } from 'node:crypto';

/**
 * Tokens of the links we put in front of customers (the recheck page, the unsubscribe link): 256 random bits,
 * base64url. Only their SHA-256 is stored, so a copy of the table can neither use a link nor rebuild it; there is no
 * key to leak or rotate, and nothing to guess.
 */
export function newCapabilityToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashCapabilityToken(token) };
}

export function hashCapabilityToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** 32 bytes in base64url: 43 characters of [A-Za-z0-9_-]. Anything else is refused before a lookup. */
export function isCapabilityToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}
