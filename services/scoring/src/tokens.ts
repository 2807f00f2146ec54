/** The validated routing file (SPEC §3). */
export const ROUTING = Symbol('ROUTING');
