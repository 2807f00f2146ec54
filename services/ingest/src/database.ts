import { DatabaseOptions } from '@closeloop/platform';
import { IngestConfig } from './config';
import { migrationsFor } from './persistence/migrations';

export function databaseOptions(cfg: Pick<IngestConfig, 'database'>): DatabaseOptions {
  const { url, schema, poolSize } = cfg.database;
  return { url, schema, entities: [], migrations: migrationsFor(schema), poolSize };
}
