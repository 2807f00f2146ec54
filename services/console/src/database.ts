import { DatabaseOptions } from '@closeloop/platform';
import { ConsoleConfig } from './config';
import { migrationsFor } from './persistence/migrations';

export function databaseOptions(cfg: Pick<ConsoleConfig, 'database'>): DatabaseOptions {
  return { url: cfg.database.url, schema: cfg.database.schema, entities: [], migrations: migrationsFor(cfg.database.schema), poolSize: cfg.database.poolSize };
}
