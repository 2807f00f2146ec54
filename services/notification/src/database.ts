import { DatabaseOptions } from '@closeloop/platform';
import { NotificationConfig } from './config';
import { migrationsFor } from './persistence/migrations';

export function databaseOptions(cfg: Pick<NotificationConfig, 'database'>): DatabaseOptions {
  const { schema } = cfg.database;
  return { url: cfg.database.url, schema, entities: [], migrations: migrationsFor(schema), poolSize: cfg.database.poolSize };
}
