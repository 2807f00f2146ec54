import { ERASED, type Queryable } from '@closeloop/platform';

/**
 * Whose history to anonymise (SPEC §13): one customer's (an erasure), or everyone's answered before a time (the
 * routing file's `retention.feedback`). One anonymising function, two WHERE clauses.
 */
export type HistoryScope = { customerId: string } | { respondedBefore: Date };

/** The scope as a WHERE clause on the table aliased `alias`, its one parameter being `$1`. Pure, table-tested. */
export function scopeWhere(scope: HistoryScope, alias: string): { sql: string; param: string | Date } {
  return 'customerId' in scope
    ? { sql: `${alias}.customer_id = $1`, param: scope.customerId }
    : { sql: `${alias}.responded_at < $1`, param: scope.respondedBefore };
}

/**
 * Anonymises what the scoring schema keeps about the customers in `scope`: its only personal datum is the customer id
 * of each negative in `customer_negative` (the repeat-negative history; the id may be an email, SPEC §10 defaults),
 * which becomes ERASED, so the rows (feedback id, answered and recorded times) keep counting but name nobody and never
 * make anyone's later feedback a repeat. The inbox holds event ids only; the outbox holds sealed events until they
 * are sent (their personal fields die with the customer's key, ADR 0024).
 *
 * Idempotent (rows already ERASED are skipped: a second run changes nothing and returns 0). Returns the rows
 * anonymised. Runs in the caller's transaction (`m`). Two rows of one feedback under two customer ids (a source that
 * changed the id between revisions) would collide on the key once both are ERASED: the extra one is deleted (it says
 * nothing the other does not).
 */
export async function anonymiseHistory(m: Queryable, schema: string, scope: HistoryScope): Promise<number> {
  const t = `"${schema}".customer_negative`;
  const x = scopeWhere(scope, 'x');
  const y = scopeWhere(scope, 'y');
  const deleted: unknown[] = await m.query(
    `DELETE FROM ${t} x WHERE ${x.sql} AND x.customer_id <> $2 AND (
       EXISTS (SELECT 1 FROM ${t} e WHERE e.customer_id = $2 AND e.feedback_id = x.feedback_id)
       OR EXISTS (SELECT 1 FROM ${t} y WHERE ${y.sql} AND y.customer_id <> $2 AND y.feedback_id = x.feedback_id AND y.customer_id < x.customer_id))
     RETURNING 1`,
    [x.param, ERASED],
  );
  const updated: unknown[] = await m.query(
    `UPDATE ${t} x SET customer_id = $2 WHERE ${x.sql} AND x.customer_id <> $2 RETURNING 1`,
    [x.param, ERASED],
  );
  return rowCount(deleted) + rowCount(updated);
}

/** TypeORM answers `… RETURNING` with [rows, affected] for UPDATE / DELETE, a plain pg client with rows. */
function rowCount(r: unknown): number {
  return Array.isArray(r) && Array.isArray(r[0]) ? r[0].length : Array.isArray(r) ? r.length : 0;
}
