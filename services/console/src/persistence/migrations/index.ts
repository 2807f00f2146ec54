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
    sqlMigration(
      'AgentLocales1765400000300',
      [
        // the console language an agent chose (SPEC §14); no row = the routing file's agents[].locale
        `CREATE TABLE "${schema}".agent_locale (
          agent_id text PRIMARY KEY,
          locale text NOT NULL,
          chosen_at timestamptz NOT NULL DEFAULT now()
        )`,
      ],
      [`DROP TABLE "${schema}".agent_locale`],
    ),
  ];
}
