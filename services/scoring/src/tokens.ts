/** The validated routing file (SPEC §3). */
export const ROUTING = Symbol('ROUTING');

/** The schema of scoring's tables (DATABASE_SCHEMA). */
export const SCHEMA = Symbol('SCHEMA');
