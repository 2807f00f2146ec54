import type { ErasureProgressEvent, ErasureRequestedEvent } from '../envelope';
import { deterministicId, makeEnvelope } from '../envelope';
import type { ErasureProgressData } from './privacy';

const REASON_MAX = 500;

/**
 * A participant's answer to one `customer.erasure_requested` (SPEC §13): `customer.erasure_progress` for its store.
 * The eventId derives from the request's eventId and the store, so handling the same request again (a redelivery the
 * inbox no longer remembers) answers with the same event, which the orchestrator's inbox drops; a new request for the
 * same erasure (a retry by the orchestrator) gets an answer of its own.
 */
export function erasureProgressEvent(
  request: { eventId: string; data: Pick<ErasureRequestedEvent['data'], 'erasureId' | 'customerId'> },
  progress: Pick<ErasureProgressData, 'store' | 'status' | 'erased' | 'by' | 'reason'>,
  occurredAt: Date = new Date(),
): ErasureProgressEvent {
  const data: ErasureProgressData = {
    erasureId: request.data.erasureId,
    customerId: request.data.customerId,
    store: progress.store,
    status: progress.status,
    erased: progress.erased,
    by: progress.by,
    // the contract's longest reason: a participant's list of vendor codes is cut, never refused
    ...(progress.reason !== undefined && { reason: progress.reason.slice(0, REASON_MAX) }),
  };
  return makeEnvelope('customer.erasure_progress', data, progress.by, {
    eventId: deterministicId('erasure-progress', request.eventId, progress.store),
    occurredAt,
  });
}
