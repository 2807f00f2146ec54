/**
 * `/api/tickets/abc/claim?x=1` → `/v1/tickets/abc/claim?x=1`: the agent API's path for a console path.
 * Dot segments (also percent-encoded) are refused: fetch would resolve them and reach outside /v1/tickets.
 */
export function upstreamPath(originalUrl: string): string {
  const m = /^\/api(\/[^?#]*)(\?[^#]*)?/.exec(originalUrl);
  if (!m) throw new Error(`not an /api path: ${originalUrl}`);
  const segments = m[1].split('/');
  for (const s of segments) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(s);
    } catch {
      throw new Error('malformed path');
    }
    if (decoded === '.' || decoded === '..' || decoded.includes('/') || decoded.includes('\\')) throw new Error('path segments "." and ".." are not allowed');
  }
  return `/v1${m[1]}${m[2] ?? ''}`;
}
