import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';

interface Res {
  headersSent?: boolean;
  status(code: number): Res;
  type(t: string): Res;
  send(body: string): void;
}

/** The console's own errors as `application/problem+json`, like the tickets API's, so the SPA reads one shape. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Res>();
    if (res.headersSent) return;
    const status = exception instanceof HttpException ? exception.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    const body = exception instanceof HttpException ? exception.getResponse() : null;
    const detail =
      typeof body === 'string' ? body : body && typeof body === 'object' && 'message' in body ? [(body as { message: unknown }).message].flat().join('; ') : 'unexpected error';
    const errors = body && typeof body === 'object' && 'errors' in body ? (body as { errors: unknown }).errors : undefined;
    res.status(status).type('application/problem+json').send(
      JSON.stringify({ type: 'about:blank', title: HttpStatus[status]?.toString().replace(/_/g, ' ').toLowerCase() ?? 'error', status, detail, ...(errors ? { errors } : {}) }),
    );
  }
}
