/** The validated console configuration. */
export const CONSOLE_CONFIG = Symbol('CONSOLE_CONFIG');
/** The validated routing file (SPEC §3): agents, teams, touchpoints, root causes. */
export const ROUTING = Symbol('ROUTING');
/** The console's pino logger for its own background work (pollers, watchers). */
export const CONSOLE_LOGGER = Symbol('CONSOLE_LOGGER');
