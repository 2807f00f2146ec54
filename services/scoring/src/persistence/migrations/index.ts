import { messagingTablesMigration } from '@closeloop/messaging';
import { sqlMigration } from '@closeloop/platform';

/**
 * Every migration of the scoring schema, in order (an explicit list: bundlers break globs). Parameterised by
 * schema, so tests can migrate a schema of their own (DATABASE_SCHEMA). Never edit a migration that may have run
 * somewhere: add the next one.
 */
export function migrationsFor(schema: string) {
  return [
    messagingTablesMigration(schema),
    sqlMigration(
      'ScoringState1763900000100',
      [
        // negatives seen per customer, for "a second negative from the same customer within 30 days"
        `CREATE TABLE "${schema}".customer_negative (
          customer_id text NOT NULL,
          feedback_id text NOT NULL,
          responded_at timestamptz NOT NULL,
          PRIMARY KEY (customer_id, feedback_id)
        )`,
        `CREATE INDEX customer_negative_recent ON "${schema}".customer_negative (customer_id, responded_at DESC)`,
      ],
      [`DROP TABLE "${schema}".customer_negative`],
    ),
    sqlMigration(
      'ScoringNegativeRecordedAt1763900000200',
      [
        // when the row was written, so pruning by respondedAt never removes rows a backfill in progress still needs
        `ALTER TABLE "${schema}".customer_negative ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now()`,
        `CREATE INDEX customer_negative_prune ON "${schema}".customer_negative (responded_at)`,
      ],
      [`DROP INDEX "${schema}".customer_negative_prune`, `ALTER TABLE "${schema}".customer_negative DROP COLUMN recorded_at`],
    ),
  ];
}
