import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { FieldError, Problem } from '@closeloop/contracts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An HTTP error that is already the RFC 9457 problem to answer with, plus response headers (Retry-After, WWW-Authenticate). */
export class ProblemException extends HttpException {
  constructor(public readonly problem: Problem, public readonly headers: Record<string, string> = {}) {
    super(problem, problem.status);
    this.name = 'ProblemException';
    this.message = problem.detail;
  }
}

const titleOf = (status: number) => STATUS_CODES[status] ?? 'Error';

/** A problem of type `about:blank` (the title is the status' own phrase). */
export function problem(status: number, detail: string, extra: { errors?: FieldError[]; type?: string; title?: string } = {}): Problem {
  return { type: extra.type ?? 'about:blank', title: extra.title ?? titleOf(status), status, detail, ...(extra.errors ? { errors: extra.errors } : {}) };
}

interface ProblemResponse {
  headersSent?: boolean;
  statusCode: number;
  setHeader(name: string, value: string | number): unknown;
  end(body: string): unknown;
}

/** Writes a problem on a Node/express response (from middleware that runs before Nest's routing, and from the filter). */
export function sendProblem(res: ProblemResponse, p: Problem, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const body = JSON.stringify(p);
  res.statusCode = p.status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/** Any thrown value → the problem to answer with. Internals never leave: a 5xx says only that it was logged. */
export function toProblem(exception: unknown): { problem: Problem; headers: Record<string, string> } {
  if (exception instanceof ProblemException) return { problem: exception.problem, headers: exception.headers };
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse();
    if (typeof body === 'object' && body !== null && 'detail' in body && 'status' in body && 'title' in body) return { problem: body as Problem, headers: {} };
    const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
    const errors = typeof body === 'object' && body !== null && Array.isArray((body as { errors?: unknown }).errors) ? (body as { errors: FieldError[] }).errors : undefined;
    const detail = Array.isArray(message) ? message.join('; ') : String(message ?? exception.message);
    return { problem: problem(status, detail, { errors }), headers: {} };
  }
  // body-parser errors (too large, bad charset, malformed JSON) carry their 4xx status and a message meant for the client
  const e = exception as { status?: number; expose?: boolean; message?: string };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose) return { problem: problem(e.status, e.message ?? 'bad request'), headers: {} };
  return { problem: problem(500, 'an unexpected error occurred; it has been logged'), headers: {} };
}

/**
 * The one exception filter of every service: each HTTP error leaves as `application/problem+json`; every 5xx is
 * logged with its error (through the platform's error serializer, so without row data). Not for Kafka handlers:
 * those errors are rethrown to the consumer, which retries or dead-letters.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: { error(obj: object, msg: string): void }) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const res = http.getResponse<ProblemResponse>();
    const { problem: p, headers } = toProblem(exception);
    if (p.status >= 500) {
      const req = http.getRequest<{ method?: string; originalUrl?: string; url?: string }>();
      this.logger.error({ err: exception, method: req?.method, path: (req?.originalUrl ?? req?.url ?? '').split('?', 1)[0], status: p.status }, 'request failed');
    }
    if (res.headersSent) return;
    sendProblem(res, p, p.status === 401 && !headers['WWW-Authenticate'] ? { ...headers, 'WWW-Authenticate': 'Bearer' } : headers);
  }
}
