import { migrationCli } from '@closeloop/platform';
import { DEFAULT_SCHEMA, SERVICE } from './config';
import { databaseOptions } from './database';

migrationCli(SERVICE, DEFAULT_SCHEMA, databaseOptions);
