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
