import { INestApplication } from '@nestjs/common';
import { bootstrapService, createLogger } from '@closeloop/platform';
import { connectKafkaConsumer } from '@closeloop/messaging';
import { ScoringConfig, SERVICE } from './config';
import { ScoringModule } from './app.module';

/** Starts scoring: HTTP (health, metrics) and its consumer of cx.feedback.received.v1. Used by main.ts and the e2e tests. */
export function startScoring(cfg: ScoringConfig): Promise<INestApplication> {
  return bootstrapService({
    service: SERVICE,
    module: () => ScoringModule.forRoot(cfg),
    http: cfg.http,
    configure: (app) => {
      connectKafkaConsumer(app, { kafka: cfg.kafka, clientId: `closeloop-${SERVICE}`, groupId: SERVICE, logger: createLogger(SERVICE, cfg.log.level) });
    },
  });
}
