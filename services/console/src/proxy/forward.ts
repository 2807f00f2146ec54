import { BadRequestException } from '@nestjs/common';
import { ProblemException, problem } from '@closeloop/platform';
import { upstreamPath } from './upstream-path';

export interface ProxyRequest {
  method: string;
  originalUrl: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}
export interface ProxyResponse {
  status(code: number): ProxyResponse;
  setHeader(name: string, value: string): void;
  send(body: Buffer | string): void;
}

/**
 * A console `/api/…` request to the same path under `/v1` of `service` at `baseUrl`, with the caller's own bearer
 * token; status, content type and body come back unchanged (the service decides what an agent may do).
 */
export async function forward(req: ProxyRequest, res: ProxyResponse, service: string, baseUrl: string): Promise<void> {
  let path: string;
  try {
    path = upstreamPath(req.originalUrl);
  } catch (err) {
    throw new BadRequestException((err as Error).message);
  }
  const method = req.method.toUpperCase();
  const hasBody = !['GET', 'HEAD'].includes(method);
  let upstream: Response;
  try {
    upstream = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: String(req.headers.authorization),
        accept: 'application/json',
        ...(hasBody ? { 'content-type': 'application/json' } : {}),
        // one intent, one message (POST /v1/tickets/:id/messages): a retried send names the message it created
        ...(typeof req.headers['idempotency-key'] === 'string' ? { 'idempotency-key': req.headers['idempotency-key'] } : {}),
      },
      body: hasBody ? JSON.stringify(req.body ?? {}) : undefined,
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    throw new ProblemException(problem(502, `${service} service unreachable: ${(err as Error).message}`));
  }
  res.status(upstream.status);
  const type = upstream.headers.get('content-type');
  if (type) res.setHeader('content-type', type);
  res.send(Buffer.from(await upstream.arrayBuffer()));
}
