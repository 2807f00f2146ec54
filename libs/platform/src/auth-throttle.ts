import { BearerFailure, TokenSet, bearerToken } from './api-tokens';
import { ProblemException, problem } from './problem';

interface Budget {
  tokens: number;
  at: number;
}

/**
 * Failed sign-ins per source address: each source may fail `maxFailures` times, and regains one attempt every
 * `windowMs / maxFailures`. A source with no attempt left is refused (429) before its credential is even looked at,
 * so guessing stays slow whatever it sends. Successful requests cost nothing. At most `maxSources` addresses are
 * remembered (the oldest are forgotten first), so a flood of addresses cannot grow memory.
 */
export class AuthFailureThrottle {
  private readonly sources = new Map<string, Budget>();

  constructor(
    private readonly o: { maxFailures: number; windowMs: number; maxSources?: number; now?: () => number } = { maxFailures: 10, windowMs: 60_000 },
  ) {
    if (!(o.maxFailures >= 1) || !(o.windowMs > 0)) throw new Error('maxFailures must be at least 1 and windowMs positive');
  }

  private now(): number {
    return (this.o.now ?? (() => performance.now()))();
  }

  private budget(source: string): Budget | undefined {
    const b = this.sources.get(source);
    if (!b) return undefined;
    const now = this.now();
    if (now > b.at) {
      // rounded, so that exactly one interval gives back exactly one attempt
      b.tokens = Math.min(this.o.maxFailures, Math.round((b.tokens + ((now - b.at) / this.o.windowMs) * this.o.maxFailures) * 1e9) / 1e9);
      b.at = now;
    }
    if (b.tokens >= this.o.maxFailures) {
      this.sources.delete(source);
      return undefined;
    }
    return b;
  }

  /** Seconds until `source` may try again, or 0 when it may try now. */
  retryAfterSeconds(source: string): number {
    const b = this.budget(source);
    if (!b || b.tokens >= 1) return 0;
    return Math.max(1, Math.ceil(((1 - b.tokens) * this.o.windowMs) / this.o.maxFailures / 1000));
  }

  failed(source: string): void {
    let b = this.budget(source);
    if (!b) {
      b = { tokens: this.o.maxFailures, at: this.now() };
      this.sources.set(source, b);
      const max = this.o.maxSources ?? 10_000;
      for (const oldest of this.sources.keys()) {
        if (this.sources.size <= max) break;
        this.sources.delete(oldest);
      }
    }
    b.tokens = Math.max(0, b.tokens - 1);
  }
}

const DETAIL: Record<BearerFailure, string> = {
  missing: 'sign in: send "Authorization: Bearer <token>"',
  malformed: 'the Authorization header must be "Bearer <token>"',
  unknown: 'the token is not valid',
};

/**
 * The bearer check of every API: `Authorization: Bearer <token>` → the token's owner, or a ProblemException:
 * 401 (RFC 6750 challenge) for a missing, malformed or unknown token, 429 with Retry-After once the caller's address
 * has failed too often. `problemType` lets an API keep its own problem type URIs.
 */
export class BearerAuth {
  constructor(
    private readonly tokens: TokenSet,
    /** none: no per-address limit (machine-to-machine keys; see ingest's README) */
    private readonly throttle: AuthFailureThrottle | null,
    private readonly o: { realm?: string; problemType?: (slug: 'unauthorized' | 'too-many-failed-sign-ins') => string } = {},
  ) {}

  /** The owner of the presented token; throws the ProblemException to answer with otherwise. */
  authenticate(authorization: string | string[] | undefined, source: string): string {
    const wait = this.throttle?.retryAfterSeconds(source) ?? 0;
    if (wait > 0) {
      throw new ProblemException(
        problem(429, `too many failed sign-ins from this address; retry in ${wait} s`, { type: this.o.problemType?.('too-many-failed-sign-ins') }),
        { 'Retry-After': String(wait) },
      );
    }
    const parsed = bearerToken(authorization);
    const owner = 'token' in parsed ? this.tokens.match(parsed.token) : null;
    if (owner) return owner;
    const failure: BearerFailure = 'failure' in parsed ? parsed.failure : 'unknown';
    // a request without any credential is not a guess: it does not count against the address
    if (failure !== 'missing') this.throttle?.failed(source);
    // RFC 6750 §3: a missing credential gets the bare challenge; a bad one adds error="invalid_token"
    const params = [this.o.realm ? `realm="${this.o.realm}"` : '', failure === 'missing' ? '' : 'error="invalid_token"'].filter(Boolean);
    const challenge = params.length ? `Bearer ${params.join(', ')}` : 'Bearer';
    throw new ProblemException(problem(401, DETAIL[failure], { type: this.o.problemType?.('unauthorized') }), { 'WWW-Authenticate': challenge });
  }
}

/** The caller's address as express sees it (`trust proxy` decides whether X-Forwarded-For counts). */
export function sourceAddress(req: { ip?: string; socket?: { remoteAddress?: string } }): string {
  return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
}
