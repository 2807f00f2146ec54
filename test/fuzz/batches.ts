import fc from 'fast-check';

/**
 * The HTTP fuzz files send their generated requests in batches sent at once: a request through ingest mostly waits
 * on Postgres and Kafka, and one at a time that wait was most of the files' time. fast-check generates a run's batch
 * (a fixed-size array of cases, so every run sends the same number); each case is still checked on its own, and a
 * run fails on the first case that fails, after the rest of its batch has answered (no request is left in flight).
 * `FUZZ_BATCH=1` sends them one at a time again.
 */
export const FUZZ_BATCH = Number(process.env.FUZZ_BATCH ?? 16);

/** Batches of `size` cases, and how many runs make at least `cases` cases. */
export function batches<T>(arb: fc.Arbitrary<T>, cases: number, size = FUZZ_BATCH): { arbitrary: fc.Arbitrary<T[]>; numRuns: number } {
  if (!(Number.isInteger(size) && size >= 1)) throw new Error(`FUZZ_BATCH: not a positive integer: ${size}`);
  return { arbitrary: fc.array(arb, { minLength: size, maxLength: size }), numRuns: Math.ceil(cases / size) };
}

/** Checks every case of a batch at once; rejects with the first failure once all have settled. */
export async function checkEach<T>(batch: T[], check: (c: T) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(batch.map(check));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
