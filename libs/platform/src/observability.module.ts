import { Controller, DynamicModule, Get, Global, Header, Inject, MiddlewareConsumer, Module, NestModule, RequestMethod, Res } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pinoHttp, type HttpLogger } from 'pino-http';
import { collectDefaultMetrics, register } from 'prom-client';
import { loggerOptions } from './logger';
import { PinoNestLogger, requestLoggingMiddleware } from './nest-logger';

/** Something `/health/ready` must see working: the service's database, its Kafka connection, … */
export interface ReadinessCheck {
  name: string;
  /** Resolves when healthy; rejects (with a reason) when not. Should answer within a second or two. */
  check(): Promise<void>;
}
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

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

  @Get('ready')
  @HealthCheck()
  ready() {
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
    const http = pinoHttp<IncomingMessage, ServerResponse, never>({
      ...loggerOptions(o.service, o.logLevel),
      autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug'),
      quietReqLogger: true,
    });
    return {
      module: ObservabilityModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      providers: [
        { provide: HTTP_LOGGER, useValue: http },
        { provide: PinoNestLogger, useValue: new PinoNestLogger(http.logger) },
      ],
      controllers: [HealthController, MetricsController],
      exports: [PinoNestLogger],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(requestLoggingMiddleware(this.http)).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
