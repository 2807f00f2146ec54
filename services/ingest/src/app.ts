import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SERVICE_LOGGER, bootstrapService } from '@closeloop/platform';
import { connectKafkaConsumer } from '@closeloop/messaging';
import { IngestConfig, SERVICE } from './config';
import { IngestModule } from './app.module';
import { setupOpenApi } from './openapi/openapi';
import { KafkaLink } from './kafka/kafka-link';

/**
 * Starts ingest: the feedback API (SPEC §4), its OpenAPI document, health and metrics, and its consumer of the erasure
 * requests (SPEC §13, group `ingest`), which subscribes once ingest first reached Kafka: ingest starts while Kafka is
 * down. Used by main.ts and the tests.
 */
export function startIngest(cfg: IngestConfig): Promise<INestApplication> {
  return bootstrapService({
    service: SERVICE,
    module: () => IngestModule.forRoot(cfg),
    http: cfg.http,
    configure: (app) => {
      // Nest's global JSON/urlencoded parsers would read (up to 100 kB) every body before any check runs. Registering
      // never-matching parsers under their names makes Nest skip its own; IntakeGate reads the body itself, after the
      // key, rate-limit and media-type checks, with the 1 MiB limit and problem+json errors.
      const express = app as NestExpressApplication;
      express.useBodyParser('json', { type: () => false });
      express.useBodyParser('urlencoded', { type: () => false });
      // an ETag on a POST answer is never used, and hashing every response body is not free under load
      express.set('etag', false);
      express.disable('x-powered-by');
      setupOpenApi(app, [IngestModule]);
      const link = app.get(KafkaLink);
      connectKafkaConsumer(app, {
        kafka: cfg.kafka, clientId: `closeloop-${SERVICE}`, groupId: SERVICE, logger: app.get(SERVICE_LOGGER), startAfter: () => link.whenConnected(),
      });
    },
  });
}
