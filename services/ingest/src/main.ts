import { runMain } from '@closeloop/platform';
import { loadIngestConfig, SERVICE } from './config';
import { startIngest } from './app';

runMain(SERVICE, () => startIngest(loadIngestConfig()));
