import { messagingTablesMigration } from '@closeloop/messaging';
import { sqlMigration } from '@closeloop/platform';
import { SCHEMA } from '../../config';

/** Every migration of the scoring schema, in order (explicit list: bundlers break globs). */
export const migrations = [
  messagingTablesMigration(SCHEMA),
  sqlMigration(
    'ScoringState1763900000100',
    [
      // negatives seen per customer, for "a second negative from the same customer within 30 days"
      `CREATE TABLE "${SCHEMA}".customer_negative (
        customer_id text NOT NULL,
        feedback_id text NOT NULL,
        responded_at timestamptz NOT NULL,
        PRIMARY KEY (customer_id, feedback_id)
      )`,
      `CREATE INDEX customer_negative_recent ON "${SCHEMA}".customer_negative (customer_id, responded_at DESC)`,
    ],
    [`DROP TABLE "${SCHEMA}".customer_negative`],
  ),
];
