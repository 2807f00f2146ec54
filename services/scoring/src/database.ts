import { DatabaseOptions } from '@closeloop/platform';
import { ScoringConfig } from './config';
import { migrationsFor } from './persistence/migrations';

export function databaseOptions(cfg: Pick<ScoringConfig, 'database'>): DatabaseOptions {
  const { url, schema, poolSize } = cfg.database;
  return { url, schema, entities: [], migrations: migrationsFor(schema), poolSize };
}
