import { DataSource, EntityManager } from 'typeorm';

/** A transaction in progress, plus work to do only once it committed (metrics, logs of what happened). */
export interface Tx {
  m: EntityManager;
  afterCommit(fn: () => void): void;
}

export function newTx(m: EntityManager): Tx & { committed(): void } {
  const hooks: (() => void)[] = [];
  return { m, afterCommit: (fn) => void hooks.push(fn), committed: () => hooks.forEach((h) => h()) };
}

/** Runs `work` in one transaction; after-commit hooks run only if it committed. */
export async function inTransaction<T>(ds: DataSource, work: (tx: Tx) => Promise<T>): Promise<T> {
  let tx: ReturnType<typeof newTx> | undefined;
  const result = await ds.transaction(async (m) => {
    tx = newTx(m);
    return work(tx);
  });
  tx?.committed();
  return result;
}
