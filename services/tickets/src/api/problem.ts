import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Logger } from 'pino';
import { FieldError, Problem, validatePlain } from '@closeloop/contracts';


const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict',
  413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

export class ProblemException extends HttpException {
  constructor(status: number, detail: string, errors?: FieldError[], type = 'about:blank') {
    const body: Problem = { type, title: TITLES[status] ?? 'Error', status, detail, ...(errors ? { errors } : {}) };
    super(body, status);
  }
}

export const badRequest = (detail: string, errors: FieldError[]) => new ProblemException(400, detail, errors);
export const unauthorized = (detail: string) => new ProblemException(401, detail);
export const notFound = (detail: string) => new ProblemException(404, detail);
export const conflict = (detail: string) => new ProblemException(409, detail);

/** A DTO-checked body or query, or a 400 naming every bad field. Unknown fields are errors too. */
export function validated<T extends object>(cls: new () => T, plain: unknown, what: 'body' | 'query'): T {
  const r = validatePlain(cls, plain ?? {}, { forbidUnknown: true });
  if (!r.ok) {
    // one error per field: the first broken rule says what is expected ("must be a string" before "must not be empty")
    const errors: FieldError[] = [];
    for (const e of r.errors) {
      if (errors.some((x) => x.field === e.field)) continue;
      // class-validator's whitelist message says "property x should not exist"
      errors.push({ field: e.field, message: /should not exist$/.test(e.message) ? 'is not a known field' : e.message });
    }
    throw badRequest(`the request ${what} has ${errors.length === 1 ? 'an invalid field' : 'invalid fields'}`, errors);
  }
  return r.value;
}

/** Every HTTP error as application/problem+json; unexpected ones are logged and answered without internals. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const res = host.switchToHttp().getResponse();
    const problem = this.toProblem(exception);
    if (problem.status >= 500) this.logger.error({ err: exception }, 'request failed');
    if (problem.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown): Problem {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'detail' in body && 'status' in body) return body as Problem;
      const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      return { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail: Array.isArray(message) ? message.join('; ') : String(message ?? exception.message) };
    }
    // body-parser errors Nest does not map (too large, bad charset) carry their HTTP status; malformed JSON
    // arrives above as a BadRequestException with the parser's message
    const e = exception as { status?: number; expose?: boolean; message?: string };
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose) {
      return { type: 'about:blank', title: TITLES[e.status] ?? 'Error', status: e.status, detail: e.message ?? 'bad request' };
    }
    return { type: 'about:blank', title: TITLES[HttpStatus.INTERNAL_SERVER_ERROR], status: 500, detail: 'an unexpected error occurred; it has been logged' };
  }
}
