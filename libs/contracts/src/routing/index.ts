export * from './routing-config';
export * from './iso-duration';
export * from './parse-routing-config';
export * from './load-routing-config';
export * from './routing-lookups';
export * from './keywords';
export { missingSourceEnv } from './sections/sources';
export { FALLBACK_LOCALE } from './sections/templates';
export { leadsOf } from './sections/escalation';
