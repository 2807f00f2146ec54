import { runMain } from '@closeloop/platform';
import { loadConsoleConfig, SERVICE } from './config';
import { startConsole } from './app';

runMain(SERVICE, () => startConsole(loadConsoleConfig()));
