import { deterministicId, makeEnvelope, type ErasureProgressData, type ErasureProgressEvent } from '@closeloop/contracts';
import { SERVICE } from '../config';

/** Longest `reason` the contract accepts. */
const REASON_MAX = 500;

/**
 * `customer.erasure_progress` of one store of one erasure. Its id derives from (erasure, store, reporter), so a
 * report sent again after a crash is the same event (tickets keeps the last one; `done` is never taken back).
 */
export function progressEvent(p: Omit<ErasureProgressData, 'by'>, at: Date = new Date()): ErasureProgressEvent {
  const data: ErasureProgressData = { ...p, by: SERVICE, ...(p.reason !== undefined ? { reason: p.reason.slice(0, REASON_MAX) } : {}) };
  return makeEnvelope('customer.erasure_progress', data, SERVICE, {
    eventId: deterministicId('customer.erasure_progress', p.erasureId, p.store, SERVICE),
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
