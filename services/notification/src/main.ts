import { runMain } from '@closeloop/platform';
import { loadNotificationConfig, SERVICE } from './config';
import { startNotification } from './app';

runMain(SERVICE, () => startNotification(loadNotificationConfig()));
