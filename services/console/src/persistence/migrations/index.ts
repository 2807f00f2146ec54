import { sqlMigration } from '@closeloop/platform';

/** Every migration of the console schema, in order. The schema name is configurable (DATABASE_SCHEMA). */
export function migrationsFor(schema: string) {
  return [
    sqlMigration(
      'DlqReplays1763900000300',
      [
        // one row per dead letter put back on its topic: the primary key is what makes a second click a no-op
        `CREATE TABLE "${schema}".dlq_replay (
          dlq_topic text NOT NULL,
          dlq_partition integer NOT NULL,
          dlq_offset bigint NOT NULL,
          original_topic text NOT NULL,
          replayed_partition integer,
          replayed_offset bigint,
          replayed_by text NOT NULL,
          replayed_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (dlq_topic, dlq_partition, dlq_offset)
        )`,
      ],
      [`DROP TABLE "${schema}".dlq_replay`],
    ),
  ];
}
