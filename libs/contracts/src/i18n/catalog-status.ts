import type { Locale } from './locales';

/**
 * Who wrote each catalog (issue 15: "mark each catalog's status"). `source` is the text the product is written in;
 * `draft` was written by the team, short and plain, and waits for a fluent speaker's review. A reviewed catalog
 * becomes `reviewed` with the reviewer named in its file's header.
 */
export type CatalogStatus = 'source' | 'draft' | 'reviewed';
export const CATALOG_STATUS: Record<Locale, CatalogStatus> = { en: 'source', tr: 'draft', zh: 'draft', he: 'draft', id: 'draft' };
