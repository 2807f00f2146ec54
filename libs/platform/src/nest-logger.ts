import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';
import type { HttpLogger } from 'pino-http';

/*
 * What we used of nestjs-pino, kept here: its 5.x requires Node ≥ 22.12 (we support ≥ 20.19) and its 4.x does not
 * accept Nest 12. Nest's own log lines go to pino, and inside an HTTP request to that request's logger (pino-http's
 * `req.log`, which carries the request id), exactly as nestjs-pino's `Logger` and middleware did.
 */

const requestLogger = new AsyncLocalStorage<Logger>();

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** Nest's `LoggerService` over pino: `app.useLogger(app.get(PinoNestLogger))`. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  /** The current request's logger inside an HTTP request, the service's logger elsewhere. */
  get pino(): Logger {
    return requestLogger.getStore() ?? this.root;
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /**
   * Nest calls `logger.<level>(message, ...extra, context)`: the last argument is the context (the class that
   * logged), what comes between is interpolated into the message by pino. Its exception handlers call
   * `error(message, stack, context)`: that becomes an `err` with the stack.
   */
  private write(level: Level, message: unknown, params: unknown[]): void {
    const fields: Record<string, unknown> = {};
    let rest = params;
    if (params.length > 0) {
      fields.context = params[params.length - 1];
      rest = params.slice(0, -1);
    }
    const log = this.pino;
    if (message instanceof Error) {
      log[level]({ ...fields, err: message }, ...(rest as [string?]));
    } else if (typeof message === 'object' && message !== null) {
      log[level]({ ...fields, ...message }, ...(rest as [string?]));
    } else if (level === 'error' && typeof message === 'string' && rest.length === 1 && typeof rest[0] === 'string' && /\n\s*at /.test(rest[0])) {
      const err = new Error(message);
      err.stack = rest[0];
      log[level]({ ...fields, err });
    } else {
      log[level](fields, String(message), ...rest);
    }
  }
}

/**
 * Express middleware: pino-http logs the request when it completes, and everything logged through
 * `PinoNestLogger` while the request is handled uses the request's logger.
 */
export function requestLoggingMiddleware(http: HttpLogger) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    http(req, res);
    requestLogger.run((req as IncomingMessage & { log: Logger }).log, next);
  };
}
