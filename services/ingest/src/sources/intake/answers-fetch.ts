// The one I/O a connector asks for: qualtrics and surveymonkey only notify, and the answers are fetched from their API.
import type { FetchRequest } from '../source';

export interface FetchPolicy {
  /** One request's limit, connection to last byte. */
  timeoutMs: number;
  /** Tries in all, the first included. */
  attempts: number;
  /** Wait before try `n + 1` (n from 1). */
  backoffMs: (n: number) => number;
}

/** Short enough that the vendor's webhook gets its answer (at worst the 503) before it gives up on us. */
export const DEFAULT_BACKOFF_MS = (n: number) => 200 * 2 ** (n - 1);
export const DEFAULT_ATTEMPTS = 4;
/** A response details document is a few kB; anything near this is not one. */
const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

export type Fetched = { ok: true; body: unknown } | { ok: false; reason: string };

/**
 * GET with the connector's headers; 404 (a response the API has not indexed yet), 429, 5xx, timeouts and network
 * errors are tried again after a short backoff; any other status (a wrong token: 401/403) fails at once. The reason
 * names statuses only, never the token or the body. A 200 whose body is not JSON is `body: undefined` (the
 * connector's mapFetched calls that unmappable).
 */
export async function fetchAnswers(
  request: FetchRequest,
  policy: FetchPolicy,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<Fetched> {
  const seen: string[] = [];
  for (let n = 1; n <= policy.attempts; n++) {
    if (n > 1) await sleep(policy.backoffMs(n - 1));
    let status: number;
    try {
      const res = await fetch(request.url, { headers: request.headers, redirect: 'error', signal: AbortSignal.timeout(policy.timeoutMs) });
      status = res.status;
      if (res.ok) {
        if (Number(res.headers.get('content-length')) > MAX_RESPONSE_BYTES) return { ok: false, reason: 'the API answered with more than 5 MiB' };
        const text = await res.text();
        try {
          return { ok: true, body: JSON.parse(text) as unknown };
        } catch {
          return { ok: true, body: undefined };
        }
      }
      await res.body?.cancel().catch(() => undefined);
    } catch (err) {
      seen.push((err as Error).name === 'TimeoutError' ? `no answer within ${policy.timeoutMs} ms` : 'the connection failed');
      continue;
    }
    seen.push(`HTTP ${status}`);
    if (!(status === 404 || status === 429 || status >= 500)) return { ok: false, reason: `the API answered HTTP ${status}` };
  }
  return { ok: false, reason: `${policy.attempts} tries: ${seen.join(', ')}` };
}
