import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError } from './config';
import { createLogger } from './logger';
import { PinoNestLogger } from './nest-logger';

export interface ServiceBootstrap {
  service: string;
  /** Builds the root module; may throw ConfigError (printed as one message, exit code 1). */
  module: () => Type<unknown> | import('@nestjs/common').DynamicModule;
  http: { port: number; host: string };
  /** Hook after the app is created and before it listens: body limits, connecting the Kafka consumer, … */
  configure?: (app: INestApplication) => void | Promise<void>;
}

/**
 * Starts a service: HTTP (health, metrics, its API) and, if any, its Kafka consumers, in one process.
 * SIGTERM/SIGINT close the consumer first (finishing the in-flight message), then HTTP, then the database.
 */
export async function bootstrapService(b: ServiceBootstrap): Promise<INestApplication> {
  const app = await NestFactory.create(b.module() as Type<unknown>, { bufferLogs: true, rawBody: true, abortOnError: false });
  app.useLogger(app.get(PinoNestLogger));
  app.enableShutdownHooks();
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
