import type { MigrationInterface } from 'typeorm';
import { messagingTablesMigration } from '@closeloop/messaging';
import { sqlMigration } from '@closeloop/platform';

/**
 * Every migration of the ingest schema, in order (an explicit list: bundlers break globs). Parameterised by schema,
 * so tests can migrate a schema of their own (DATABASE_SCHEMA). Never edit a migration that may have run somewhere:
 * add the next one. Ingest publishes feedback straight to Kafka; its outbox and inbox (the messaging tables, added
 * last: TypeORM orders by the timestamp in the name, so a fresh database creates them first) serve its one consumer,
 * the erasure requests of cx.privacy.events.v1 (SPEC §13).
 */
export function migrationsFor(schema: string): (new () => MigrationInterface)[] {
  const s = `"${schema}"`;
  return [
    sqlMigration(
      'IngestSourceDeliveries1764500000100',
      [
        // SPEC §10 "what ops see": deliveries per source, outcome and hour, from every ingest instance (upsert increment)
        `CREATE TABLE "${schema}".source_delivery_count (
          source_id text NOT NULL,
          hour timestamptz NOT NULL,
          outcome text NOT NULL,
          count bigint NOT NULL,
          PRIMARY KEY (source_id, hour, outcome)
        )`,
        `CREATE INDEX source_delivery_count_age ON "${schema}".source_delivery_count (hour)`,
        // the latest deliveries of each source (bounded by count and age): what happened, never the body or a header
        `CREATE TABLE "${schema}".source_delivery (
          id bigserial PRIMARY KEY,
          source_id text NOT NULL,
          received_at timestamptz NOT NULL,
          outcome text NOT NULL,
          status integer NOT NULL,
          reason text,
          feedback_id text,
          kept_id uuid,
          bytes integer NOT NULL
        )`,
        `CREATE INDEX source_delivery_latest ON "${schema}".source_delivery (source_id, id DESC)`,
        `CREATE INDEX source_delivery_age ON "${schema}".source_delivery (received_at)`,
        // authentic but unmappable payloads (422), kept for replay (bounded by size, count and age)
        `CREATE TABLE "${schema}".kept_payload (
          id uuid PRIMARY KEY,
          source_id text NOT NULL,
          kind text NOT NULL,
          received_at timestamptz NOT NULL,
          content_type text NOT NULL,
          body bytea NOT NULL,
          fetched text,
          reason text NOT NULL,
          errors jsonb NOT NULL,
          size integer NOT NULL,
          replayed_at timestamptz,
          replay_outcome text,
          feedback_id text
        )`,
        `CREATE INDEX kept_payload_latest ON "${schema}".kept_payload (source_id, received_at DESC, id)`,
        `CREATE INDEX kept_payload_age ON "${schema}".kept_payload (received_at)`,
        // kept payloads dropped to stay within the bounds, per source (shown next to the kept count)
        `CREATE TABLE "${schema}".kept_dropped (
          source_id text PRIMARY KEY,
          by_count bigint NOT NULL DEFAULT 0,
          by_age bigint NOT NULL DEFAULT 0
        )`,
      ],
      [
        `DROP TABLE "${schema}".kept_dropped`,
        `DROP TABLE "${schema}".kept_payload`,
        `DROP TABLE "${schema}".source_delivery`,
        `DROP TABLE "${schema}".source_delivery_count`,
      ],
    ),
    // SPEC §10 revisions: the latest revision of each feedback and a digest of its score and comment (never the comment)
    sqlMigration(
      'IngestFeedbackRevision1764500000200',
      [
        `CREATE TABLE ${s}.feedback_revision (
          feedback_id text PRIMARY KEY,
          revision integer NOT NULL CHECK (revision >= 1),
          digest text NOT NULL,
          published boolean NOT NULL,
          updated_at timestamptz NOT NULL
        )`,
      ],
      [`DROP TABLE ${s}.feedback_revision`],
    ),
    // SPEC §13: ingest answers erasure requests (inbox) with progress events (outbox)
    messagingTablesMigration(schema),
    // SPEC §13: kept payloads found by customer (erasure) and anonymised once (erasure and retention). Rows kept before
    // this migration have no customer_id: an erasure cannot find them, retention (by received_at) and the
    // INGEST_KEPT_DAYS bound still remove what they hold.
    sqlMigration(
      'IngestKeptPayloadCustomer1764500000300',
      [
        `ALTER TABLE ${s}.kept_payload ADD COLUMN customer_id text`,
        `ALTER TABLE ${s}.kept_payload ADD COLUMN anonymised_at timestamptz`,
        `CREATE INDEX kept_payload_customer ON ${s}.kept_payload (customer_id) WHERE customer_id IS NOT NULL`,
      ],
      [
        `DROP INDEX ${s}.kept_payload_customer`,
        `ALTER TABLE ${s}.kept_payload DROP COLUMN anonymised_at`,
        `ALTER TABLE ${s}.kept_payload DROP COLUMN customer_id`,
      ],
    ),
  ];
}
