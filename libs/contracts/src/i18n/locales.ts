/**
 * The languages Closeloop speaks (SPEC §14): the team's alerts (`teams[].locale`) and an agent's console
 * (`agents[].locale`). `en` is the source catalog and the fallback.
 */
export const LOCALES = ['en', 'tr', 'zh', 'he', 'id'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The locale to use for a tag someone wrote (`tr-TR`, `zh_Hans`, `HE`), or `en` when we do not speak it. */
export function supportedLocale(tag: string | null | undefined): Locale {
  const primary = (tag ?? '').trim().replace(/_/g, '-').split('-')[0]?.toLowerCase();
  // `iw` and `in` are the deprecated ISO 639 codes of Hebrew and Indonesian that Java and older systems still send
  const aliased = primary === 'iw' ? 'he' : primary === 'in' ? 'id' : primary;
  return isLocale(aliased) ? aliased : DEFAULT_LOCALE;
}

const RTL: ReadonlySet<Locale> = new Set<Locale>(['he']);

export type TextDirection = 'ltr' | 'rtl';
export function textDirection(locale: Locale): TextDirection {
  return RTL.has(locale) ? 'rtl' : 'ltr';
}

/** Unicode FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE (UAX #9): a value keeps its own direction inside a sentence. */
export const FSI = '\u2068';
export const PDI = '\u2069';
export function isolate(value: string): string {
  return `${FSI}${value}${PDI}`;
}
