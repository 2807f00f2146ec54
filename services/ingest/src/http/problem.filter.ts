import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { STATUS_CODES, ServerResponse } from 'node:http';
import { Problem, ProblemError, problems, sendProblem } from './problem';

/** Every error of the ingest endpoints leaves as `application/problem+json`, never as Nest's default JSON or HTML. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ingest');

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<ServerResponse>();
    if (res.headersSent) return;
    if (err instanceof ProblemError) {
      if (err.problem.status >= 500) this.logger.warn(err.problem.detail);
      return sendProblem(res, err.problem, err.headers);
    }
    if (err instanceof HttpException) {
      const status = err.getStatus();
      const problem: Problem = { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail: err.message };
      return sendProblem(res, problem);
    }
    this.logger.error(err instanceof Error ? err.stack ?? err.message : String(err), 'unexpected error in ingest');
    sendProblem(res, problems.internal());
  }
}
