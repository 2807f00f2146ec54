import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap, Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventProducer, Inbox, Outbox, OutboxRelay, SealingOutbox } from '@closeloop/messaging';
import { Logger, Privacy, SERVICE_LOGGER } from '@closeloop/platform';

/** The schema of ingest's tables (DATABASE_SCHEMA). */
export const INGEST_SCHEMA = Symbol('INGEST_SCHEMA');

@Injectable()
class RelayLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(OutboxRelay) private readonly relay: OutboxRelay) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.relay.start();
  }

  // before the DataSource closes and KafkaLink disconnects the producer (both in onApplicationShutdown)
  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}

/**
 * Ingest's inbox and outbox (libs/messaging, in ingest's schema), for its one consumer: the erasure requests (SPEC §13).
 * The pieces MessagingModule gives the other services, without its lifecycle: ingest must start while Kafka is down
 * (KafkaLink connects its one producer in the background), and MessagingModule would wait for Kafka at start and bring
 * a second producer. The relay sends with ingest's producer; while Kafka is down its passes fail and are retried.
 */
export function erasureMessagingProviders(schema: string): Provider[] {
  return [
    { provide: INGEST_SCHEMA, useValue: schema },
    { provide: Inbox, useValue: new Inbox(schema) },
    // personal fields would be sealed (ADR 0024); a progress event has none
    { provide: Outbox, inject: [Privacy], useFactory: (privacy: Privacy) => new SealingOutbox(schema, privacy) },
    {
      provide: OutboxRelay,
      inject: [DataSource, EventProducer, SERVICE_LOGGER],
      useFactory: (ds: DataSource, producer: EventProducer, logger: Logger) => new OutboxRelay(ds, schema, producer, logger),
    },
    RelayLifecycle,
  ];
}
