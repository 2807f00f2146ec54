import { messagingTablesMigration } from '@closeloop/messaging';
import { sqlMigration } from '@closeloop/platform';

/** Every migration of the notification schema, in order (explicit list: bundlers break globs). */
export function migrationsFor(schema: string) {
  const s = `"${schema}"`;
  return [
    messagingTablesMigration(schema),
    sqlMigration(
      'NotificationState1763900000300',
      [
        // The newest ticket snapshot seen (events may be redelivered; older versions never overwrite newer ones).
        // Slack messages are rendered from it, so an update never shows an older state than one already shown.
        `CREATE TABLE ${s}.ticket_snapshot (
          ticket_id text PRIMARY KEY,
          version integer NOT NULL,
          snapshot jsonb NOT NULL,
          updated_at timestamptz NOT NULL DEFAULT now()
        )`,
        // The one top-level alert per (ticket, channel) — SPEC §9. `ts` is set once the post succeeded.
        `CREATE TABLE ${s}.alert_message (
          ticket_id text NOT NULL,
          channel text NOT NULL,
          provider text NOT NULL CHECK (provider IN ('slack', 'log')),
          alert_delivery_id uuid NOT NULL,
          ts text,
          posted_at timestamptz,
          rendered_version integer NOT NULL DEFAULT 0,
          -- a short lease so two instances never chat.update the same message at once (last writer could show an older state)
          updating_until timestamptz,
          created_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (ticket_id, channel)
        )`,
        // One record per (ticket event, channel, recipient, purpose) — SPEC §7.
        `CREATE TABLE ${s}.delivery (
          id uuid PRIMARY KEY,
          ticket_id text NOT NULL,
          ticket_event_id uuid NOT NULL,
          ticket_event_type text NOT NULL,
          channel text NOT NULL CHECK (channel IN ('slack', 'sms', 'log')),
          recipient text NOT NULL,
          purpose text NOT NULL CHECK (purpose IN ('alert', 'update', 'thread_reply', 'sms', 'ephemeral')),
          status text NOT NULL CHECK (status IN ('pending', 'held', 'sending', 'sent', 'delivered', 'retrying', 'failed', 'skipped')),
          -- the status last published as notification.delivery, so each change is published once
          published_status text,
          critical boolean NOT NULL DEFAULT false,
          payload jsonb NOT NULL,
          snapshot_version integer NOT NULL,
          attempts integer NOT NULL DEFAULT 0,
          next_attempt_at timestamptz NOT NULL DEFAULT now(),
          lease_until timestamptz,
          -- set by the worker that claimed the row; its result is applied only while it still holds the claim
          claim_token uuid,
          -- the last attempt may have reached the provider (timeout, 5xx, crash while sending): reconcile before re-posting
          maybe_delivered boolean NOT NULL DEFAULT false,
          last_error text,
          last_error_code text,
          provider text,
          provider_id text,
          provider_status text,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now(),
          sent_at timestamptz,
          UNIQUE (ticket_event_id, channel, recipient, purpose)
        )`,
        `CREATE INDEX delivery_due ON ${s}.delivery (next_attempt_at) WHERE status IN ('pending', 'retrying', 'held', 'sending')`,
        `CREATE INDEX delivery_ticket ON ${s}.delivery (ticket_id, created_at)`,
        `CREATE INDEX delivery_provider_id ON ${s}.delivery (provider_id) WHERE provider_id IS NOT NULL`,
        // Per-Slack-channel pacing shared by every instance: a post may go out only once now() >= next_allowed_at.
        `CREATE TABLE ${s}.slack_channel_rate (
          channel text PRIMARY KEY,
          next_allowed_at timestamptz NOT NULL
        )`,
        // Commands sent from Slack, so a later ticket.command_rejected can say what was refused.
        `CREATE TABLE ${s}.slack_command (
          command_id uuid PRIMARY KEY,
          type text NOT NULL,
          ticket_id text NOT NULL,
          agent_id text NOT NULL,
          slack_user_id text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now()
        )`,
      ],
      [
        `DROP TABLE ${s}.slack_command`,
        `DROP TABLE ${s}.slack_channel_rate`,
        `DROP TABLE ${s}.delivery`,
        `DROP TABLE ${s}.alert_message`,
        `DROP TABLE ${s}.ticket_snapshot`,
      ],
    ),
    sqlMigration(
      'NotificationRetention1764500000000',
      [
        // retention pruning finds old rows by these, one bounded batch at a time (src/housekeeping.ts)
        `CREATE INDEX delivery_finished_updated ON ${s}.delivery (updated_at) WHERE status IN ('sent', 'delivered', 'failed', 'skipped')`,
        `CREATE INDEX ticket_snapshot_updated ON ${s}.ticket_snapshot (updated_at)`,
        `CREATE INDEX slack_command_created ON ${s}.slack_command (created_at)`,
      ],
      [`DROP INDEX ${s}.slack_command_created`, `DROP INDEX ${s}.ticket_snapshot_updated`, `DROP INDEX ${s}.delivery_finished_updated`],
    ),
    sqlMigration(
      'NotificationEmailAlerts1764600000000',
      [
        // alert emails (SPEC §11): the team's mailbox is a channel, an email a purpose
        `ALTER TABLE ${s}.delivery DROP CONSTRAINT delivery_channel_check,
           ADD CONSTRAINT delivery_channel_check CHECK (channel IN ('slack', 'sms', 'email', 'log'))`,
        `ALTER TABLE ${s}.delivery DROP CONSTRAINT delivery_purpose_check,
           ADD CONSTRAINT delivery_purpose_check CHECK (purpose IN ('alert', 'update', 'thread_reply', 'sms', 'email', 'ephemeral'))`,
      ],
      [
        `ALTER TABLE ${s}.delivery DROP CONSTRAINT delivery_purpose_check,
           ADD CONSTRAINT delivery_purpose_check CHECK (purpose IN ('alert', 'update', 'thread_reply', 'sms', 'ephemeral'))`,
        `ALTER TABLE ${s}.delivery DROP CONSTRAINT delivery_channel_check,
           ADD CONSTRAINT delivery_channel_check CHECK (channel IN ('slack', 'sms', 'log'))`,
      ],
    ),
    sqlMigration(
      'NotificationRecheckLinks1764600000200',
      [
        // SPEC §11: a recheck link, by the SHA-256 of its token (the token itself is never stored); answered once
        `CREATE TABLE ${s}.recheck_link (
          id uuid PRIMARY KEY,
          token_hash text NOT NULL UNIQUE,
          ticket_id text NOT NULL,
          customer_id text NOT NULL,
          touchpoint text NOT NULL,
          locale text,
          created_at timestamptz NOT NULL,
          expires_at timestamptz NOT NULL,
          answered_at timestamptz,
          score smallint CHECK (score BETWEEN 0 AND 10)
        )`,
        `CREATE INDEX recheck_link_ticket ON ${s}.recheck_link (ticket_id)`,
      ],
      [`DROP TABLE ${s}.recheck_link`],
    ),
    // SPEC §11: messages from agents to customers are deliveries of their own purpose (ADR 0017)
    sqlMigration(
      'NotificationCustomerSms1764900000200',
      [
        `ALTER TABLE ${s}.delivery DROP CONSTRAINT delivery_purpose_check`,
        `ALTER TABLE ${s}.delivery ADD CONSTRAINT delivery_purpose_check CHECK (purpose IN ('alert', 'update', 'thread_reply', 'sms', 'email', 'ephemeral', 'customer_sms'))`,
        // an inbound SMS answers the ticket last texted to its number (src/outreach/outreach.repository.ts)
        `CREATE INDEX delivery_customer_sms_recipient ON ${s}.delivery (recipient, created_at DESC) WHERE purpose = 'customer_sms'`,
      ],
      [
        `DROP INDEX ${s}.delivery_customer_sms_recipient`,
        `DELETE FROM ${s}.delivery WHERE purpose = 'customer_sms'`,
        `ALTER TABLE ${s}.delivery DROP CONSTRAINT delivery_purpose_check`,
        `ALTER TABLE ${s}.delivery ADD CONSTRAINT delivery_purpose_check CHECK (purpose IN ('alert', 'update', 'thread_reply', 'sms', 'email', 'ephemeral'))`,
      ],
    ),
    sqlMigration(
      'NotificationCustomerEmail1764900000300',
      [
        // SPEC §11: emails to customers, each with its own unsubscribe link (stored by the SHA-256 of its token)
        `ALTER TABLE ${s}.delivery DROP CONSTRAINT delivery_purpose_check`,
        `ALTER TABLE ${s}.delivery ADD CONSTRAINT delivery_purpose_check CHECK (purpose IN ('alert', 'update', 'thread_reply', 'sms', 'email', 'ephemeral', 'customer_sms', 'customer_email'))`,
        `CREATE TABLE ${s}.unsubscribe_link (
          id uuid PRIMARY KEY,
          token_hash text NOT NULL UNIQUE,
          ticket_id text NOT NULL,
          customer_id text NOT NULL,
          locale text,
          created_at timestamptz NOT NULL,
          used_at timestamptz
        )`,
        `CREATE INDEX unsubscribe_link_customer ON ${s}.unsubscribe_link (customer_id)`,
      ],
      [
        `DROP TABLE ${s}.unsubscribe_link`,
        `DELETE FROM ${s}.delivery WHERE purpose = 'customer_email'`,
        `ALTER TABLE ${s}.delivery DROP CONSTRAINT delivery_purpose_check`,
        `ALTER TABLE ${s}.delivery ADD CONSTRAINT delivery_purpose_check CHECK (purpose IN ('alert', 'update', 'thread_reply', 'sms', 'email', 'ephemeral', 'customer_sms'))`,
      ],
    ),
    sqlMigration(
      'NotificationPacedAt1764900000400',
      // when the delivery took its Slack channel slot (database clock): SLACK_CHANNEL_INTERVAL_MS apart per channel
      [`ALTER TABLE ${s}.delivery ADD COLUMN paced_at timestamptz`],
      [`ALTER TABLE ${s}.delivery DROP COLUMN paced_at`],
    ),
    // SPEC §12 trend alerts (ADR 0020): the newest state of each trend, rendered into its one top-level message; the
    // message itself is an alert_message row and its posts are deliveries, keyed by the trend id like a ticket's
    sqlMigration(
      'NotificationTrends1765300000100',
      [
        `CREATE TABLE ${s}.trend_snapshot (
          trend_id text PRIMARY KEY,
          version integer NOT NULL,
          snapshot jsonb NOT NULL,
          updated_at timestamptz NOT NULL DEFAULT now()
        )`,
      ],
      [`DROP TABLE ${s}.trend_snapshot`],
    ),
    // SPEC §12: a lead's daily digest is a delivery of its own purpose (a DM)
    sqlMigration(
      'NotificationDigest1765300000300',
      [
        `ALTER TABLE ${s}.delivery DROP CONSTRAINT delivery_purpose_check`,
        `ALTER TABLE ${s}.delivery ADD CONSTRAINT delivery_purpose_check CHECK (purpose IN ('alert', 'update', 'thread_reply', 'sms', 'email', 'ephemeral', 'customer_sms', 'customer_email', 'digest'))`,
      ],
      [
        `DELETE FROM ${s}.delivery WHERE purpose = 'digest'`,
        `ALTER TABLE ${s}.delivery DROP CONSTRAINT delivery_purpose_check`,
        `ALTER TABLE ${s}.delivery ADD CONSTRAINT delivery_purpose_check CHECK (purpose IN ('alert', 'update', 'thread_reply', 'sms', 'email', 'ephemeral', 'customer_sms', 'customer_email'))`,
      ],
    ),
    // SPEC §13 erasure (ADR 0024 "Next"): the durable work list of a customer's records outside Postgres, one row per
    // (erasure, kind, external id), recorded with the erasure in the inbox transaction and drained by the redaction
    // worker (src/privacy/); and the stores still to report per erasure
    sqlMigration(
      'NotificationErasure1765600000100',
      [
        `CREATE TABLE ${s}.erasure_task (
          erasure_id uuid NOT NULL,
          kind text NOT NULL CHECK (kind IN ('slack', 'twilio', 'email')),
          -- slack: channel:ts; twilio: the message SID; email: the delivery id
          external_id text NOT NULL,
          customer_id text NOT NULL,
          ticket_id text NOT NULL,
          -- slack: the alert itself or a thread reply (which redacted text it gets); its team's language
          role text,
          team text,
          status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
          attempts integer NOT NULL DEFAULT 0,
          next_attempt_at timestamptz NOT NULL DEFAULT now(),
          lease_until timestamptz,
          claim_token uuid,
          -- why it failed or how it ended (vendor codes, never personal data)
          reason text,
          created_at timestamptz NOT NULL DEFAULT now(),
          updated_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (erasure_id, kind, external_id)
        )`,
        `CREATE INDEX erasure_task_due ON ${s}.erasure_task (next_attempt_at) WHERE status = 'pending'`,
        `CREATE TABLE ${s}.erasure_report (
          erasure_id uuid NOT NULL,
          store text NOT NULL CHECK (store IN ('slack', 'twilio', 'email')),
          customer_id text NOT NULL,
          -- the request being answered: an admin's retry is a new request (new eventId) for the same erasure (ADR 0026)
          request_event_id uuid NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          reported_at timestamptz,
          PRIMARY KEY (erasure_id, store)
        )`,
        `CREATE INDEX erasure_report_open ON ${s}.erasure_report (created_at) WHERE reported_at IS NULL`,
        // SMS the customer sent us (POST /twilio/inbound), by MessageSid: their Twilio records are deleted on erasure.
        // Ids only: the text lives in the thread reply delivery, the number nowhere
        `CREATE TABLE ${s}.inbound_sms (
          message_sid text PRIMARY KEY,
          ticket_id text NOT NULL,
          received_at timestamptz NOT NULL DEFAULT now()
        )`,
        `CREATE INDEX inbound_sms_ticket ON ${s}.inbound_sms (ticket_id)`,
        // whose ticket an alert is about: the alert row is kept after the snapshot is pruned (Retention), so an
        // erasure still finds the customer's old alerts (set from now on; older rows have none)
        `ALTER TABLE ${s}.alert_message ADD COLUMN customer_id text`,
        `CREATE INDEX alert_message_customer ON ${s}.alert_message (customer_id) WHERE customer_id IS NOT NULL`,
        // the customer's tickets are found by the snapshot's customerId
        `CREATE INDEX ticket_snapshot_customer ON ${s}.ticket_snapshot ((snapshot->>'customerId'))`,
        `CREATE INDEX recheck_link_customer ON ${s}.recheck_link (customer_id)`,
      ],
      [
        `DROP INDEX ${s}.recheck_link_customer`,
        `DROP INDEX ${s}.ticket_snapshot_customer`,
        `DROP TABLE ${s}.inbound_sms`,
        `DROP INDEX ${s}.alert_message_customer`,
        `ALTER TABLE ${s}.alert_message DROP COLUMN customer_id`,
        `DROP TABLE ${s}.erasure_report`,
        `DROP TABLE ${s}.erasure_task`,
      ],
    ),
  ];
}
