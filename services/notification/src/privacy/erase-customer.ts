import { ERASED } from '@closeloop/platform';
import type { Queryable } from '../persistence/notification.repository';

/** The kinds of records outside Postgres that an erasure redacts one by one (each a `customer.erasure_progress` store). */
export const WORK_KINDS = ['slack', 'twilio', 'email'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

/** Payload fields that hold what a person wrote or was shown: the alert texts, SMS bodies, email subjects and bodies. */
const TEXT_FIELDS = ['text', 'body', 'subject'];
/** Deliveries addressed to the customer: their recipient is the customer's phone number or email address. */
const CUSTOMER_PURPOSES = ['customer_sms', 'customer_email'];
/** Statuses of a delivery not sent yet: one addressed to an erased customer is never sent. */
const WAITING = ['pending', 'retrying', 'held'];

export interface TaskRow {
  erasure_id: string;
  kind: WorkKind;
  external_id: string;
  customer_id: string;
  ticket_id: string;
  role: 'alert' | 'reply' | null;
  team: string | null;
  attempts: number;
  claim_token: string;
}

/** Which deliveries an anonymisation covers: email deliveries are the `email` store's, redacted by the worker. */
export type DeliveryScope = 'all' | 'not_email' | 'email';

const rowsOf = (res: unknown): any[] => (Array.isArray(res) && Array.isArray(res[0]) ? res[0] : (res as any[]));
const countOf = (res: unknown): number => (Array.isArray(res) && typeof res[1] === 'number' ? res[1] : rowsOf(res).length);

/**
 * SQL of erasure and retention over the notification schema (SPEC §13). Texts become `‹erased›` (ERASED), contacts
 * of the customer `‹erased›` too (the columns are NOT NULL); ids, statuses and timestamps stay, so counts survive.
 * Every statement only touches rows that still hold something to erase: running it twice changes nothing the
 * second time (an erasure redelivered, a retention pass over the same tickets).
 */
export class ErasureRepository {
  private readonly s: string;

  constructor(schema: string) {
    this.s = `"${schema}"`;
  }

  /**
   * The tickets notification knows to be the customer's: its snapshots (ADR 0024: `customerId` names the customer),
   * and the alert messages, recheck and unsubscribe links recorded for them (a ticket whose idle snapshot was pruned
   * still has those).
   */
  async customerTickets(q: Queryable, customerId: string): Promise<string[]> {
    const rows: { ticket_id: string }[] = await q.query(
      `SELECT ticket_id FROM ${this.s}.ticket_snapshot WHERE snapshot->>'customerId' = $1
       UNION SELECT ticket_id FROM ${this.s}.recheck_link WHERE customer_id = $1
       UNION SELECT ticket_id FROM ${this.s}.unsubscribe_link WHERE customer_id = $1
       UNION SELECT ticket_id FROM ${this.s}.alert_message WHERE customer_id = $1`,
      [customerId],
    );
    return rows.map((r) => r.ticket_id).sort();
  }

  /**
   * Records the work list of an erasure: every Slack message about the tickets (the alert by channel and ts, each
   * thread reply posted), every Twilio message SID recorded for them (on-call SMS quoting the customer, SMS to the
   * customer, SMS from the customer) and every email delivery (the email log). Must run before the rows are anonymised (it reads them).
   * Also records the stores to report, so a kind with no row still reports `done` with 0.
   */
  async recordWorkList(q: Queryable, erasureId: string, customerId: string, ticketIds: string[], requestEventId: string): Promise<void> {
    const team = `(SELECT sn.snapshot->>'team' FROM ${this.s}.ticket_snapshot sn WHERE sn.ticket_id = x.ticket_id)`;
    await q.query(
      `INSERT INTO ${this.s}.erasure_task (erasure_id, kind, external_id, customer_id, ticket_id, role, team)
       SELECT $1::uuid, 'slack', x.channel || ':' || x.ts, $2, x.ticket_id, 'alert', ${team}
       FROM ${this.s}.alert_message x WHERE x.ticket_id = ANY($3::text[]) AND x.provider = 'slack' AND x.ts IS NOT NULL
       UNION ALL
       SELECT $1::uuid, 'slack', x.recipient || ':' || x.provider_id, $2, x.ticket_id, 'reply', ${team}
       FROM ${this.s}.delivery x WHERE x.ticket_id = ANY($3::text[]) AND x.channel = 'slack' AND x.purpose = 'thread_reply' AND x.provider_id IS NOT NULL
       UNION ALL
       SELECT $1::uuid, 'twilio', x.provider_id, $2, x.ticket_id, NULL, NULL
       FROM ${this.s}.delivery x WHERE x.ticket_id = ANY($3::text[]) AND x.channel = 'sms' AND x.provider = 'twilio' AND x.provider_id IS NOT NULL
       UNION ALL
       SELECT $1::uuid, 'twilio', x.message_sid, $2, x.ticket_id, NULL, NULL
       FROM ${this.s}.inbound_sms x WHERE x.ticket_id = ANY($3::text[])
       UNION ALL
       SELECT $1::uuid, 'email', x.id::text, $2, x.ticket_id, NULL, NULL
       FROM ${this.s}.delivery x WHERE x.ticket_id = ANY($3::text[]) AND x.channel = 'email'
       -- the admin's retry (ADR 0026: the same erasure requested again): what failed is tried again, what is done stays
       ON CONFLICT (erasure_id, kind, external_id) DO UPDATE SET status = 'pending', attempts = 0, reason = NULL, next_attempt_at = now(), updated_at = now()
         WHERE erasure_task.status = 'failed'`,
      [erasureId, customerId, ticketIds],
    );
    // every store reports again to this request (a `done` is never taken back by tickets, nor counted twice)
    await q.query(
      `INSERT INTO ${this.s}.erasure_report (erasure_id, store, customer_id, request_event_id) SELECT $1::uuid, k, $2, $4::uuid FROM unnest($3::text[]) AS k
       ON CONFLICT (erasure_id, store) DO UPDATE SET reported_at = NULL, request_event_id = excluded.request_event_id`,
      [erasureId, customerId, [...WORK_KINDS], requestEventId],
    );
  }

  /**
   * Anonymises the copies notification keeps of these tickets: the snapshot's customer name and comment, the
   * deliveries' texts (alert emails, thread replies quoting the customer, SMS bodies, subjects) and the customer's
   * own phone number or email address as a recipient (and any error that might quote it). A message to the customer
   * not sent yet is failed (`customer_erased`), never sent. The one function of erasure and retention: they differ
   * only in which tickets they pass. Returns how many rows changed.
   */
  async anonymiseTickets(q: Queryable, ticketIds: string[], deliveries: DeliveryScope): Promise<number> {
    if (ticketIds.length === 0) return 0;
    const snapshots = countOf(
      await q.query(
        `UPDATE ${this.s}.ticket_snapshot SET snapshot = snapshot
           || CASE WHEN snapshot ? 'customerName' THEN jsonb_build_object('customerName', $2::text) ELSE '{}'::jsonb END
           || CASE WHEN snapshot ? 'comment' THEN jsonb_build_object('comment', $2::text) ELSE '{}'::jsonb END
         WHERE ticket_id = ANY($1::text[])
           AND (snapshot->>'customerName' IS DISTINCT FROM $2 AND snapshot ? 'customerName' OR snapshot->>'comment' IS DISTINCT FROM $2 AND snapshot ? 'comment')`,
        [ticketIds, ERASED],
      ),
    );
    return snapshots + (await this.anonymiseDeliveries(q, { ticketIds }, deliveries));
  }

  /** Whether this ticket's copies were anonymised (an erasure, or retention): a late event must not bring its words back. */
  async isAnonymised(q: Queryable, ticketId: string): Promise<boolean> {
    const rows = await q.query(
      `SELECT 1 FROM ${this.s}.ticket_snapshot WHERE ticket_id = $1 AND (snapshot->>'customerName' = $2 OR snapshot->>'comment' = $2)`,
      [ticketId, ERASED],
    );
    return rows.length > 0;
  }

  /**
   * Messages to the customer not sent yet (SMS and email alike) are failed (`customer_erased`) at once, in the erasure's
   * transaction: the email ones are anonymised later by the worker, and must not go out meanwhile. One being sent
   * right now (`sending`) loses its claim too, so its outcome is never recorded and it is never tried again (if that
   * very call went through, it went out before the erasure; nothing can take it back).
   */
  async cancelWaitingToCustomer(q: Queryable, ticketIds: string[]): Promise<number> {
    if (ticketIds.length === 0) return 0;
    return countOf(
      await q.query(
        `UPDATE ${this.s}.delivery SET status = 'failed', last_error_code = 'customer_erased', claim_token = NULL, lease_until = NULL, updated_at = now()
         WHERE ticket_id = ANY($1::text[]) AND purpose = ANY($2::text[]) AND status = ANY($3::text[])`,
        [ticketIds, CUSTOMER_PURPOSES, [...WAITING, 'sending']],
      ),
    );
  }

  /** The delivery half of `anonymiseTickets`, also used alone by the worker for the `email` store's rows (by id). */
  async anonymiseDeliveries(q: Queryable, which: { ticketIds?: string[]; ids?: string[] }, scope: DeliveryScope): Promise<number> {
    const res = await q.query(
      `UPDATE ${this.s}.delivery SET
         payload = (SELECT jsonb_object_agg(k, CASE WHEN k = ANY($3::text[]) THEN to_jsonb($2::text) ELSE v END) FROM jsonb_each(payload) AS e(k, v)),
         recipient = CASE WHEN purpose = ANY($4::text[]) THEN $2 ELSE recipient END,
         last_error = CASE WHEN purpose = ANY($4::text[]) AND last_error IS NOT NULL THEN $2 ELSE last_error END,
         status = CASE WHEN purpose = ANY($4::text[]) AND status = ANY($5::text[]) THEN 'failed' ELSE status END,
         last_error_code = CASE WHEN purpose = ANY($4::text[]) AND status = ANY($5::text[]) THEN 'customer_erased' ELSE last_error_code END,
         updated_at = now()
       WHERE (ticket_id = ANY($1::text[]) OR id::text = ANY($6::text[]))
         AND ($7 = 'all' OR ($7 = 'email') = (channel = 'email'))
         AND (EXISTS (SELECT 1 FROM jsonb_each(payload) AS e(k, v) WHERE k = ANY($3::text[]) AND v IS DISTINCT FROM to_jsonb($2::text))
              OR (purpose = ANY($4::text[]) AND (recipient <> $2 OR last_error <> $2 OR status = ANY($5::text[]))))`,
      [which.ticketIds ?? [], ERASED, TEXT_FIELDS, CUSTOMER_PURPOSES, WAITING, which.ids ?? [], scope],
    );
    return countOf(res);
  }

  /** Tickets resolved before `olderThanMs` ago that still hold a customer's words (retention, SPEC §13). */
  async resolvedBefore(q: Queryable, olderThanMs: number, limit: number): Promise<string[]> {
    return this.stillPersonal(q, `snapshot->>'status' = 'resolved' AND (snapshot->>'resolvedAt')::timestamptz < now() - $1::float8 * interval '1 millisecond'`, olderThanMs, limit);
  }

  /** Tickets whose newest feedback (the snapshot's last change) is older than `olderThanMs` and still hold its words. */
  async feedbackBefore(q: Queryable, olderThanMs: number, limit: number): Promise<string[]> {
    return this.stillPersonal(q, `updated_at < now() - $1::float8 * interval '1 millisecond'`, olderThanMs, limit);
  }

  private async stillPersonal(q: Queryable, where: string, olderThanMs: number, limit: number): Promise<string[]> {
    const rows: { ticket_id: string }[] = await q.query(
      `SELECT ticket_id FROM ${this.s}.ticket_snapshot
       WHERE ${where}
         AND (snapshot->>'customerName' IS DISTINCT FROM $3 AND snapshot ? 'customerName' OR snapshot->>'comment' IS DISTINCT FROM $3 AND snapshot ? 'comment'
              OR EXISTS (SELECT 1 FROM ${this.s}.delivery d WHERE d.ticket_id = ticket_snapshot.ticket_id
                           AND EXISTS (SELECT 1 FROM jsonb_each(d.payload) AS e(k, v) WHERE k = ANY($4::text[]) AND v IS DISTINCT FROM to_jsonb($3::text))))
       ORDER BY ticket_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [String(Math.max(0, Math.round(olderThanMs))), limit, ERASED, TEXT_FIELDS],
    );
    return rows.map((r) => r.ticket_id);
  }

  // --- the work list

  /** Claims due rows for this worker (`FOR UPDATE SKIP LOCKED`, then a lease, committed before any provider call). */
  async claim(q: Queryable, limit: number, leaseMs: number, claimToken: string): Promise<TaskRow[]> {
    return rowsOf(
      await q.query(
        `WITH due AS (
           SELECT erasure_id, kind, external_id FROM ${this.s}.erasure_task
           WHERE status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
           ORDER BY next_attempt_at, created_at LIMIT $1 FOR UPDATE SKIP LOCKED
         )
         UPDATE ${this.s}.erasure_task t SET lease_until = now() + $2::float8 * interval '1 millisecond', claim_token = $3, updated_at = now()
         FROM due WHERE t.erasure_id = due.erasure_id AND t.kind = due.kind AND t.external_id = due.external_id
         RETURNING t.erasure_id, t.kind, t.external_id, t.customer_id, t.ticket_id, t.role, t.team, t.attempts, t.claim_token`,
        [limit, String(leaseMs), claimToken],
      ),
    );
  }

  /** Records a row's outcome while this worker still holds its claim; false when the claim was lost. */
  async finish(q: Queryable, t: TaskRow, r: { status: 'done' | 'failed' | 'pending'; reason?: string; retryInMs?: number }): Promise<boolean> {
    const res = await q.query(
      `UPDATE ${this.s}.erasure_task SET status = $5, reason = $6, attempts = attempts + 1, lease_until = NULL, claim_token = NULL,
         next_attempt_at = now() + $7::float8 * interval '1 millisecond', updated_at = now()
       WHERE erasure_id = $1 AND kind = $2 AND external_id = $3 AND claim_token = $4`,
      [t.erasure_id, t.kind, t.external_id, t.claim_token, r.status, r.reason ?? null, String(Math.max(0, Math.round(r.retryInMs ?? 0)))],
    );
    return countOf(res) === 1;
  }

  /** Gives a claimed row back untouched (an instance shutting down), due again at once. */
  async release(q: Queryable, t: TaskRow): Promise<void> {
    await q.query(
      `UPDATE ${this.s}.erasure_task SET lease_until = NULL, claim_token = NULL, updated_at = now()
       WHERE erasure_id = $1 AND kind = $2 AND external_id = $3 AND claim_token = $4`,
      [t.erasure_id, t.kind, t.external_id, t.claim_token],
    );
  }

  /**
   * The stores of erasures whose rows are all done or failed and which have not reported yet, locked for this
   * transaction (SKIP LOCKED: another instance reporting the same one is left alone), with their counts.
   */
  async finishedStores(q: Queryable, limit: number): Promise<{ erasure_id: string; store: WorkKind; customer_id: string; request_event_id: string; done: number; failed: number; reasons: string[] | null }[]> {
    return q.query(
      `WITH ready AS (
         SELECT r.erasure_id, r.store, r.customer_id, r.request_event_id FROM ${this.s}.erasure_report r
         WHERE r.reported_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM ${this.s}.erasure_task t WHERE t.erasure_id = r.erasure_id AND t.kind = r.store AND t.status = 'pending')
         ORDER BY r.created_at LIMIT $1 FOR UPDATE SKIP LOCKED
       )
       SELECT ready.*,
         (SELECT count(*)::int FROM ${this.s}.erasure_task t WHERE t.erasure_id = ready.erasure_id AND t.kind = ready.store AND t.status = 'done') AS done,
         (SELECT count(*)::int FROM ${this.s}.erasure_task t WHERE t.erasure_id = ready.erasure_id AND t.kind = ready.store AND t.status = 'failed') AS failed,
         (SELECT array_agg(DISTINCT t.reason ORDER BY t.reason) FROM ${this.s}.erasure_task t WHERE t.erasure_id = ready.erasure_id AND t.kind = ready.store AND t.status = 'failed') AS reasons
       FROM ready`,
      [limit],
    );
  }

  async markReported(q: Queryable, erasureId: string, store: WorkKind): Promise<void> {
    await q.query(`UPDATE ${this.s}.erasure_report SET reported_at = now() WHERE erasure_id = $1 AND store = $2`, [erasureId, store]);
  }
}
