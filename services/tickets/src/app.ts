import { INestApplication } from '@nestjs/common';
import { SERVICE_LOGGER, bootstrapService } from '@closeloop/platform';
import { connectKafkaConsumer } from '@closeloop/messaging';
import { TicketsConfig, SERVICE } from './config';
import { TicketsModule } from './app.module';
import { setupTicketsOpenApi } from './openapi/openapi';

/**
 * Starts tickets: the agent API, health and metrics over HTTP; consumers of cx.feedback.scored.v1,
 * cx.ticket.commands.v1, cx.notification.events.v1 and cx.privacy.events.v1 (group `tickets`); the pollers (SLA,
 * recheck, escalation, trends, digest, the erasure's key step, retention). Used by main.ts and
 * by the tests in-process. Migrations are run separately (migrate.ts).
 */
export function startTickets(cfg: TicketsConfig): Promise<INestApplication> {
  return bootstrapService({
    service: SERVICE,
    module: () => TicketsModule.forRoot(cfg),
    http: cfg.http,
    configure: (app) => {
      setupTicketsOpenApi(app);
      connectKafkaConsumer(app, { kafka: cfg.kafka, clientId: `closeloop-${SERVICE}`, groupId: SERVICE, logger: app.get(SERVICE_LOGGER) });
    },
  });
}
