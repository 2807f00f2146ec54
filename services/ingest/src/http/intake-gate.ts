import { Injectable, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_BODY_BYTES } from '../config';
import { Endpoint, requestSeconds, requestsTotal } from '../metrics';
import { BearerAuth, ProblemException, sourceAddress } from '@closeloop/platform';
import { mediaTypeProblem, readJsonBody } from './json-body';
import { ProblemError, problems, sendProblem } from './problem';
import { TokenBucketLimiter } from './rate-limiter';

type Request = IncomingMessage & { body?: unknown; originalUrl?: string; ip?: string };

export function endpointOf(url: string): Endpoint {
  const path = url.split('?', 1)[0];
  return /\/batch\/?$/i.test(path) ? 'batch' : 'feedback';
}

/**
 * Everything that happens to an ingest request before its body is parsed, in this order:
 * method (405) → API key (401; 429 once the address has failed too often) → rate limit per key (429) → media type (415) → body read with the 1 MiB limit (413)
 * and JSON parse (400). The body is read only after the cheap checks, so an unauthenticated or throttled client
 * cannot make ingest buffer and parse a megabyte. (The app's global body parsers are off: see app.ts.)
 * Every answer, success or problem, is counted and timed here.
 */
@Injectable()
export class IntakeGate implements NestMiddleware {
  constructor(private readonly keys: BearerAuth, private readonly limiter: TokenBucketLimiter) {}

  use(req: Request, res: ServerResponse, next: (err?: unknown) => void): void {
    const endpoint = endpointOf(req.originalUrl ?? req.url ?? '');
    const started = performance.now();
    res.once('finish', () => {
      requestsTotal.inc({ endpoint, status: String(res.statusCode) });
      requestSeconds.observe({ endpoint }, (performance.now() - started) / 1000);
    });

    if (req.method !== 'POST') return sendProblem(res, problems.methodNotAllowed(req.method ?? '?'), { Allow: 'POST' });
    let keyId: string;
    try {
      keyId = this.keys.authenticate(req.headers.authorization, sourceAddress(req));
    } catch (err) {
      if (err instanceof ProblemException) return sendProblem(res, err.problem, err.headers);
      throw err;
    }
    const rate = this.limiter.take(keyId);
    if (!rate.allowed) return sendProblem(res, problems.rateLimited(rate.retryAfterSeconds), { 'Retry-After': String(rate.retryAfterSeconds) });
    const media = mediaTypeProblem(req.headers['content-type'], req.headers['content-encoding']);
    if (media) return sendProblem(res, media);

    readJsonBody(req, MAX_BODY_BYTES).then(
      (body) => {
        req.body = body;
        next();
      },
      (err) => (err instanceof ProblemError ? sendProblem(res, err.problem, err.headers) : next(err)),
    );
  }
}
