import { createHash, timingSafeEqual } from 'node:crypto';

export type ApiKeyCheck = { ok: true; keyId: string } | { ok: false; reason: 'missing' | 'malformed' | 'unknown' };

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * The ingest API keys (`INGEST_API_KEYS`). A presented key is compared with every configured key in constant time:
 * both sides are hashed first (equal lengths for `timingSafeEqual`) and the loop never stops early, so neither the
 * position of a match nor the length of a key shows in the response time.
 */
export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    if (!keys.length) throw new Error('at least one API key is required');
    this.digests = keys.map(digest);
  }

  /**
   * Checks an `Authorization` header. `keyId` names the key without revealing it (`key-1` is the first configured key):
   * safe for logs and rate-limit buckets.
   */
  check(authorization: string | undefined): ApiKeyCheck {
    if (!authorization) return { ok: false, reason: 'missing' };
    const m = /^Bearer +(\S+) *$/i.exec(authorization);
    if (!m) return { ok: false, reason: 'malformed' };
    const presented = digest(m[1]);
    let match = -1;
    for (let i = 0; i < this.digests.length; i++) {
      if (timingSafeEqual(presented, this.digests[i]) && match < 0) match = i;
    }
    return match < 0 ? { ok: false, reason: 'unknown' } : { ok: true, keyId: `key-${match + 1}` };
  }
}

export const API_KEY_FAILURE_DETAIL: Record<Exclude<ApiKeyCheck, { ok: true }>['reason'], string> = {
  missing: 'an API key is required: send "Authorization: Bearer <key>"',
  malformed: 'the Authorization header must be "Bearer <key>"',
  unknown: 'the API key is not valid',
};

/** RFC 6750 §3: the challenge for a missing credential names only the scheme; a bad one adds `error="invalid_token"`. */
export function bearerChallenge(reason: Exclude<ApiKeyCheck, { ok: true }>['reason']): string {
  return reason === 'missing' ? 'Bearer realm="closeloop-ingest"' : 'Bearer realm="closeloop-ingest", error="invalid_token"';
}
