import type { EntityManager } from 'typeorm';
import { Topic, personalFieldsOf } from '@closeloop/contracts';
import { CustomerKeyStore, keyIdOf } from '@closeloop/platform';

function get(o: unknown, path: string): unknown {
  let v: unknown = o;
  for (const p of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/** The data key ids the personal fields of these events name (ADR 0024), each once. */
export function keyIdsOf(topic: Topic, events: readonly unknown[]): string[] {
  const spec = personalFieldsOf(topic);
  if (!spec) return [];
  const ids = new Set<string>();
  for (const event of events) {
    const data = (event as { data?: unknown } | null)?.data;
    for (const path of spec.fields) {
      const v = get(data, path);
      const id = typeof v === 'string' ? keyIdOf(v) : null;
      if (id) ids.add(id);
    }
  }
  return [...ids];
}

/**
 * What a batched consumer does first in a batch's transaction (docs/adr/0023): the data keys of every event of the
 * batch in one SELECT, so each handler's `Privacy.open` (and the sealing of what it produces) finds its key cached
 * instead of reading it with a statement of its own.
 */
export function keyPrefetch(keys: Pick<CustomerKeyStore, 'prefetchByIds'>) {
  return async (topic: Topic, events: readonly unknown[], m: EntityManager): Promise<void> => {
    const ids = keyIdsOf(topic, events);
    if (ids.length) await keys.prefetchByIds(ids, m);
  };
}
