import { INestApplication } from '@nestjs/common';
import { SERVICE_LOGGER, bootstrapService } from '@closeloop/platform';
import { connectKafkaConsumer } from '@closeloop/messaging';
import { NotificationConfig, SERVICE } from './config';
import { NotificationModule } from './app.module';

/**
 * Starts notification: HTTP (health, metrics, Slack interactions, Twilio status callbacks), its consumer of
 * cx.ticket.events.v1 and the delivery worker. Used by main.ts and the tests.
 */
export function startNotification(cfg: NotificationConfig): Promise<INestApplication> {
  return bootstrapService({
    service: SERVICE,
    module: () => NotificationModule.forRoot(cfg),
    http: cfg.http,
    configure: (app) => {
      connectKafkaConsumer(app, { kafka: cfg.kafka, clientId: `closeloop-${SERVICE}`, groupId: SERVICE, logger: app.get(SERVICE_LOGGER) });
    },
  });
}
