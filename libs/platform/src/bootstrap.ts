import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError } from './config';
import { createLogger } from './logger';
import { BodyDepthInterceptor } from './json-depth';
import { PinoNestLogger } from './nest-logger';
import { ProblemFilter } from './problem';
import { ContentSecurityPolicy, securityHeaders } from './security-headers';

export interface ServiceBootstrap {
  service: string;
  /** Builds the root module; may throw ConfigError (printed as one message, exit code 1). */
  module: () => Type<unknown> | import('@nestjs/common').DynamicModule;
  http: { port: number; host: string };
  /** The Content-Security-Policy of every answer (default: API_CSP; the console gives its SPA's). */
  contentSecurityPolicy?: ContentSecurityPolicy;
  /** Hook after the app is created and before it listens: body limits, connecting the Kafka consumer, … */
  configure?: (app: INestApplication) => void | Promise<void>;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Nest closes its microservices (our Kafka consumers) only after every onModuleDestroy and beforeApplicationShutdown
 * hook has run: a consumer could still be handling a message while the producer, the outbox relay or a worker it
 * calls is already stopped. So `app.close()` (and SIGTERM/SIGINT) first stops the consumers, which finish the
 * in-flight message, then runs Nest's close: hooks, HTTP, and last the database (onApplicationShutdown).
 */
function closeConsumersFirst(app: INestApplication): void {
  // Nest's own close, from the prototype: the proxy NestFactory returns would look `close` up again and find ours
  const nestClose = (Object.getPrototypeOf(app) as { close(this: INestApplication): Promise<void> }).close.bind(app);
  let closing: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    app.close().then(
      () => process.kill(process.pid, signal),
      (err) => {
        createLogger('shutdown').error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const s of SIGNALS) process.once(s, onSignal);
  const close = () =>
    (closing ??= (async () => {
      for (const s of SIGNALS) process.off(s, onSignal);
      for (const ms of app.getMicroservices()) {
        // terminated first, so closing it does not run the application's hooks a second time
        (ms as unknown as { setIsTerminated?(v: boolean): void }).setIsTerminated?.(true);
        await ms.close();
      }
      await nestClose();
    })());
  // NestFactory's proxy ignores assignments; defining the property reaches the application itself
  Object.defineProperty(app, 'close', { value: close, configurable: true, writable: true });
}

/**
 * Starts a service: HTTP (health, metrics, its API) and, if any, its Kafka consumers, in one process, with the
 * platform's security headers (helmet), its one exception filter (problem+json, 5xx logged) and a depth limit on
 * request bodies (a 400, not a stack overflow in a recursive copy).
 */
export async function bootstrapService(b: ServiceBootstrap): Promise<INestApplication> {
  const app = await NestFactory.create(b.module() as Type<unknown>, { bufferLogs: true, rawBody: true, abortOnError: false });
  const logger = app.get(PinoNestLogger);
  app.useLogger(logger);
  app.use(securityHeaders(b.contentSecurityPolicy));
  app.useGlobalFilters(new ProblemFilter({ error: (obj, msg) => logger.pino.error({ context: b.service, ...obj }, msg) }));
  app.useGlobalInterceptors(new BodyDepthInterceptor());
  closeConsumersFirst(app);
  await b.configure?.(app);
  // init first: bootstrap hooks create topics and connect the producer before any consumer subscribes
  await app.init();
  await app.startAllMicroservices();
  await app.listen(b.http.port, b.http.host);
  app.get(PinoNestLogger).log(`${b.service} listening on http://${b.http.host}:${b.http.port}`);
  return app;
}

/** `main.ts` of every service: run, and turn a configuration problem into one clear message and exit code 1. */
export function runMain(service: string, start: () => Promise<unknown>): void {
  Promise.resolve().then(start).catch((err) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
    } else {
      createLogger(service).fatal({ err }, `${service} failed to start`);
    }
    process.exit(1);
  });
}
