import { INestApplication } from '@nestjs/common';
import { NestMicroservice } from '@nestjs/microservices';
import { SERVICE_LOGGER, bootstrapService } from '@closeloop/platform';
import { connectKafkaConsumer } from '@closeloop/messaging';
import { ScoringConfig, SERVICE } from './config';
import { ScoringModule } from './app.module';

/** Starts scoring: HTTP (health, metrics) and its consumer of cx.feedback.received.v1. Used by main.ts and the e2e tests. */
export function startScoring(cfg: ScoringConfig): Promise<INestApplication> {
  return bootstrapService({
    service: SERVICE,
    module: () => ScoringModule.forRoot(cfg),
    http: cfg.http,
    configure: async (app) => {
      connectKafkaConsumer(app, { kafka: cfg.kafka, clientId: `closeloop-${SERVICE}`, groupId: SERVICE, logger: app.get(SERVICE_LOGGER) });
      await runLifecycleHooksOnce(app);
    },
  });
}

/**
 * A hybrid app whose microservice defers its initialisation (connectKafkaConsumer does) gets its init and bootstrap
 * hooks run twice by Nest: from microservice.listen() and again from app.listen(). The outbox relay would start twice
 * and leak a LISTEN connection and a timer (the process never exits). Run them once, here, before the consumer
 * subscribes, so the topics exist and the producer and relay are up when the first message arrives.
 */
async function runLifecycleHooksOnce(app: INestApplication): Promise<void> {
  await app.init();
  for (const ms of app.getMicroservices()) (ms as NestMicroservice).setIsInitHookCalled(true);
}
