/**
 * API_TOKENS (SPEC §3): `agentId:token,agentId:token` — the same list the tickets API accepts, so one token signs an
 * agent in to both. Parsing and lookup are pure; the guard is the only place that reads a request.
 */
export type TokenTable = ReadonlyMap<string, string>; // token → agentId

export function parseApiTokens(value: string | undefined): TokenTable {
  if (value === undefined) throw new Error('required (comma-separated agentId:token pairs)');
  const table = new Map<string, string>();
  const problems: string[] = [];
  value.split(',').map((s) => s.trim()).filter(Boolean).forEach((pair, i) => {
    const at = pair.indexOf(':');
    const agentId = at > 0 ? pair.slice(0, at).trim() : '';
    const token = at > 0 ? pair.slice(at + 1).trim() : '';
    // never echo the token itself in an error
    if (!agentId || !token) problems.push(`entry ${i + 1} is not agentId:token`);
    else if (token.length < 8) problems.push(`entry ${i + 1} (${agentId}): token shorter than 8 characters`);
    else if (table.has(token)) problems.push(`entry ${i + 1} (${agentId}): token used twice`);
    else table.set(token, agentId);
  });
  if (problems.length) throw new Error(problems.join('; '));
  if (!table.size) throw new Error('no agentId:token pair');
  return table;
}

/** `Authorization: Bearer <token>` → the agent id, or null. */
export function agentForAuthorization(header: string | undefined, table: TokenTable): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? (table.get(m[1]) ?? null) : null;
}

export const DEFAULT_SERVICE_URLS: Readonly<Record<string, string>> = {
  ingest: 'http://127.0.0.1:3001',
  tickets: 'http://127.0.0.1:3002',
  notification: 'http://127.0.0.1:3003',
  scoring: 'http://127.0.0.1:3004',
};

/** SERVICE_URLS: `name=url,name=url`; names not given keep their SPEC §2 default. */
export function parseServiceUrls(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = { ...DEFAULT_SERVICE_URLS };
  if (value === undefined) return out;
  const problems: string[] = [];
  for (const pair of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = pair.indexOf('=');
    const name = pair.slice(0, Math.max(at, 0)).trim();
    const url = pair.slice(at + 1).trim();
    if (at <= 0 || !name) {
      problems.push(`"${pair}" is not name=url`);
      continue;
    }
    try {
      out[name] = httpUrl(url);
    } catch (err) {
      problems.push(`${name}: ${(err as Error).message}`);
    }
  }
  if (problems.length) throw new Error(problems.join('; '));
  return out;
}

/** An http(s) base URL without trailing slashes; throws with the reason otherwise. */
export function httpUrl(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new Error(`"${value}" is not a URL`);
  }
  if (!['http:', 'https:'].includes(u.protocol)) throw new Error(`"${value}" is not an http(s) URL`);
  return value.replace(/\/+$/, '');
}
