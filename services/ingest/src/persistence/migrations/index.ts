import type { MigrationInterface } from 'typeorm';

/**
 * Every migration of the ingest schema, in order (an explicit list: bundlers break globs). Parameterised by schema,
 * so tests can migrate a schema of their own (DATABASE_SCHEMA). Never edit a migration that may have run somewhere:
 * add the next one. Ingest has no outbox or inbox (it publishes straight to Kafka and consumes nothing), so, unlike
 * the other services, its first migration is not the messaging tables.
 */
export function migrationsFor(schema: string): (new () => MigrationInterface)[] {
  void schema;
  return [];
}
