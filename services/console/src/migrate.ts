import { migrationCli } from '@closeloop/platform';
import { SERVICE } from './config';
import { databaseOptions } from './database';

migrationCli(SERVICE, 'console', databaseOptions);
