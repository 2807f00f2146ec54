import { DatabaseOptions } from '@closeloop/platform';
import { ScoringConfig, SCHEMA } from './config';
import { migrations } from './persistence/migrations';

export function databaseOptions(cfg: Pick<ScoringConfig, 'database'>): DatabaseOptions {
  return { url: cfg.database.url, schema: SCHEMA, entities: [], migrations, poolSize: cfg.database.poolSize };
}
