import { sqlMigration } from '@closeloop/platform';

/** The outbox and inbox tables in a service's schema; include it in the service's migrations. */
export function messagingTablesMigration(schema: string) {
  return sqlMigration(
    `MessagingTables1763900000000`,
    [
      `CREATE TABLE "${schema}".outbox (
        id bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        topic text NOT NULL,
        key text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE "${schema}".inbox (
        consumer text NOT NULL,
        event_id uuid NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`,
      `CREATE INDEX inbox_processed_at ON "${schema}".inbox (processed_at)`,
    ],
    [`DROP TABLE "${schema}".inbox`, `DROP TABLE "${schema}".outbox`],
  );
}
