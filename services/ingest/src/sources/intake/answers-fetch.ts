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
export const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;
const TOO_LARGE = 'the API answered with more than 5 MiB';

export type Fetched = { ok: true; body: unknown } | { ok: false; reason: string };

/**
 * GET with the connector's headers; 404 (a response the API has not indexed yet), 429, 5xx, timeouts and network
 * errors are tried again after a short backoff; any other status (a wrong token: 401/403) fails at once. The reason
 * names statuses only, never the token or the body. A 200 whose body is not JSON is `body: undefined` (the
 * connector's mapFetched calls that unmappable). A body over MAX_RESPONSE_BYTES fails at once, whether its
 * Content-Length says so or (chunked) its bytes run past the limit while read: the rest is never read.
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
        if (Number(res.headers.get('content-length')) > MAX_RESPONSE_BYTES) {
          await res.body?.cancel().catch(() => undefined);
          return { ok: false, reason: TOO_LARGE };
        }
        const text = await readLimited(res.body, MAX_RESPONSE_BYTES);
        if (text === undefined) return { ok: false, reason: TOO_LARGE };
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

/**
 * The body as text (UTF-8, as `res.text()` decodes it), or undefined as soon as more than `limit` bytes have arrived:
 * the stream is then cancelled, which closes the connection. A read that fails (timeout, reset) throws, as `text()` would.
 */
async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<string | undefined> {
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks, size));
}
