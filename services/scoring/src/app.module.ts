import { DynamicModule, Module } from '@nestjs/common';
import { DATABASE_READINESS, DatabaseModule, ObservabilityModule, READINESS_CHECKS, PrivacyModule } from '@closeloop/platform';
import { KAFKA_READINESS, MessagingModule } from '@closeloop/messaging';
import { ScoringConfig, SERVICE } from './config';
import { databaseOptions } from './database';
import { NegativeHistory } from './persistence/negative-history';
import { announcedNegative } from './scoring/repeat-negative';
import { FeedbackConsumer } from './scoring/feedback.consumer';
import { Housekeeping } from './scoring/housekeeping';
import { ErasureConsumer } from './privacy/erasure.consumer';
import { HistoryRetention } from './privacy/retention';
import { ROUTING, SCHEMA } from './tokens';

@Module({})
export class ScoringModule {
  static forRoot(cfg: ScoringConfig): DynamicModule {
    const schema = cfg.database.schema;
    return {
      module: ScoringModule,
      imports: [
        ObservabilityModule.forRoot({ service: SERVICE, logLevel: cfg.log.level }),
        DatabaseModule.forRoot(databaseOptions(cfg)), PrivacyModule.forRoot(cfg.privacy),
        MessagingModule.forRoot({ service: SERVICE, kafka: cfg.kafka, schema }),
      ],
      controllers: [FeedbackConsumer, ErasureConsumer],
      providers: [
        { provide: ROUTING, useValue: cfg.routing },
        { provide: SCHEMA, useValue: schema },
        { provide: NegativeHistory, useValue: new NegativeHistory(schema, announcedNegative) },
        Housekeeping,
        HistoryRetention,
        { provide: READINESS_CHECKS, inject: [DATABASE_READINESS, KAFKA_READINESS], useFactory: (...checks: unknown[]) => checks },
      ],
    };
  }
}
