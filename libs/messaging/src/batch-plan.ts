/**
 * How a fetched batch of one partition is processed, in offset order (docs/adr/0023): runs of valid messages share
 * one transaction (at most `maxPerTransaction` each); a message that cannot reach a handler (undecodable, invalid,
 * no handler) is dead-lettered in its place, between two runs; a handler that opted out of sharing
 * (`OWN_TRANSACTION`) gets one transaction per message, as before batching.
 */
export type Step = { kind: 'batch'; from: number; to: number } | { kind: 'single'; at: number } | { kind: 'dead-letter'; at: number };

/** What each message of the batch is: an event for a handler that shares the transaction, one that does not, or a dead letter. */
export type MessageKind = 'shared' | 'own' | 'dead-letter';

export function planBatch(kinds: readonly MessageKind[], maxPerTransaction: number): Step[] {
  const steps: Step[] = [];
  let runFrom = -1;
  const closeRun = (to: number) => {
    for (let from = runFrom; runFrom >= 0 && from < to; from += maxPerTransaction) steps.push({ kind: 'batch', from, to: Math.min(to, from + maxPerTransaction) });
    runFrom = -1;
  };
  kinds.forEach((kind, i) => {
    if (kind === 'shared') {
      if (runFrom < 0) runFrom = i;
      return;
    }
    closeRun(i);
    steps.push(kind === 'own' ? { kind: 'single', at: i } : { kind: 'dead-letter', at: i });
  });
  closeRun(kinds.length);
  return steps;
}

/**
 * A shared transaction over [from, to) failed at `failedAt` (a handler threw there, or `from` when the commit itself
 * failed): nothing of it was committed. The messages before the failing one share a transaction again, the failing
 * one is handled alone with the per-message policy (retries with backoff; an outage waits; dead-letter after the
 * attempts), then the rest share one again. Order is kept, and only the failing message can end in the DLQ.
 */
export function splitAfterFailure(from: number, to: number, failedAt: number): Step[] {
  const at = Math.min(Math.max(failedAt, from), to - 1);
  const steps: Step[] = [];
  if (at > from) steps.push({ kind: 'batch', from, to: at });
  steps.push({ kind: 'single', at });
  if (at + 1 < to) steps.push({ kind: 'batch', from: at + 1, to });
  return steps;
}
