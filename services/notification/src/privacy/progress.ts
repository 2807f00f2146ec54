import type { ErasureProgressData } from '@closeloop/contracts';

/**
 * A store's report once every record of its work list ended: `done` with how many were erased, or `failed` when
 * any could not be (the reason lists vendor codes only, never personal data). A store with no record is `done`, 0.
 */
export function storeOutcome(done: number, failed: number, reasons: readonly string[]): Pick<ErasureProgressData, 'status' | 'erased' | 'reason'> {
  if (failed === 0) return { status: 'done', erased: done };
  return { status: 'failed', erased: done, reason: `${failed}/${done + failed} failed: ${[...new Set(reasons)].sort().join(', ')}` };
}
