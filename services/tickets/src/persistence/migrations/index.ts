import { messagingTablesMigration } from '@closeloop/messaging';
import { sqlMigration } from '@closeloop/platform';

/**
 * Every migration of the tickets schema, in order (explicit list: bundlers break globs). Built per schema so
 * tests can run the service in a schema of their own; production uses `tickets`.
 */
export function migrationsFor(schema: string) {
  const s = `"${schema}"`;
  return [
    messagingTablesMigration(schema),
    sqlMigration(
      'TicketsState1763900000200',
      [
        `CREATE TABLE ${s}.ticket (
          id uuid PRIMARY KEY,
          customer_id text NOT NULL,
          customer_name text,
          customer_locale text,
          touchpoint text NOT NULL,
          team text NOT NULL,
          status text NOT NULL CHECK (status IN ('open', 'claimed', 'resolved')),
          severity text NOT NULL CHECK (severity IN ('normal', 'high', 'critical')),
          assignee_id text,
          metric text NOT NULL CHECK (metric IN ('nps', 'csat', 'ces')),
          score integer NOT NULL,
          comment text,
          feedback_count integer NOT NULL CHECK (feedback_count >= 1),
          opened_at timestamptz NOT NULL,
          claimed_at timestamptz,
          resolved_at timestamptz,
          first_response_due timestamptz NOT NULL,
          resolve_due timestamptz NOT NULL,
          first_response_breached_at timestamptz,
          resolve_breached_at timestamptz,
          root_cause text,
          resolution_note text,
          customer_contacted boolean,
          reopen_count integer NOT NULL DEFAULT 0,
          version integer NOT NULL CHECK (version >= 1),
          updated_at timestamptz NOT NULL,
          CHECK (status = 'open' OR assignee_id IS NOT NULL),
          CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
        )`,
        // SPEC §9: at most one open ticket per (customer, touchpoint), decided by the database under any concurrency
        `CREATE UNIQUE INDEX ticket_one_open_per_customer_touchpoint ON ${s}.ticket (customer_id, touchpoint) WHERE status IN ('open', 'claimed')`,
        `CREATE INDEX ticket_newest_first ON ${s}.ticket (opened_at DESC, id DESC)`,
        `CREATE INDEX ticket_customer ON ${s}.ticket (customer_id, opened_at DESC)`,
        `CREATE INDEX ticket_status ON ${s}.ticket (status, opened_at DESC)`,
        // what the SLA poller scans: only tickets that can still breach
        `CREATE INDEX ticket_first_response_pending ON ${s}.ticket (first_response_due)
           WHERE status = 'open' AND claimed_at IS NULL AND first_response_breached_at IS NULL`,
        `CREATE INDEX ticket_resolve_pending ON ${s}.ticket (resolve_due)
           WHERE status IN ('open', 'claimed') AND resolve_breached_at IS NULL`,

        // every feedback that opened a ticket or was attached to it (a feedback belongs to one ticket at most)
        `CREATE TABLE ${s}.ticket_feedback (
          feedback_id text PRIMARY KEY,
          ticket_id uuid NOT NULL REFERENCES ${s}.ticket (id),
          opened_ticket boolean NOT NULL,
          attached_at timestamptz NOT NULL,
          scored jsonb NOT NULL
        )`,
        `CREATE INDEX ticket_feedback_ticket ON ${s}.ticket_feedback (ticket_id, attached_at)`,

        // every scored feedback, promoters included: the recovery rate and NPS of the reports
        `CREATE TABLE ${s}.feedback_seen (
          feedback_id text PRIMARY KEY,
          customer_id text NOT NULL,
          touchpoint text NOT NULL,
          team text NOT NULL,
          metric text NOT NULL,
          score integer NOT NULL,
          classification text NOT NULL,
          negative boolean NOT NULL,
          action_required boolean NOT NULL,
          responded_at timestamptz NOT NULL,
          scored_at timestamptz NOT NULL
        )`,
        `CREATE INDEX feedback_seen_customer ON ${s}.feedback_seen (customer_id, responded_at)`,
        `CREATE INDEX feedback_seen_responded ON ${s}.feedback_seen (responded_at)`,

        `CREATE TABLE ${s}.note (
          id uuid PRIMARY KEY,
          ticket_id uuid NOT NULL REFERENCES ${s}.ticket (id),
          author_id text NOT NULL,
          body text NOT NULL,
          created_at timestamptz NOT NULL
        )`,
        `CREATE INDEX note_ticket ON ${s}.note (ticket_id, created_at)`,

        // what happened to a ticket, oldest first: its events (id = the event's eventId), notes, and deliveries
        // (id = the notification event's eventId, so a redelivered delivery event is recorded once)
        `CREATE TABLE ${s}.timeline (
          id uuid PRIMARY KEY,
          seq bigserial NOT NULL,
          ticket_id uuid NOT NULL REFERENCES ${s}.ticket (id),
          at timestamptz NOT NULL,
          kind text NOT NULL CHECK (kind IN ('event', 'note', 'delivery')),
          type text NOT NULL,
          actor jsonb,
          summary text NOT NULL,
          data jsonb NOT NULL DEFAULT '{}'::jsonb
        )`,
        `CREATE INDEX timeline_ticket ON ${s}.timeline (ticket_id, at, seq)`,
      ],
      [
        `DROP TABLE ${s}.timeline`,
        `DROP TABLE ${s}.note`,
        `DROP TABLE ${s}.feedback_seen`,
        `DROP TABLE ${s}.ticket_feedback`,
        `DROP TABLE ${s}.ticket`,
      ],
    ),
    // SPEC §10 revisions: feedback_seen keeps the latest revision of each feedback (rows from before are revision 1)
    sqlMigration(
      'TicketsFeedbackRevision1764500000100',
      [`ALTER TABLE ${s}.feedback_seen ADD COLUMN revision integer NOT NULL DEFAULT 1`],
      [`ALTER TABLE ${s}.feedback_seen DROP COLUMN revision`],
    ),
    // SPEC §11: how to reach each customer (the newest details any feedback gave), their consent, and the messages
    // agents asked to send (ADR 0017)
    sqlMigration(
      'TicketsCustomerMessages1764900000100',
      [
        `CREATE TABLE ${s}.customer_contact (
          customer_id text PRIMARY KEY,
          name text,
          email text,
          phone text,
          locale text,
          -- respondedAt of the newest feedback that gave details: an older one arriving late fills gaps only
          as_of timestamptz NOT NULL,
          sms_opted_out_at timestamptz,
          sms_opt_out_reason text,
          email_opted_out_at timestamptz,
          email_opt_out_reason text,
          updated_at timestamptz NOT NULL
        )`,
        `CREATE TABLE ${s}.customer_message (
          id uuid PRIMARY KEY,
          ticket_id uuid NOT NULL REFERENCES ${s}.ticket (id),
          agent_id text NOT NULL,
          channel text NOT NULL CHECK (channel IN ('sms', 'email')),
          template text,
          -- an email's subject (SMS have none)
          subject text,
          body text NOT NULL,
          locale text,
          -- what was asked ({channel, template} or {channel, body}): a retry with the same Idempotency-Key must ask the same
          request jsonb NOT NULL,
          created_at timestamptz NOT NULL
        )`,
        `CREATE INDEX customer_message_ticket ON ${s}.customer_message (ticket_id, created_at)`,
      ],
      [`DROP TABLE ${s}.customer_message`, `DROP TABLE ${s}.customer_contact`],
    ),
    // SPEC §11: a resolve with recheck: true asks the customer again after the team's recheckAfter (ADR 0018)
    sqlMigration(
      'TicketsRecheck1765000000100',
      [
        `CREATE TABLE ${s}.recheck_schedule (
          id uuid PRIMARY KEY,
          ticket_id uuid NOT NULL REFERENCES ${s}.ticket (id),
          -- the resolve that asked for it: a reopen (and a later resolve) makes the ticket's resolved_at differ
          resolved_at timestamptz NOT NULL,
          agent_id text NOT NULL,
          due_at timestamptz NOT NULL,
          created_at timestamptz NOT NULL,
          -- set once, in the transaction that sent the recheck or recorded why not
          done_at timestamptz,
          outcome text CHECK (outcome IN ('sent', 'skipped')),
          reason text,
          CHECK ((done_at IS NULL) = (outcome IS NULL))
        )`,
        `CREATE INDEX recheck_schedule_due ON ${s}.recheck_schedule (due_at) WHERE done_at IS NULL`,
        `CREATE INDEX recheck_schedule_ticket ON ${s}.recheck_schedule (ticket_id)`,
      ],
      [`DROP TABLE ${s}.recheck_schedule`],
    ),
    // SPEC §12: each step of a team's escalation chain fires once per ticket and opening (ADR 0019)
    sqlMigration(
      'TicketsEscalation1765000000200',
      [
        `CREATE TABLE ${s}.escalation_step (
          ticket_id uuid NOT NULL REFERENCES ${s}.ticket (id),
          -- the ticket's reopen_count when it fired: a reopened ticket runs its chain again, from the reopen
          round integer NOT NULL CHECK (round >= 0),
          -- 1-based position in the team's chain
          step integer NOT NULL CHECK (step >= 1),
          fired_at timestamptz NOT NULL,
          event_id uuid NOT NULL,
          PRIMARY KEY (ticket_id, round, step)
        )`,
        `CREATE INDEX ticket_unclaimed ON ${s}.ticket (team, opened_at) WHERE status = 'open'`,
      ],
      [`DROP INDEX ${s}.ticket_unclaimed`, `DROP TABLE ${s}.escalation_step`],
    ),
    // SPEC §12 trend alerts (ADR 0020): feedback keeps its attributes (the `trends.by` keys read them), and one row
    // per trend; at most one open trend per group, so two instances cannot open the same spike twice
    sqlMigration(
      'TicketsTrends1765300000000',
      [
        `ALTER TABLE ${s}.feedback_seen ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}'::jsonb`,
        `CREATE INDEX feedback_seen_action_required ON ${s}.feedback_seen (responded_at) WHERE action_required`,
        `CREATE TABLE ${s}.trend (
          id uuid PRIMARY KEY,
          group_key text NOT NULL,
          team text NOT NULL,
          "group" jsonb NOT NULL,
          status text NOT NULL CHECK (status IN ('open', 'ended')),
          count integer NOT NULL,
          peak integer NOT NULL,
          baseline double precision NOT NULL,
          ticket_ids jsonb NOT NULL,
          opened_at timestamptz NOT NULL,
          ended_at timestamptz,
          version integer NOT NULL,
          CHECK ((status = 'ended') = (ended_at IS NOT NULL))
        )`,
        `CREATE UNIQUE INDEX trend_one_open_per_group ON ${s}.trend (group_key) WHERE status = 'open'`,
        `CREATE INDEX trend_opened ON ${s}.trend (opened_at DESC)`,
      ],
      [
        `DROP TABLE ${s}.trend`,
        `DROP INDEX ${s}.feedback_seen_action_required`,
        `ALTER TABLE ${s}.feedback_seen DROP COLUMN attributes`,
      ],
    ),
    // SPEC §12 daily digest: one row per (team, local day) sent, so two instances send it once
    sqlMigration(
      'TicketsDigest1765300000200',
      [`CREATE TABLE ${s}.digest_sent (team text NOT NULL, day date NOT NULL, sent_at timestamptz NOT NULL, PRIMARY KEY (team, day))`],
      [`DROP TABLE ${s}.digest_sent`],
    ),
    // SPEC §12, ADR 0021: one round-robin counter per team, taken with UPDATE … RETURNING in the opening transaction
    sqlMigration(
      'TicketsAssignCounter1765100000100',
      [
        `CREATE TABLE ${s}.assign_counter (
          team text PRIMARY KEY,
          value bigint NOT NULL CHECK (value >= 0)
        )`,
      ],
      [`DROP TABLE ${s}.assign_counter`],
    ),
    // SPEC §14: the catalog parts of each timeline entry's text, so the console shows it in the agent's language
    // (entries written before have none and are shown in English, as stored)
    sqlMigration(
      'TicketsTimelineParts1765500000100',
      [`ALTER TABLE ${s}.timeline ADD COLUMN summary_parts jsonb`],
      [`ALTER TABLE ${s}.timeline DROP COLUMN summary_parts`],
    ),
    // SPEC §13 erasure (ADR 0026): one row per erasure (at most one unfinished per customer, so a second request answers
    // the same id) and one per (erasure, store) from the participants' progress; `key_deleted_at` is the kafka step's
    // first half (key gone), `done_at` its end (every instance's key cache has forgotten it)
    sqlMigration(
      'TicketsErasure1765600000100',
      [
        `CREATE TABLE ${s}.erasure (
          id uuid PRIMARY KEY,
          customer_id text NOT NULL,
          requested_by text NOT NULL,
          requested_at timestamptz NOT NULL,
          key_deleted_at timestamptz,
          key_existed boolean,
          done_at timestamptz,
          CHECK (done_at IS NULL OR key_deleted_at IS NOT NULL)
        )`,
        `CREATE UNIQUE INDEX erasure_one_unfinished_per_customer ON ${s}.erasure (customer_id) WHERE done_at IS NULL`,
        `CREATE TABLE ${s}.erasure_store (
          erasure_id uuid NOT NULL REFERENCES ${s}.erasure (id),
          store text NOT NULL,
          status text NOT NULL CHECK (status IN ('done', 'failed')),
          erased integer NOT NULL CHECK (erased >= 0),
          reason text,
          reported_by text NOT NULL,
          at timestamptz NOT NULL,
          PRIMARY KEY (erasure_id, store)
        )`,
      ],
      [`DROP TABLE ${s}.erasure_store`, `DROP TABLE ${s}.erasure`],
    ),
  ];
}
