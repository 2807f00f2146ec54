import { deterministicId, makeEnvelope, type ErasureProgressData, type ErasureProgressEvent } from '@closeloop/contracts';
import { SERVICE } from '../config';

/** Longest `reason` the contract accepts. */
const REASON_MAX = 500;

/**
 * `customer.erasure_progress` of one store, answering one `customer.erasure_requested`. Its id derives from (request,
 * store, reporter): a report sent again after a crash is the same event, while an admin's retry (a new request for
 * the same erasure, ADR 0026) gets a new report that tickets does not take for a duplicate.
 */
export function progressEvent(p: Omit<ErasureProgressData, 'by'>, requestEventId: string, at: Date = new Date()): ErasureProgressEvent {
  const data: ErasureProgressData = { ...p, by: SERVICE, ...(p.reason !== undefined ? { reason: p.reason.slice(0, REASON_MAX) } : {}) };
  return makeEnvelope('customer.erasure_progress', data, SERVICE, {
    eventId: deterministicId('customer.erasure_progress', requestEventId, p.store, SERVICE),
    occurredAt: at,
  }) as ErasureProgressEvent;
}

/**
 * A store's report once every record of its work list ended: `done` with how many were erased, or `failed` when
 * any could not be (the reason lists vendor codes only, never personal data). A store with no record is `done`, 0.
 */
export function storeOutcome(done: number, failed: number, reasons: readonly string[]): Pick<ErasureProgressData, 'status' | 'erased' | 'reason'> {
  if (failed === 0) return { status: 'done', erased: done };
  return { status: 'failed', erased: done, reason: `${failed}/${done + failed} failed: ${[...new Set(reasons)].sort().join(', ')}` };
}
