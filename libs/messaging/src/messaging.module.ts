import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { Privacy, ReadinessCheck, SERVICE_LOGGER } from '@closeloop/platform';
import { KafkaSettings } from './kafka';
import { EventProducer } from './producer';
import { Outbox, OutboxRelay } from './outbox';
import { Inbox } from './inbox';
import { keyPrefetch } from './key-prefetch';
import { SealingOutbox } from './sealing-outbox';
import { ensureTopics } from './topics';

export const KAFKA_SETTINGS = Symbol('KAFKA_SETTINGS');
export const KAFKA_READINESS = Symbol('KAFKA_READINESS');
/** The service's one logger (SERVICE_LOGGER of ObservabilityModule, which every service importing MessagingModule imports), under the name messaging code injects. */
export const MESSAGING_LOGGER = Symbol('MESSAGING_LOGGER');

export interface MessagingOptions {
  service: string;
  kafka: KafkaSettings;
  /** The service's schema, when it has a database: enables the outbox relay and the inbox. */
  schema?: string;
  /** Create missing topics at start (default true). */
  ensureTopics?: boolean;
}

@Injectable()
class MessagingLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly producer: EventProducer,
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings & { ensure: boolean },
    @Optional() private readonly relay?: OutboxRelay,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.settings.ensure) await ensureTopics(this.producer.client, this.settings);
    await this.producer.connect();
    await this.relay?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
    await this.producer.disconnect();
  }
}

/** The producer, the outbox (writer and relay) and the inbox of a service, with their lifecycle and readiness. */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(o: MessagingOptions): DynamicModule {
    const providers: any[] = [
      { provide: MESSAGING_LOGGER, useExisting: SERVICE_LOGGER },
      { provide: KAFKA_SETTINGS, useValue: { ...o.kafka, ensure: o.ensureTopics ?? true } },
      { provide: EventProducer, inject: [MESSAGING_LOGGER], useFactory: (logger: Logger) => new EventProducer(o.kafka, `closeloop-${o.service}`, logger) },
      {
        provide: KAFKA_READINESS,
        inject: [EventProducer],
        useFactory: (p: EventProducer): ReadinessCheck => ({ name: 'kafka', check: () => p.ping() }),
      },
      MessagingLifecycle,
    ];
    const exports: any[] = [EventProducer, KAFKA_SETTINGS, KAFKA_READINESS, MESSAGING_LOGGER];
    if (o.schema) {
      const schema = o.schema;
      providers.push(
        // personal fields are encrypted on the way in (ADR 0024): a service with an outbox imports PrivacyModule
        { provide: Outbox, inject: [Privacy], useFactory: (privacy: Privacy) => new SealingOutbox(schema, privacy) },
        // a batch's first claim also reads the data keys of the batch's events in one statement (key-prefetch.ts)
        { provide: Inbox, inject: [Privacy], useFactory: (privacy: Privacy) => new Inbox(schema, keyPrefetch(privacy.keys)) },
        {
          provide: OutboxRelay,
          inject: [DataSource, EventProducer, MESSAGING_LOGGER],
          useFactory: (ds: DataSource, p: EventProducer, logger: Logger) => new OutboxRelay(ds, schema, p, logger),
        },
      );
      exports.push(Outbox, Inbox, OutboxRelay);
    }
    return { module: MessagingModule, providers, exports };
  }
}
