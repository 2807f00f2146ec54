import type { MigrationInterface } from 'typeorm';
import { sqlMigration } from '@closeloop/platform';

/**
 * Every migration of the ingest schema, in order (an explicit list: bundlers break globs). Parameterised by schema,
 * so tests can migrate a schema of their own (DATABASE_SCHEMA). Never edit a migration that may have run somewhere:
 * add the next one. Ingest has no outbox or inbox (it publishes straight to Kafka and consumes nothing), so, unlike
 * the other services, its first migration is not the messaging tables.
 */
export function migrationsFor(schema: string): (new () => MigrationInterface)[] {
  const s = `"${schema}"`;
  return [
    // SPEC §10 revisions: the latest revision of each feedback and a digest of its score and comment (never the comment)
    sqlMigration(
      'IngestFeedbackRevision1764500000200',
      [
        `CREATE TABLE ${s}.feedback_revision (
          feedback_id text PRIMARY KEY,
          revision integer NOT NULL CHECK (revision >= 1),
          digest text NOT NULL,
          updated_at timestamptz NOT NULL
        )`,
      ],
      [`DROP TABLE ${s}.feedback_revision`],
    ),
  ];
}
