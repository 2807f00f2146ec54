import type { DataSource, EntityManager } from 'typeorm';
import { Topic, erasureProgressEvent, type ErasureRequestedEvent, type ErasureStore } from '@closeloop/contracts';
import { Inbox } from './inbox';
import { Outbox } from './outbox';

export interface ErasureParticipant {
  ds: DataSource;
  inbox: Inbox;
  outbox: Outbox;
  /** the inbox consumer name the request is claimed under */
  consumer: string;
  /** the reporting service (`by` of the answer) */
  by: string;
}

/**
 * A store's part of an erasure (SPEC §13, ADR 0026), the one way every participant takes it: once per request (the
 * inbox), `erase` anonymises the store's copies of the customer and the store answers `customer.erasure_progress`
 * done with that count through the outbox, all in one transaction (the batch's, ADR 0023). A failure rolls all of it
 * back and the request is retried. Returns the count, or undefined for a redelivery the inbox already saw.
 */
export async function eraseOnce(
  p: ErasureParticipant,
  request: ErasureRequestedEvent,
  store: ErasureStore,
  erase: (m: EntityManager) => Promise<number>,
): Promise<number | undefined> {
  let erased: number | undefined;
  const ran = await p.inbox.processOnce(p.ds, p.consumer, request.eventId, async (m) => {
    const n = await erase(m);
    erased = n;
    await p.outbox.add(m, Topic.PrivacyEvents, request.data.customerId, erasureProgressEvent(request, { store, status: 'done', erased: n, by: p.by }));
  });
  return ran ? erased : undefined;
}
