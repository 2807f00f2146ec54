/** The validated routing file (SPEC §3). */
export const ROUTING = Symbol('ROUTING');
/** The whole validated NotificationConfig. */
export const NOTIFICATION_CONFIG = Symbol('NOTIFICATION_CONFIG');
/** The log channel, used for teams without a Slack channel even when Slack is configured. */
export const LOG_CHANNEL = Symbol('LOG_CHANNEL');
/** The service's pino logger (for code outside Nest's request context: worker, consumer). */
export const LOGGER = Symbol('LOGGER');
