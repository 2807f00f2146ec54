import { DynamicModule, Global, Inject, Injectable, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Topic } from '@closeloop/contracts';
import { openEvent, sealEvent } from './event-fields';
import { CustomerKeyStore, MasterKeys, type Queryable } from './key-store';

/**
 * A service's one door to its events' personal fields (ADR 0024): `seal` before an event is written to the outbox
 * or sent, `open` first thing in a handler's transaction, before anything reads a personal field.
 */
@Injectable()
export class Privacy {
  constructor(@Inject(CustomerKeyStore) readonly keys: CustomerKeyStore) {}

  /** `within`: the transaction the event is written in (the outbox's), where a new customer's key is created too. */
  seal<E extends { data: unknown }>(topic: Topic, event: E, within?: Queryable): Promise<E> {
    return sealEvent(topic, event, (customerId) => this.keys.keyFor(customerId, within));
  }

  /**
   * `within`: the handler's transaction (`Inbox.processOnce`'s, its batch's under ADR 0023): a handler opens its event
   * there, as the first thing of its work, so reading a key never waits for another pooled connection.
   */
  open<E extends { data: unknown }>(topic: Topic, event: E, within?: Queryable): Promise<E> {
    return openEvent(topic, event, (keyId) => this.keys.keyById(keyId, within));
  }
}

/** The key store on the service's DataSource (DatabaseModule) and `Privacy`, for every module of the service. */
@Global()
@Module({})
export class PrivacyModule {
  static forRoot(cfg: MasterKeys & { keyCacheMs?: number }): DynamicModule {
    return {
      module: PrivacyModule,
      providers: [
        { provide: CustomerKeyStore, inject: [DataSource], useFactory: (ds: DataSource) => new CustomerKeyStore(ds, cfg, cfg.keyCacheMs) },
        Privacy,
      ],
      exports: [CustomerKeyStore, Privacy],
    };
  }
}
