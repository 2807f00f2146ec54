import type { EntityManager } from 'typeorm';
import { FeedbackScoredData, revisionOf } from '@closeloop/contracts';
import { BatchTransaction } from '@closeloop/messaging';

/** A `feedback_seen` row as written: feedback_id … attributes, in the table's column order below. */
type SeenRow = [string, string, string, string, string, number, string, boolean, boolean, string, string, number, string];

const COLUMNS = 'feedback_id, customer_id, touchpoint, team, metric, score, classification, negative, action_required, responded_at, scored_at, revision, attributes';

function rowOf(s: FeedbackScoredData): SeenRow {
  return [
    s.feedbackId, s.feedback.customer.id, s.feedback.touchpoint, s.team, s.feedback.metric, s.feedback.score, s.classification, s.negative,
    s.actionRequired, s.feedback.respondedAt, s.scoredAt, revisionOf(s.feedback), JSON.stringify(s.feedback.attributes ?? {}),
  ];
}

/** What one fetched batch knows of its feedback: the newest revision seen and the ticket each is on (null: none). */
interface BatchView {
  revision: Map<string, number | null>;
  ticket: Map<string, string | null>;
  /** The newest revision of each feedback this batch recorded, written in one statement right before the commit. */
  pending: Map<string, SeenRow>;
}

/**
 * `feedback_seen` (every scored feedback, once, its latest revision: the reports' source) and which ticket each
 * feedback is on (`ticket_feedback`). Per feedback this was two statements (an upsert, a lookup): in a consumer's
 * batch (ADR 0023) the batch's feedback is read in one statement on the first message, each handler decides from
 * that view (and updates it, so a later revision in the same batch sees an earlier one, as one by one would), and
 * the recorded rows go in with one statement before the commit. Outside a batch, a statement each as before.
 */
export class FeedbackSeen {
  constructor(private readonly schema: string) {}

  private t(table: string): string {
    return `"${this.schema}".${table}`;
  }

  /**
   * Records this revision of the feedback. True when it is newer than every one recorded before (a first one is);
   * false for a redelivery or an older revision arriving late, which changes nothing.
   */
  async record(m: EntityManager, s: FeedbackScoredData): Promise<boolean> {
    const view = await this.view(m, s.feedbackId);
    if (!view) return this.upsert(m, [rowOf(s)]).then((n) => n === 1);
    const rev = revisionOf(s.feedback);
    const known = view.revision.get(s.feedbackId) ?? null;
    if (known !== null && rev <= known) return false;
    view.revision.set(s.feedbackId, rev);
    view.pending.set(s.feedbackId, rowOf(s));
    return true;
  }

  /** The ticket this feedback opened or was attached to, if any. */
  async ticketOf(m: EntityManager, feedbackId: string): Promise<string | null> {
    const view = await this.view(m, feedbackId);
    if (view) return view.ticket.get(feedbackId) ?? null;
    const rows: { ticket_id: string }[] = await m.query(`SELECT ticket_id FROM ${this.t('ticket_feedback')} WHERE feedback_id = $1`, [feedbackId]);
    return rows.length ? rows[0].ticket_id : null;
  }

  /** The feedback is now on this ticket (its `ticket_feedback` row was written in `m`'s transaction). */
  attached(m: EntityManager, feedbackId: string, ticketId: string): void {
    const view = this.batchView(m);
    if (view?.ticket.has(feedbackId)) view.ticket.set(feedbackId, ticketId);
  }

  /**
   * Upserts rows (one per feedback); a row replaces the stored one only when its revision is newer. Concurrent
   * revisions of one feedback serialise on the row (ON CONFLICT). Returns how many rows changed.
   */
  private async upsert(m: EntityManager, rows: SeenRow[]): Promise<number> {
    const changed = await m.query(
      `INSERT INTO ${this.t('feedback_seen')} AS seen (${COLUMNS})
       SELECT feedback_id, customer_id, touchpoint, team, metric, score, classification, negative, action_required, responded_at, scored_at, revision, attributes::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::bool[], $9::bool[], $10::timestamptz[], $11::timestamptz[], $12::int[], $13::text[])
         AS r(${COLUMNS})
       ON CONFLICT (feedback_id) DO UPDATE SET
         customer_id = EXCLUDED.customer_id, touchpoint = EXCLUDED.touchpoint, team = EXCLUDED.team, metric = EXCLUDED.metric,
         score = EXCLUDED.score, classification = EXCLUDED.classification, negative = EXCLUDED.negative,
         action_required = EXCLUDED.action_required, responded_at = EXCLUDED.responded_at, scored_at = EXCLUDED.scored_at,
         revision = EXCLUDED.revision, attributes = EXCLUDED.attributes
       WHERE seen.revision < EXCLUDED.revision
       RETURNING 1`,
      rows[0].map((_, i) => rows.map((r) => r[i])),
    );
    return changed.length;
  }

  /** This batch's view, read on first use: every feedback of the batch's events (and `feedbackId`), one statement. */
  private async view(m: EntityManager, feedbackId: string): Promise<BatchView | null> {
    const batch = BatchTransaction.current()?.batch;
    const view = this.batchView(m, batch);
    if (!batch || !view) return null;
    if (view.revision.has(feedbackId)) return view;
    const ids = new Set<string>([feedbackId]);
    for (const msg of batch.messages) {
      const id = (msg.event as { data?: { feedbackId?: unknown } } | undefined)?.data?.feedbackId;
      if (typeof id === 'string' && !view.revision.has(id)) ids.add(id);
    }
    // FOR UPDATE: the rows stay this transaction's until it commits, as the upsert one by one held them
    const rows: { feedback_id: string; revision: number | null; ticket_id: string | null }[] = await m.query(
      `WITH ids AS (SELECT DISTINCT unnest($1::text[]) AS id),
            seen AS (SELECT feedback_id, revision FROM ${this.t('feedback_seen')} WHERE feedback_id IN (SELECT id FROM ids) ORDER BY feedback_id FOR UPDATE)
       SELECT ids.id AS feedback_id, seen.revision, tf.ticket_id::text AS ticket_id
       FROM ids LEFT JOIN seen ON seen.feedback_id = ids.id LEFT JOIN ${this.t('ticket_feedback')} tf ON tf.feedback_id = ids.id`,
      [[...ids]],
    );
    for (const r of rows) {
      view.revision.set(r.feedback_id, r.revision);
      view.ticket.set(r.feedback_id, r.ticket_id);
    }
    return view;
  }

  /** The view of the batch whose transaction `m` is (created empty, with its write before the commit), if any. */
  private batchView(m: EntityManager, batch = BatchTransaction.current()?.batch): BatchView | undefined {
    if (!batch?.owns(m)) return undefined;
    return batch.local(this, () => {
      const v: BatchView = { revision: new Map(), ticket: new Map(), pending: new Map() };
      batch.beforeCommit(async (tm) => {
        if (v.pending.size) await this.upsert(tm, [...v.pending.values()]);
      });
      return v;
    });
  }
}
