import { Controller, DynamicModule, Get, Global, Header, HttpException, Inject, MiddlewareConsumer, Module, NestModule, RequestMethod, Res } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pinoHttp, type HttpLogger } from 'pino-http';
import type { SerializerFn } from 'pino';
import { collectDefaultMetrics, register } from 'prom-client';
import { Logger, createLogger, loggerOptions } from './logger';
import { PinoNestLogger, requestLoggingMiddleware } from './nest-logger';
import { sharedResult } from './shared-result';

/** Something `/health/ready` must see working: the service's database, its Kafka connection, … */
export interface ReadinessCheck {
  name: string;
  /** Resolves when healthy; rejects (with a reason) when not. Should answer within a second or two. */
  check(): Promise<void>;
}
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
/**
 * The service's one pino logger (pino `Logger`): the same instance pino-http logs requests and PinoNestLogger logs Nest's own messages
 * with. Inject it (`@Inject(SERVICE_LOGGER)`, or `app.get(SERVICE_LOGGER)` before init) instead of creating another.
 */
export const SERVICE_LOGGER = Symbol('SERVICE_LOGGER');

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`${what}: no answer in ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** The service's root module provides READINESS_CHECKS; looked up across modules, once. */
  private checks?: ReadinessCheck[];
  private readinessChecks(): ReadinessCheck[] {
    this.checks ??= this.moduleRef.get<ReadinessCheck[]>(READINESS_CHECKS, { strict: false });
    return this.checks;
  }

  /** The process is up and its event loop answers; never checks dependencies (a restart would not fix them). */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /**
   * Probes, the console's ops page and load balancers may all ask at once, and each check reaches Kafka and the
   * database: one round answers every caller for a second (a failed round too).
   */
  private readonly readyRound = sharedResult(1_000, () => this.check().then((ok) => ({ ok }), (down: unknown) => ({ down })));

  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) res: { status(code: number): unknown }) {
    const r = await this.readyRound();
    if (!('down' in r)) return r.ok;
    // terminus' own answer (503 with every check's status), not the problem+json of the exception filter
    if (!(r.down instanceof HttpException)) throw r.down;
    res.status(r.down.getStatus());
    return r.down.getResponse();
  }

  private check() {
    return this.health.check(
      this.readinessChecks().map((c) => async () => {
        const session = this.indicator.check(c.name);
        try {
          await withTimeout(c.check(), 3_000, c.name);
          return session.up();
        } catch (err) {
          return session.down({ message: (err as Error).message });
        }
      }),
    );
  }
}

@Controller('metrics')
class MetricsController {
  @Get()
  @Header('Cache-Control', 'no-store')
  async metrics(@Res() res: { setHeader(name: string, value: string): void; send(body: string): void }) {
    res.setHeader('Content-Type', register.contentType);
    res.send(await register.metrics());
  }
}

let defaultMetricsStarted = false;

export interface ObservabilityOptions {
  service: string;
  logLevel: string;
}

const HTTP_LOGGER = Symbol('HTTP_LOGGER');

/**
 * The level of a request's log line: 5xx error, 4xx warn, else debug. Refusals on the survey-tool webhooks
 * (`/v1/sources/…`: unknown source, bad signature) are debug: that URL is public, and every scanner would
 * otherwise write a warning; they are counted per source in `closeloop_source_deliveries_total`.
 */
export function requestLogLevel(url: string, status: number, failed: boolean): 'error' | 'warn' | 'debug' {
  if (failed || status >= 500) return 'error';
  if ((status === 401 || status === 404) && url.startsWith('/v1/sources/')) return 'debug';
  return status >= 400 ? 'warn' : 'debug';
}

/**
 * Paths whose last segment is a capability (a recheck or unsubscribe link's token, SPEC §11): whoever holds the URL can use it, so
 * it never reaches a log.
 */
const CAPABILITY_PATH = /^(\/[ru]\/)[^/?#]+/;
/**
 * A customer id in a path (tickets' `POST /v1/customers/:id/erase`, SPEC §13): where a source falls back to an email
 * as the id (ADR 0024), the id is personal data, so it never reaches a log either.
 */
const CUSTOMER_PATH = /^(\/v1\/customers\/)[^/?#]+/;

export function redactCapabilityPath(url: string | undefined): string | undefined {
  return url?.replace(CAPABILITY_PATH, '$1[redacted]').replace(CUSTOMER_PATH, '$1[redacted]');
}

/** The serializers of the request log: the platform's error serializer (no row data) and a request without capabilities. */
export function httpLogSerializers(service: string, level: string): Record<string, SerializerFn> {
  return { ...loggerOptions(service, level).serializers, req: redactRequest };
}

/** pino-http hands this pino's serialized request; the URL's capability goes, and so do route params (the same). */
function redactRequest(req: { url?: string; params?: unknown }): Record<string, unknown> {
  const { params: _params, ...rest } = req;
  return { ...rest, url: redactCapabilityPath(req.url) };
}

/** Logging (pino, redacted; one line per HTTP request), `/health/live`, `/health/ready`, `/metrics` — the same in every service. */
@Global()
@Module({})
export class ObservabilityModule implements NestModule {
  constructor(@Inject(HTTP_LOGGER) private readonly http: HttpLogger) {}

  static forRoot(o: ObservabilityOptions): DynamicModule {
    if (!defaultMetricsStarted) {
      register.setDefaultLabels({ service: o.service });
      collectDefaultMetrics();
      defaultMetricsStarted = true;
    }
    const logger: Logger = createLogger(o.service, o.logLevel);
    const http = pinoHttp<IncomingMessage, ServerResponse, never>({
      logger,
      // pino-http wraps the error serializer it is given: the platform's (no row data), not pino's own
      serializers: httpLogSerializers(o.service, o.logLevel),
      autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
      customLogLevel: (req, res, err) => requestLogLevel(req.url ?? '', res.statusCode, Boolean(err)),
      quietReqLogger: true,
    });
    return {
      module: ObservabilityModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      providers: [
        { provide: HTTP_LOGGER, useValue: http },
        { provide: PinoNestLogger, useValue: new PinoNestLogger(logger) },
        { provide: SERVICE_LOGGER, useValue: logger },
      ],
      controllers: [HealthController, MetricsController],
      exports: [PinoNestLogger, SERVICE_LOGGER],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(requestLoggingMiddleware(this.http)).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
