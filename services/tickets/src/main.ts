import { runMain } from '@closeloop/platform';
import { loadTicketsConfig, SERVICE } from './config';
import { startTickets } from './app';

runMain(SERVICE, () => startTickets(loadTicketsConfig()));
