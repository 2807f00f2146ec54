import { EntityManager } from 'typeorm';
import { FeedbackScoredData, Metric, Severity, TicketStatus } from '@closeloop/contracts';
import type { DurationRow, RecoveryRow, TicketGroup } from '../domain/report';
import type { ClaimTimeCount, DayCount, NpsWeekCount } from '../domain/timeseries';
import type { Ticket } from '../domain/ticket';
import type { Summary, SummaryPart } from '../domain/timeline';
import { FeedbackSeen } from './feedback-seen';

/** A timeline entry as stored; `id` is the eventId of what it records. */
export interface TimelineEntry {
  id: string;
  ticketId: string;
  at: Date;
  kind: 'event' | 'note' | 'delivery';
  type: string;
  actor: { kind: string; id?: string; name?: string } | null;
  /** Its English text and catalog parts (none for entries written before SPEC §14's languages). */
  summary: Summary;
  data: Record<string, unknown>;
}

export interface TicketListFilter {
  statuses?: TicketStatus[];
  severities?: Severity[];
  team?: string;
  touchpoint?: string;
  /** an agent id, or null for "unassigned" */
  assignee?: string | null;
  customer?: string;
  /** these tickets only (a trend's, SPEC §12) */
  ids?: string[];
}

/** Keyset position: the last item of the previous page, newest first. `openedAtUs` = microseconds since the epoch. */
export interface ListPosition {
  openedAtUs: string;
  id: string;
}

interface TicketRow {
  id: string;
  customer_id: string;
  customer_name: string | null;
  customer_locale: string | null;
  touchpoint: string;
  team: string;
  status: TicketStatus;
  severity: Severity;
  assignee_id: string | null;
  metric: Metric;
  score: number;
  comment: string | null;
  feedback_count: number;
  opened_at: Date;
  claimed_at: Date | null;
  resolved_at: Date | null;
  first_response_due: Date;
  resolve_due: Date;
  first_response_breached_at: Date | null;
  resolve_breached_at: Date | null;
  root_cause: string | null;
  resolution_note: string | null;
  customer_contacted: boolean | null;
  reopen_count: number;
  version: number;
  updated_at: Date;
  opened_at_us?: string;
}

const COLUMNS: [keyof Ticket, keyof TicketRow][] = [
  ['id', 'id'], ['customerId', 'customer_id'], ['customerName', 'customer_name'], ['customerLocale', 'customer_locale'],
  ['touchpoint', 'touchpoint'], ['team', 'team'], ['status', 'status'], ['severity', 'severity'], ['assigneeId', 'assignee_id'],
  ['metric', 'metric'], ['score', 'score'], ['comment', 'comment'], ['feedbackCount', 'feedback_count'], ['openedAt', 'opened_at'],
  ['claimedAt', 'claimed_at'], ['resolvedAt', 'resolved_at'], ['firstResponseDue', 'first_response_due'], ['resolveDue', 'resolve_due'],
  ['firstResponseBreachedAt', 'first_response_breached_at'], ['resolveBreachedAt', 'resolve_breached_at'], ['rootCause', 'root_cause'],
  ['resolutionNote', 'resolution_note'], ['customerContacted', 'customer_contacted'], ['reopenCount', 'reopen_count'],
  ['version', 'version'], ['updatedAt', 'updated_at'],
];
const MUTABLE = COLUMNS.filter(([k]) => !['id', 'customerId', 'touchpoint', 'openedAt'].includes(k));

function toTicket(r: TicketRow): Ticket {
  const t = {} as Record<string, unknown>;
  for (const [k, c] of COLUMNS) t[k] = r[c];
  return t as unknown as Ticket;
}

/** An optimistic check failed although the row was locked: a bug, never expected in operation. */
export class StaleTicketError extends Error {
  constructor(id: string, version: number) {
    super(`ticket ${id} is no longer at version ${version}`);
    this.name = 'StaleTicketError';
  }
}

/** SQL over the tickets schema. Every method takes the EntityManager of the caller's transaction. */
export class TicketRepository {
  private readonly seen: FeedbackSeen;

  constructor(private readonly schema: string) {
    this.seen = new FeedbackSeen(schema);
  }

  private t(table: string): string {
    return `"${this.schema}".${table}`;
  }

  /**
   * Inserts the ticket unless (customer, touchpoint) already has an open or claimed one; the partial unique
   * index decides, so two instances racing on the same customer open one ticket. True when inserted.
   */
  async insertUnlessOpen(m: EntityManager, ticket: Ticket): Promise<boolean> {
    const values = COLUMNS.map(([k]) => ticket[k]);
    const rows = await m.query(
      `INSERT INTO ${this.t('ticket')} (${COLUMNS.map(([, c]) => c).join(', ')})
       VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT (customer_id, touchpoint) WHERE status IN ('open', 'claimed') DO NOTHING
       RETURNING id`,
      values,
    );
    return rows.length === 1;
  }

  async findOpenForUpdate(m: EntityManager, customerId: string, touchpoint: string): Promise<Ticket | null> {
    const rows: TicketRow[] = await m.query(
      `SELECT * FROM ${this.t('ticket')} WHERE customer_id = $1 AND touchpoint = $2 AND status IN ('open', 'claimed') FOR UPDATE`,
      [customerId, touchpoint],
    );
    return rows.length ? toTicket(rows[0]) : null;
  }

  async find(m: EntityManager, id: string, opts: { forUpdate?: boolean } = {}): Promise<Ticket | null> {
    const rows: TicketRow[] = await m.query(`SELECT * FROM ${this.t('ticket')} WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`, [id]);
    return rows.length ? toTicket(rows[0]) : null;
  }

  /** Writes `after` over the row, which must still be at `before.version` (the caller holds its lock). */
  async update(m: EntityManager, before: Ticket, after: Ticket): Promise<void> {
    const sets = MUTABLE.map(([, c], i) => `${c} = $${i + 3}`).join(', ');
    const [, affected] = await m.query(
      `UPDATE ${this.t('ticket')} SET ${sets} WHERE id = $1 AND version = $2`,
      [before.id, before.version, ...MUTABLE.map(([k]) => after[k])],
    );
    if (affected !== 1) throw new StaleTicketError(before.id, before.version);
  }

  /** The ticket this feedback opened or was attached to, if any (feedback-seen.ts: read per batch in a consumer's batch). */
  ticketOfFeedback(m: EntityManager, feedbackId: string): Promise<string | null> {
    return this.seen.ticketOf(m, feedbackId);
  }

  async addFeedback(m: EntityManager, ticketId: string, scored: FeedbackScoredData, openedTicket: boolean, at: Date): Promise<void> {
    await m.query(
      `INSERT INTO ${this.t('ticket_feedback')} (feedback_id, ticket_id, opened_ticket, attached_at, scored) VALUES ($1, $2, $3, $4, $5::jsonb)`,
      [scored.feedbackId, ticketId, openedTicket, at, JSON.stringify(scored)],
    );
    this.seen.attached(m, scored.feedbackId, ticketId);
  }

  /** A new revision of feedback on a ticket replaces the stored one (its place in the ticket's feedback stays). */
  async reviseFeedback(m: EntityManager, scored: FeedbackScoredData): Promise<void> {
    await m.query(`UPDATE ${this.t('ticket_feedback')} SET scored = $2::jsonb WHERE feedback_id = $1`, [scored.feedbackId, JSON.stringify(scored)]);
  }

  /**
   * Every scored feedback, once per feedback, its latest revision (reports: recovery rate, NPS). True when this
   * revision is newer than every one recorded before (a first one is); false for a redelivery or an older revision
   * arriving late, which changes nothing (feedback-seen.ts).
   */
  recordSeen(m: EntityManager, s: FeedbackScoredData): Promise<boolean> {
    return this.seen.record(m, s);
  }

  /** Appends to the timeline; a second entry with the same id (a redelivered event) is ignored. True when added. */
  async addTimeline(m: EntityManager, e: TimelineEntry): Promise<boolean> {
    const rows = await m.query(
      `INSERT INTO ${this.t('timeline')} (id, ticket_id, at, kind, type, actor, summary, data, summary_parts)
       SELECT $1, $2, $3, $4, $5, $6::jsonb, $7, $8::jsonb, $9::jsonb
       WHERE EXISTS (SELECT 1 FROM ${this.t('ticket')} WHERE id = $2)
       ON CONFLICT (id) DO NOTHING RETURNING 1`,
      [e.id, e.ticketId, e.at, e.kind, e.type, e.actor === null ? null : JSON.stringify(e.actor), e.summary.text, JSON.stringify(e.data), JSON.stringify(e.summary.parts)],
    );
    return rows.length === 1;
  }

  async addNote(m: EntityManager, n: { id: string; ticketId: string; authorId: string; body: string; at: Date }): Promise<void> {
    await m.query(`INSERT INTO ${this.t('note')} (id, ticket_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)`,
      [n.id, n.ticketId, n.authorId, n.body, n.at]);
  }

  async exists(m: EntityManager, id: string): Promise<boolean> {
    return (await m.query(`SELECT 1 FROM ${this.t('ticket')} WHERE id = $1`, [id])).length > 0;
  }

  /** Newest first (opened_at, then id), after `after` when given; returns up to `limit + 1` rows so the caller knows if there is more. */
  async list(m: EntityManager, f: TicketListFilter, limit: number, after: ListPosition | null): Promise<{ ticket: Ticket; position: ListPosition }[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    if (f.statuses?.length) where.push(`status = ANY(${p(f.statuses)}::text[])`);
    if (f.severities?.length) where.push(`severity = ANY(${p(f.severities)}::text[])`);
    if (f.team !== undefined) where.push(`team = ${p(f.team)}`);
    if (f.touchpoint !== undefined) where.push(`touchpoint = ${p(f.touchpoint)}`);
    if (f.customer !== undefined) where.push(`customer_id = ${p(f.customer)}`);
    if (f.ids?.length) where.push(`id = ANY(${p(f.ids)}::uuid[])`);
    if (f.assignee === null) where.push('assignee_id IS NULL');
    else if (f.assignee !== undefined) where.push(`assignee_id = ${p(f.assignee)}`);
    if (after) {
      // microseconds, exactly as stored: a cursor never skips or repeats a row with a sub-millisecond timestamp
      where.push(`(opened_at, id) < (timestamptz 'epoch' + ${p(after.openedAtUs)}::bigint * interval '1 microsecond', ${p(after.id)}::uuid)`);
    }
    const rows: TicketRow[] = await m.query(
      `SELECT *, ((extract(epoch FROM opened_at) * 1000000)::bigint)::text AS opened_at_us FROM ${this.t('ticket')}
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY opened_at DESC, id DESC LIMIT ${p(limit + 1)}`,
      params,
    );
    return rows.map((r) => ({ ticket: toTicket(r), position: { openedAtUs: r.opened_at_us as string, id: r.id } }));
  }

  async feedbackOf(m: EntityManager, ticketId: string): Promise<{ scored: FeedbackScoredData; attachedAt: Date; openedTicket: boolean }[]> {
    const rows: { scored: FeedbackScoredData; attached_at: Date; opened_ticket: boolean }[] = await m.query(
      `SELECT scored, attached_at, opened_ticket FROM ${this.t('ticket_feedback')} WHERE ticket_id = $1 ORDER BY attached_at, feedback_id`,
      [ticketId],
    );
    return rows.map((r) => ({ scored: r.scored, attachedAt: r.attached_at, openedTicket: r.opened_ticket }));
  }

  async timelineOf(m: EntityManager, ticketId: string): Promise<TimelineEntry[]> {
    const rows: { id: string; ticket_id: string; at: Date; kind: TimelineEntry['kind']; type: string; actor: TimelineEntry['actor']; summary: string; summary_parts: SummaryPart[] | null; data: Record<string, unknown> }[] =
      await m.query(`SELECT * FROM ${this.t('timeline')} WHERE ticket_id = $1 ORDER BY at, seq`, [ticketId]);
    return rows.map((r) => ({
      id: r.id, ticketId: r.ticket_id, at: r.at, kind: r.kind, type: r.type, actor: r.actor,
      summary: { text: r.summary, parts: r.summary_parts ?? [] }, data: r.data,
    }));
  }

  /**
   * Tickets with an SLA deadline passed and not stamped yet, locked; rows another instance holds are skipped
   * (it is stamping them), so with several instances each breach is handled by exactly one.
   */
  async lockDueForSla(m: EntityManager, now: Date, limit: number): Promise<Ticket[]> {
    const rows: TicketRow[] = await m.query(
      `SELECT * FROM ${this.t('ticket')}
       WHERE (status = 'open' AND claimed_at IS NULL AND first_response_breached_at IS NULL AND first_response_due <= $1)
          OR (status IN ('open', 'claimed') AND resolve_breached_at IS NULL AND resolve_due <= $1)
       ORDER BY LEAST(first_response_due, resolve_due)
       LIMIT $2
       FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map(toTicket);
  }

  async countOpen(m: EntityManager): Promise<Record<'open' | 'claimed', number>> {
    const rows: { status: 'open' | 'claimed'; n: number }[] = await m.query(
      `SELECT status, count(*)::int AS n FROM ${this.t('ticket')} WHERE status IN ('open', 'claimed') GROUP BY status`,
    );
    const out = { open: 0, claimed: 0 };
    for (const r of rows) out[r.status] = r.n;
    return out;
  }

  // ---- reports ----

  /** Tickets opened in [from, to), counted per status, severity, touchpoint and team, with their SLA breaches. */
  async ticketGroups(m: EntityManager, from: Date, to: Date, team: string | null = null): Promise<TicketGroup[]> {
    return m.query(
      `SELECT status, severity, touchpoint, team, count(*)::int AS n,
              count(*) FILTER (WHERE first_response_breached_at IS NOT NULL)::int AS "firstResponseBreaches",
              count(*) FILTER (WHERE resolve_breached_at IS NOT NULL)::int AS "resolveBreaches",
              count(*) FILTER (WHERE first_response_breached_at IS NOT NULL OR resolve_breached_at IS NOT NULL)::int AS breached
       FROM ${this.t('ticket')} WHERE opened_at >= $1 AND opened_at < $2 AND ($3::text IS NULL OR team = $3)
       GROUP BY status, severity, touchpoint, team`,
      [from, to, team],
    );
  }

  /**
   * Times to claim (tickets of the window with a claim) and to resolve (resolved ones), in ms: count, median and
   * p90 by linear interpolation (percentile_cont, Hyndman & Fan type 7), computed by the database — for the whole
   * window (team null) and per team, in one scan (GROUPING SETS).
   */
  async ticketDurations(m: EntityManager, from: Date, to: Date, team: string | null = null): Promise<DurationRow[]> {
    const claim = `EXTRACT(EPOCH FROM (claimed_at - opened_at)) * 1000`;
    const resolve = `CASE WHEN status = 'resolved' THEN EXTRACT(EPOCH FROM (resolved_at - opened_at)) * 1000 END`;
    const rows: { team: string | null; claimCount: number; claimMedian: number | null; claimP90: number | null; resolveCount: number; resolveMedian: number | null; resolveP90: number | null }[] = await m.query(
      `SELECT team, count(claimed_at)::int AS "claimCount",
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ${claim})::float8 AS "claimMedian",
              percentile_cont(0.9) WITHIN GROUP (ORDER BY ${claim})::float8 AS "claimP90",
              count(${resolve})::int AS "resolveCount",
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ${resolve})::float8 AS "resolveMedian",
              percentile_cont(0.9) WITHIN GROUP (ORDER BY ${resolve})::float8 AS "resolveP90"
       FROM ${this.t('ticket')} WHERE opened_at >= $1 AND opened_at < $2 AND ($3::text IS NULL OR team = $3)
       GROUP BY GROUPING SETS ((), (team))`,
      [from, to, team],
    );
    return rows.map((r) => ({
      team: r.team,
      timeToClaim: { count: r.claimCount, medianMs: r.claimMedian, p90Ms: r.claimP90 },
      timeToResolve: { count: r.resolveCount, medianMs: r.resolveMedian, p90Ms: r.resolveP90 },
    }));
  }

  /** Resolved tickets opened in [from, to), per root cause. */
  async rootCauseCounts(m: EntityManager, from: Date, to: Date, team: string | null = null): Promise<{ rootCause: string; n: number }[]> {
    return m.query(
      `SELECT root_cause AS "rootCause", count(*)::int AS n FROM ${this.t('ticket')}
       WHERE status = 'resolved' AND resolved_at IS NOT NULL AND root_cause IS NOT NULL AND opened_at >= $1 AND opened_at < $2
         AND ($3::text IS NULL OR team = $3)
       GROUP BY root_cause`,
      [from, to, team],
    );
  }

  /**
   * Resolved tickets opened in [from, to) whose customer scored again after the resolution (any touchpoint, the next
   * answer by response time), and how many of those next scores were not negative: overall (team null) and per team.
   */
  async recovery(m: EntityManager, from: Date, to: Date, team: string | null = null): Promise<RecoveryRow[]> {
    return m.query(
      `SELECT t.team, count(*)::int AS rescored, count(*) FILTER (WHERE NOT n.negative)::int AS recovered
       FROM ${this.t('ticket')} t
       JOIN LATERAL (
         SELECT f.negative FROM ${this.t('feedback_seen')} f
         WHERE f.customer_id = t.customer_id AND f.responded_at > t.resolved_at
         ORDER BY f.responded_at, f.feedback_id LIMIT 1
       ) n ON true
       WHERE t.status = 'resolved' AND t.opened_at >= $1 AND t.opened_at < $2 AND ($3::text IS NULL OR t.team = $3)
       GROUP BY GROUPING SETS ((), (t.team))`,
      [from, to, team],
    );
  }

  /** NPS answers given in [from, to), counted per touchpoint and class. */
  async npsCounts(m: EntityManager, from: Date, to: Date, team: string | null = null): Promise<{ touchpoint: string; classification: string; n: number }[]> {
    return m.query(
      `SELECT touchpoint, classification, count(*)::int AS n FROM ${this.t('feedback_seen')}
       WHERE metric = 'nps' AND responded_at >= $1 AND responded_at < $2 AND ($3::text IS NULL OR team = $3)
       GROUP BY touchpoint, classification`,
      [from, to, team],
    );
  }

  /** Tickets opened per UTC day in [from, to), of one team or all. */
  async openedPerDay(m: EntityManager, from: Date, to: Date, team: string | null): Promise<DayCount[]> {
    return m.query(
      `SELECT to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS n FROM ${this.t('ticket')}
       WHERE opened_at >= $1 AND opened_at < $2 AND ($3::text IS NULL OR team = $3) GROUP BY 1`,
      [from, to, team],
    );
  }

  /** Tickets resolved per UTC day in [from, to) (whenever they were opened) and still resolved, of one team or all. */
  async resolvedPerDay(m: EntityManager, from: Date, to: Date, team: string | null): Promise<DayCount[]> {
    return m.query(
      `SELECT to_char(resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS n FROM ${this.t('ticket')}
       WHERE status = 'resolved' AND resolved_at >= $1 AND resolved_at < $2 AND ($3::text IS NULL OR team = $3) GROUP BY 1`,
      [from, to, team],
    );
  }

  /** NPS answers given in [from, to), per ISO week (its Monday, UTC), touchpoint and class. */
  async npsPerWeek(m: EntityManager, from: Date, to: Date, team: string | null): Promise<NpsWeekCount[]> {
    return m.query(
      `SELECT to_char(date_trunc('week', responded_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week, touchpoint, classification, count(*)::int AS n
       FROM ${this.t('feedback_seen')}
       WHERE metric = 'nps' AND responded_at >= $1 AND responded_at < $2 AND ($3::text IS NULL OR team = $3)
       GROUP BY 1, 2, 3`,
      [from, to, team],
    );
  }

  /**
   * Tickets opened in [from, to) and claimed, counted per time-to-claim bucket: `bucket` is the number of
   * `edgesMs` the time reaches (width_bucket), so 0 is below the first edge.
   */
  async claimTimeCounts(m: EntityManager, from: Date, to: Date, team: string | null, edgesMs: readonly number[]): Promise<ClaimTimeCount[]> {
    return m.query(
      `SELECT width_bucket(EXTRACT(EPOCH FROM (claimed_at - opened_at)) * 1000, $4::float8[]) AS bucket, count(*)::int AS n
       FROM ${this.t('ticket')}
       WHERE claimed_at IS NOT NULL AND opened_at >= $1 AND opened_at < $2 AND ($3::text IS NULL OR team = $3) GROUP BY 1`,
      [from, to, team, edgesMs],
    );
  }
}
