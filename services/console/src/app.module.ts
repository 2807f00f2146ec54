import { DynamicModule, Module } from '@nestjs/common';
import { AuthFailureThrottle, BearerAuth, DATABASE_READINESS, DatabaseModule, ObservabilityModule, READINESS_CHECKS, SERVICE_LOGGER } from '@closeloop/platform';
import { KAFKA_READINESS, MessagingModule } from '@closeloop/messaging';
import { ConsoleConfig, SERVICE } from './config';
import { databaseOptions } from './database';
import { CONSOLE_CONFIG, CONSOLE_LOGGER, ROUTING } from './tokens';
import { BearerGuard } from './auth/bearer.guard';
import { SourcesProxyController } from './proxy/sources.proxy.controller';
import { TicketsProxyController } from './proxy/tickets.proxy.controller';
import { LiveHub } from './live/live-hub';
import { LiveController } from './live/live.controller';
import { LiveConsumer } from './live/live.consumer';
import { KafkaOps } from './ops/kafka-ops';
import { DlqWatcher } from './ops/dlq-watcher';
import { DlqReplay } from './ops/dlq-replay';
import { ServiceProbes } from './ops/service-probes';
import { DeliveryStats } from './ops/delivery-stats';
import { StageLatency } from './ops/stage-latency';
import { OpsController } from './ops/ops.controller';
import { MeController } from './me/me.controller';
import { AgentLocales } from './me/agent-locales';

@Module({})
export class ConsoleModule {
  static forRoot(cfg: ConsoleConfig): DynamicModule {
    return {
      module: ConsoleModule,
      imports: [
        ObservabilityModule.forRoot({ service: SERVICE, logLevel: cfg.log.level }),
        DatabaseModule.forRoot(databaseOptions(cfg)),
        // no schema: the console has no outbox or inbox (it stores nothing it consumes)
        MessagingModule.forRoot({ service: SERVICE, kafka: cfg.kafka }),
      ],
      controllers: [MeController, TicketsProxyController, SourcesProxyController, LiveController, OpsController, LiveConsumer],
      providers: [
        { provide: CONSOLE_CONFIG, useValue: cfg },
        { provide: ROUTING, useValue: cfg.routing },
        // sign-in (/api/me) and every other /api call: one failure budget per address
        { provide: BearerAuth, useValue: new BearerAuth(cfg.apiTokens, new AuthFailureThrottle()) },
        { provide: CONSOLE_LOGGER, useExisting: SERVICE_LOGGER },
        BearerGuard,
        AgentLocales,
        LiveHub,
        KafkaOps,
        DlqWatcher,
        DlqReplay,
        ServiceProbes,
        { provide: DeliveryStats, useValue: new DeliveryStats() },
        { provide: StageLatency, useValue: new StageLatency() },
        { provide: READINESS_CHECKS, inject: [DATABASE_READINESS, KAFKA_READINESS], useFactory: (...checks: unknown[]) => checks },
      ],
    };
  }
}
