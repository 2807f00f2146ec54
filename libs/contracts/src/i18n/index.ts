export * from './locales';
export * from './catalog-status';
export * from './durations';
export * from './translator';
export { CATALOGS, type Catalog, type MessageKey, type TimelineKey } from './catalogs';
