import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

/**
 * `n` bytes from the operating system's CSPRNG, like `randomBytes(n)`, but drawn from a pool filled 4 KiB at a time:
 * ingest makes a key, a wrapping IV and an IV per personal field for every new customer, and one `randomBytes` call
 * each was ~10% of its CPU in the bench (issue 14). Every byte is handed out once: the pool is never refilled in
 * place, and each caller gets its own copy (zeroing the pool's used part is not needed: nothing reads it again).
 */
export function secureRandom(n: number): Buffer {
  if (n > POOL_BYTES / 4) return randomFillSync(Buffer.allocUnsafe(n));
  if (used + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    used = 0;
  }
  const out = Buffer.from(pool.subarray(used, used + n));
  used += n;
  return out;
}
