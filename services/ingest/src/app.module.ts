import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { AuthFailureThrottle, BearerAuth, DATABASE_READINESS, DatabaseModule, Logger, ObservabilityModule, READINESS_CHECKS, SERVICE_LOGGER, PrivacyModule } from '@closeloop/platform';
import { EventProducer, KAFKA_READINESS } from '@closeloop/messaging';
import { IngestConfig, SERVICE } from './config';
import { databaseOptions } from './database';
import { FeedbackController } from './feedback/feedback.controller';
import { IntakeService } from './feedback/intake.service';
import { typeOf } from './http/problem';
import { AGENT_AUTH, AgentAuthGuard, ROUTING } from './http/agent-auth.guard';
import { IntakeGate } from './http/intake-gate';
import { TokenBucketLimiter } from './http/rate-limiter';
import { KafkaLink } from './kafka/kafka-link';
import { DataSource } from 'typeorm';
import { RevisionStore } from './persistence/revision-store';
import { DeliveryHousekeeping } from './sources/deliveries/housekeeping';
import { DeliveryRecorder } from './sources/deliveries/delivery-recorder';
import { DeliveryStore } from './sources/deliveries/delivery-store';
import { SourceIntakeService, SourcesSettings } from './sources/intake/source-intake.service';
import { SourcesController } from './sources/intake/sources.controller';
import { SourcesOpsController } from './sources/ops/sources-ops.controller';
import { ReplayService } from './sources/replay/replay.service';
import { ErasureConsumer } from './privacy/erasure.consumer';
import { erasureMessagingProviders } from './privacy/erasure-messaging';
import { PayloadRetention } from './privacy/retention';

/**
 * Ingest publishes feedback straight to Kafka, and its start does not wait for Kafka: KafkaLink owns the producer's
 * lifecycle and the readiness check (see kafka-link.ts). Its one consumer, the erasure requests (SPEC §13), has an
 * inbox and an outbox from libs/messaging without MessagingModule's lifecycle (privacy/erasure-messaging.ts) and starts
 * once KafkaLink first connected (app.ts). Its database (schema `ingest`) holds what it records about deliveries; like the other
 * database services it connects at start and its readiness checks Postgres too.
 */
@Module({})
export class IngestModule implements NestModule {
  static forRoot(cfg: IngestConfig): DynamicModule {
    return {
      module: IngestModule,
      imports: [ObservabilityModule.forRoot({ service: SERVICE, logLevel: cfg.log.level }), DatabaseModule.forRoot(databaseOptions(cfg)), PrivacyModule.forRoot(cfg.privacy)],
      controllers: [FeedbackController, SourcesController, SourcesOpsController, ErasureConsumer],
      providers: [
        { provide: EventProducer, inject: [SERVICE_LOGGER], useFactory: (logger: Logger) => new EventProducer(cfg.kafka, `closeloop-${SERVICE}`, logger, cfg.kafkaTimeoutMs) },
        { provide: KafkaLink, inject: [EventProducer, SERVICE_LOGGER], useFactory: (p: EventProducer, logger: Logger) => new KafkaLink(p, cfg.kafka, logger, cfg.kafkaTimeoutMs) },
        { provide: KAFKA_READINESS, inject: [KafkaLink], useFactory: (link: KafkaLink) => link.readiness() },
        { provide: READINESS_CHECKS, inject: [DATABASE_READINESS, KAFKA_READINESS], useFactory: (...checks: unknown[]) => checks },
        { provide: RevisionStore, inject: [DataSource, SERVICE_LOGGER], useFactory: (ds: DataSource, logger: Logger) => new RevisionStore(ds, cfg.database.schema, logger) },
        // no per-address failure throttle: senders are survey tools and importers, often many behind one address, and
        // the keys are long random strings compared in constant time (the per-key rate limit applies once signed in)
        { provide: BearerAuth, useValue: new BearerAuth(cfg.apiKeys, null, { realm: 'closeloop-ingest', problemType: typeOf }) },
        { provide: TokenBucketLimiter, useValue: new TokenBucketLimiter(cfg.rateLimit.perSecond, cfg.rateLimit.burst) },
        { provide: SourcesSettings, useValue: SourcesSettings.of(cfg.routing.sources, cfg.sourceSecrets, cfg.sourceFetchTimeoutMs, cfg.deliveryBounds) },
        { provide: DeliveryStore, useValue: new DeliveryStore(cfg.database.schema, cfg.deliveryBounds) },
        DeliveryRecorder,
        DeliveryHousekeeping,
        ReplayService,
        ...erasureMessagingProviders(cfg.database.schema),
        PayloadRetention,
        { provide: ROUTING, useValue: cfg.routing },
        // the ops API's agents, throttled per address like the tickets API (people sign in with these, machines do not)
        { provide: AGENT_AUTH, useValue: new BearerAuth(cfg.apiTokens, new AuthFailureThrottle()) },
        AgentAuthGuard,
        IntakeGate,
        IntakeService,
        SourceIntakeService,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(IntakeGate).forRoutes(
      { path: 'v1/feedback', method: RequestMethod.ALL },
      { path: 'v1/feedback/batch', method: RequestMethod.ALL },
    );
  }
}
