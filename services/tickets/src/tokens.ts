/** The validated routing file (SPEC §3). */
export const ROUTING = Symbol('ROUTING');
/** The service configuration (TicketsConfig). */
export const TICKETS_CONFIG = Symbol('TICKETS_CONFIG');
/** The pino logger of the service's own code (consumers, scheduler). */
export const LOGGER = Symbol('LOGGER');
