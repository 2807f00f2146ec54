import { DatabaseOptions } from '@closeloop/platform';
import { TicketsConfig } from './config';
import { migrationsFor } from './persistence/migrations';

export function databaseOptions(cfg: Pick<TicketsConfig, 'database'>): DatabaseOptions {
  const schema = cfg.database.schema;
  return { url: cfg.database.url, schema, entities: [], migrations: migrationsFor(schema), poolSize: cfg.database.poolSize };
}
