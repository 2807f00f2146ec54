import { EntityManager } from 'typeorm';
import { ERASED } from '@closeloop/platform';
import type { SummaryPart } from '../domain/timeline';
import { erasedTimeline } from './erasure-rules';

/**
 * Which personal data of the tickets schema to anonymise (SPEC §13): one customer's (an erasure), resolved tickets
 * older than `retention.resolvedTickets` (by resolution time), or feedback older than `retention.feedback` (by received
 * time). One function does all three; only the WHERE clauses differ.
 */
export type AnonymiseScope =
  | { kind: 'customer'; customerId: string }
  | { kind: 'resolvedBefore'; before: Date; limit: number }
  | { kind: 'feedbackBefore'; before: Date };

/** Rows changed, per table (counts kept for the progress event and the retention log; never texts). */
export type AnonymiseCounts = Record<'ticket' | 'ticketFeedback' | 'note' | 'timeline' | 'customerMessage' | 'customerContact', number>;

export const totalOf = (c: AnonymiseCounts) => Object.values(c).reduce((a, b) => a + b, 0);

/**
 * Replaces the texts with ERASED (`‹erased›`) and contact fields with NULL (absent in JSON), keeping ids, scores,
 * touchpoints, timestamps and statuses, so reports count the same. Every statement only touches what still holds
 * something (`IS DISTINCT FROM '‹erased›'`): running it again changes nothing. In the caller's transaction.
 *
 * - `ticket`: customer_name (ERASED even when absent: the mark the API answers `customerErased` from), comment,
 *   resolution_note;
 * - `ticket_feedback.scored`: the feedback's comment and customer name (ERASED), email and phone (removed);
 * - `note.body`, `customer_message` (body, subject, and the request kept for Idempotency-Key: its body and subject);
 * - `timeline`: the personal arguments of each entry's catalog parts, its summary rendered again, a customer actor's
 *   name and the personal keys of `data` (erasure-rules.ts);
 * - `customer_contact`: name, email, phone to NULL (opt-outs kept: they are about consent, not identity).
 * `feedback_seen` holds ids, scores and attributes only; `recheck_schedule`, `escalation_step`, `trend`,
 * `digest_sent`, `assign_counter`, `inbox` hold no text of a customer; `outbox` rows are sealed events (ADR 0024).
 */
export async function anonymise(m: EntityManager, schema: string, scope: AnonymiseScope): Promise<AnonymiseCounts> {
  const t = (table: string) => `"${schema}".${table}`;
  const E = ERASED;
  const counts: AnonymiseCounts = { ticket: 0, ticketFeedback: 0, note: 0, timeline: 0, customerMessage: 0, customerContact: 0 };
  const n = async (sql: string, params: unknown[]) => Number((await m.query(`WITH u AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM u`, params))[0].n);

  // the tickets whose own texts go: a customer's, or resolved ones older than the age (each once: the name marks it done)
  let ticketIds: string[] = [];
  if (scope.kind === 'customer') {
    ticketIds = (await m.query(`SELECT id FROM ${t('ticket')} WHERE customer_id = $1 ORDER BY id`, [scope.customerId])).map((r: { id: string }) => r.id);
  } else if (scope.kind === 'resolvedBefore') {
    ticketIds = (await m.query(
      `SELECT id FROM ${t('ticket')} WHERE status = 'resolved' AND resolved_at < $1 AND customer_name IS DISTINCT FROM $2
       ORDER BY resolved_at, id LIMIT $3 FOR UPDATE SKIP LOCKED`,
      [scope.before, E, scope.limit],
    )).map((r: { id: string }) => r.id);
  }

  if (ticketIds.length) {
    counts.note = await n(`UPDATE ${t('note')} SET body = $2 WHERE ticket_id = ANY($1::uuid[]) AND body IS DISTINCT FROM $2`, [ticketIds, E]);
    counts.customerMessage = await n(
      `UPDATE ${t('customer_message')} SET body = $2, subject = CASE WHEN subject IS NULL THEN NULL ELSE $2 END,
         request = CASE WHEN request ? 'body' THEN jsonb_set(request, '{body}', to_jsonb($2::text)) ELSE request END
                   || CASE WHEN request ? 'subject' THEN jsonb_build_object('subject', $2::text) ELSE '{}'::jsonb END
       WHERE ticket_id = ANY($1::uuid[]) AND body IS DISTINCT FROM $2`,
      [ticketIds, E],
    );
    counts.timeline = await eraseTimeline(m, t('timeline'), ticketIds);
    counts.ticket = await n(
      `UPDATE ${t('ticket')} SET customer_name = $2, comment = CASE WHEN comment IS NULL THEN NULL ELSE $2 END,
         resolution_note = CASE WHEN resolution_note IS NULL THEN NULL ELSE $2 END
       WHERE id = ANY($1::uuid[]) AND (customer_name IS DISTINCT FROM $2 OR comment IS DISTINCT FROM $2 AND comment IS NOT NULL
         OR resolution_note IS DISTINCT FROM $2 AND resolution_note IS NOT NULL)`,
      [ticketIds, E],
    );
  }

  // the feedback kept on tickets: a customer's (all of their tickets'), a resolved ticket's, or any received before the age
  const feedbackWhere =
    scope.kind === 'feedbackBefore' ? `COALESCE((scored->'feedback'->>'receivedAt')::timestamptz, attached_at) < $1` : `ticket_id = ANY($1::uuid[])`;
  if (scope.kind === 'feedbackBefore' || ticketIds.length) {
    counts.ticketFeedback = await n(
      `UPDATE ${t('ticket_feedback')} SET scored = jsonb_set(
           jsonb_set(scored #- '{feedback,customer,email}' #- '{feedback,customer,phone}', '{feedback,customer,name}', to_jsonb($2::text)),
           '{feedback,comment}', to_jsonb($2::text), false)
       WHERE ${feedbackWhere} AND (scored->'feedback'->'customer'->>'name' IS DISTINCT FROM $2
         OR scored->'feedback'->'customer' ? 'email' OR scored->'feedback'->'customer' ? 'phone'
         OR scored->'feedback' ? 'comment' AND scored->'feedback'->>'comment' IS DISTINCT FROM $2)`,
      [scope.kind === 'feedbackBefore' ? scope.before : ticketIds, E],
    );
  }

  // how to reach the customer: theirs, or details given by feedback older than the age
  if (scope.kind !== 'resolvedBefore') {
    counts.customerContact = await n(
      `UPDATE ${t('customer_contact')} SET name = NULL, email = NULL, phone = NULL
       WHERE ${scope.kind === 'customer' ? 'customer_id = $1' : 'as_of < $1'} AND (name IS NOT NULL OR email IS NOT NULL OR phone IS NOT NULL)`,
      [scope.kind === 'customer' ? scope.customerId : scope.before],
    );
  }
  return counts;
}

interface TimelineRow {
  id: string;
  summary: string;
  summary_parts: SummaryPart[] | null;
  actor: { kind: string; id?: string; name?: string } | null;
  data: Record<string, unknown>;
}

/** The timeline entries of these tickets, rewritten by `erasedTimeline`; only the ones that change are written. */
async function eraseTimeline(m: EntityManager, table: string, ticketIds: string[]): Promise<number> {
  const rows: TimelineRow[] = await m.query(`SELECT id, summary, summary_parts, actor, data FROM ${table} WHERE ticket_id = ANY($1::uuid[])`, [ticketIds]);
  let changed = 0;
  for (const r of rows) {
    const before = { summary: r.summary, parts: r.summary_parts, actor: r.actor, data: r.data };
    const after = erasedTimeline(before);
    if (JSON.stringify(after) === JSON.stringify(before)) continue;
    await m.query(`UPDATE ${table} SET summary = $2, summary_parts = $3::jsonb, actor = $4::jsonb, data = $5::jsonb WHERE id = $1`, [
      r.id, after.summary, after.parts === null ? null : JSON.stringify(after.parts), after.actor === null ? null : JSON.stringify(after.actor), JSON.stringify(after.data),
    ]);
    changed++;
  }
  return changed;
}
