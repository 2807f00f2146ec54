import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The one way Closeloop reads and checks bearer credentials: `API_TOKENS` (`agentId:token,…`, the agents' tokens for
 * the tickets API and the console) and `INGEST_API_KEYS` (`key,…`). Only SHA-256 digests are kept; a presented token
 * is compared with every configured digest in constant time (equal lengths for `timingSafeEqual`, no early exit), so
 * neither how much of a token matched nor which entry matched shows in the response time. Errors name the entry and
 * the agent, never the token.
 */
export const MIN_TOKEN_LENGTH = 16;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class TokenSet {
  private readonly digests: Buffer[];
  private readonly owners: string[];

  /** `entries`: who each token belongs to (an agent id, or `key-1`, `key-2`, … for keys). */
  constructor(entries: readonly { id: string; token: string }[]) {
    if (!entries.length) throw new Error('at least one token is required');
    this.digests = entries.map((e) => digest(e.token));
    this.owners = entries.map((e) => e.id);
  }

  /** The owner of `token`, or null. */
  match(token: string): string | null {
    const presented = digest(token);
    let found = -1;
    for (let i = 0; i < this.digests.length; i++) {
      if (timingSafeEqual(presented, this.digests[i]) && found < 0) found = i;
    }
    return found < 0 ? null : this.owners[found];
  }

  /** The distinct owners (agent ids), in configuration order. */
  get ids(): string[] {
    return [...new Set(this.owners)];
  }
}

/**
 * The shared part of both lists: split on commas, read each entry (`read` returns its owner and token, or the reason it
 * is malformed), refuse short, spaced or repeated tokens, and throw one message naming every bad entry.
 */
function parseTokenList(value: string | undefined, required: string, read: (entry: string, i: number) => { id: string; token: string; who: string; owner: string } | string): TokenSet {
  if (value === undefined || !value.trim()) throw new Error(required);
  const entries: { id: string; token: string }[] = [];
  const problems: string[] = [];
  const seen = new Map<string, string>(); // digest → whose it is
  value.split(',').map((s) => s.trim()).filter(Boolean).forEach((raw, i) => {
    const e = read(raw, i);
    if (typeof e === 'string') return void problems.push(e);
    const d = digest(e.token).toString('hex');
    if (/\s/.test(e.token)) problems.push(`${e.who} contains whitespace (a bearer token cannot carry it)`);
    else if (e.token.length < MIN_TOKEN_LENGTH) problems.push(`${e.who} is shorter than ${MIN_TOKEN_LENGTH} characters`);
    else if (seen.has(d)) problems.push(`${e.who} is also used by ${seen.get(d)}`);
    else {
      seen.set(d, e.owner);
      entries.push({ id: e.id, token: e.token });
    }
  });
  if (problems.length) throw new Error(problems.join('; '));
  if (!entries.length) throw new Error(required);
  return new TokenSet(entries);
}

/** `agentId:token,agentId:token` → the agents' tokens; throws one message naming every bad entry (without its token). */
export function parseAgentTokens(value: string | undefined): TokenSet {
  return parseTokenList(value, 'required (comma-separated agentId:token pairs)', (pair, i) => {
    const colon = pair.indexOf(':');
    const id = colon > 0 ? pair.slice(0, colon).trim() : '';
    const token = colon > 0 ? pair.slice(colon + 1).trim() : '';
    return id && token ? { id, token, who: `the token of ${id} (entry ${i + 1})`, owner: id } : `entry ${i + 1} is not agentId:token`;
  });
}

/** `key,key` → keys named `key-1`, `key-2`, … by position (safe for logs and rate-limit buckets). */
export function parseKeyList(value: string | undefined): TokenSet {
  return parseTokenList(value, 'required (comma-separated API keys)', (key, i) => ({ id: `key-${i + 1}`, token: key, who: `key ${i + 1}`, owner: `key ${i + 1}` }));
}

export type BearerFailure = 'missing' | 'malformed' | 'unknown';

/** `Authorization: Bearer <token>` (scheme case-insensitive, RFC 7235) → the token, or why there is none. */
export function bearerToken(header: string | string[] | undefined): { token: string } | { failure: Exclude<BearerFailure, 'unknown'> } {
  const h = Array.isArray(header) ? header[0] : header;
  if (!h) return { failure: 'missing' };
  const m = /^Bearer +(\S+) *$/i.exec(h);
  return m ? { token: m[1] } : { failure: 'malformed' };
}
