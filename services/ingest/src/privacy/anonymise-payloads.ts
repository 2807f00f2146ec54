import { ERASED, type Queryable } from '@closeloop/platform';

/**
 * Whose kept source payloads to anonymise (SPEC §13): one customer's (an erasure), or every payload received before a
 * time (the routing file's `retention.sourcePayloads`). One anonymising function, two WHERE clauses.
 */
export type PayloadScope = { customerId: string } | { receivedBefore: Date };

/** The scope as a WHERE clause on kept_payload, its one parameter being `$1`. Pure, table-tested. */
export function scopeWhere(scope: PayloadScope): { sql: string; param: string | Date } {
  return 'customerId' in scope ? { sql: 'customer_id = $1', param: scope.customerId } : { sql: 'received_at < $1', param: scope.receivedBefore };
}

/**
 * Anonymises the kept (422) source payloads in `scope`, what survey tools sent (SPEC §10): the body becomes ERASED,
 * the fetched answers (qualtrics, surveymonkey) NULL, each error keeps its field but its message (which may quote the
 * payload's values) becomes ERASED, and the customer id NULL. Kept: the row, its source, kind, times, size, reason (field
 * names only), replay outcome and feedback id, so the Sources page still counts it. The latest deliveries
 * (`source_delivery`) hold no payload, and `feedback_revision` only ids and a digest: nothing there to erase.
 *
 * Idempotent: a row anonymised once (`anonymised_at`) is skipped, so a second run returns 0. Returns the rows
 * anonymised. Runs in the caller's transaction (`m`). A replay of an anonymised payload finds nothing to map (422).
 */
export async function anonymiseKeptPayloads(m: Queryable, schema: string, scope: PayloadScope): Promise<number> {
  const where = scopeWhere(scope);
  const rows: { n: string }[] = await m.query(
    `WITH gone AS (
       UPDATE "${schema}".kept_payload SET
         body = convert_to($2, 'UTF8'),
         fetched = NULL,
         errors = COALESCE((SELECT jsonb_agg(jsonb_build_object('field', e->>'field', 'message', $2::text)) FROM jsonb_array_elements(errors) e), '[]'::jsonb),
         customer_id = NULL,
         anonymised_at = now()
       WHERE ${where.sql} AND anonymised_at IS NULL
       RETURNING 1)
     SELECT count(*) AS n FROM gone`,
    [where.param, ERASED],
  );
  return Number(rows[0]?.n ?? 0);
}
