import { INestApplication } from '@nestjs/common';
import { SERVICE_LOGGER, bootstrapService } from '@closeloop/platform';
import { connectKafkaConsumer } from '@closeloop/messaging';
import { ConsoleConfig, SERVICE } from './config';
import { ConsoleModule } from './app.module';
import { CONSOLE_CSP, serveSpa } from './web/spa';

/**
 * Starts the console: the SPA, its API under /api (agent API proxy, live feed, ops data), health and metrics,
 * and its consumer (group `console`) of ticket and delivery events. Used by main.ts and the tests.
 */
export function startConsole(cfg: ConsoleConfig): Promise<INestApplication> {
  return bootstrapService({
    service: SERVICE,
    module: () => ConsoleModule.forRoot(cfg),
    http: cfg.http,
    contentSecurityPolicy: CONSOLE_CSP,
    configure: (app) => {
      serveSpa(app, cfg.webDir);
      connectKafkaConsumer(app, { kafka: cfg.kafka, clientId: `closeloop-${SERVICE}`, groupId: SERVICE, logger: app.get(SERVICE_LOGGER) });
    },
  });
}
