import { createContext, useContext } from 'react';
import { CATALOGS, type Locale, type MessageKey, type Translator, supportedLocale, translator } from '@closeloop/contracts/i18n';
import { ApiError } from './api';
import { shownText } from './format';

/**
 * The console speaks the signed-in agent's language (SPEC §14: `/api/me`'s `locale`, switchable in the header) and
 * shows times in the browser's time zone. Every page reads its texts, dates, numbers and durations from the one
 * translator of contracts' i18n module, through `useI18n()`.
 */
export function consoleTranslator(locale: Locale): Translator {
  return translator(locale, { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone });
}

/** Before sign-in nobody is known: the browser's language, if we speak it. */
export function browserLocale(): Locale {
  return supportedLocale(navigator.language);
}

const I18n = createContext<Translator>(consoleTranslator('en'));
export const I18nProvider = I18n.Provider;

export function useI18n(): Translator {
  return useContext(I18n);
}

/** `<html lang dir>` and the tab's title: Hebrew lays the whole page out right to left. */
export function applyToDocument(i18n: Translator): void {
  document.documentElement.lang = i18n.locale;
  document.documentElement.dir = i18n.dir;
  document.title = i18n.t('console.title');
}

/** A date and time with seconds, in the agent's language and time zone; "—" when there is none. */
export function when(i18n: Translator, iso: string | null | undefined): string {
  return iso ? i18n.dateTime(iso, { dateStyle: 'medium', timeStyle: 'medium' }) : i18n.t('console.none');
}

/** A failed request, said in the agent's language; the service's own detail (English, the API's language) follows. */
export function errorText(i18n: Translator, err: unknown): string {
  if (err instanceof ApiError) return i18n.t('console.error.request', { status: String(err.status), detail: err.message });
  return i18n.t('console.error.network', { detail: (err as Error).message });
}

/**
 * A timeline entry in the agent's language: tickets keeps the catalog parts each entry's English text is made of
 * (names, notes and replies inside them stay as written). An entry from before that, or with a part this console does
 * not know (a newer tickets), is shown as stored.
 */
export function timelineText(i18n: Translator, e: { summary: string; summaryParts?: { key: string; args: Record<string, string | number> }[] }): string {
  const parts = e.summaryParts ?? [];
  if (!parts.length || !parts.every((p) => Object.prototype.hasOwnProperty.call(CATALOGS.en, p.key))) return shownText(i18n, e.summary);
  // an erased customer's words (SPEC §13) are said as "erased" in the agent's language, never as the stored mark
  return parts.map((p) => i18n.t(p.key as MessageKey, Object.fromEntries(Object.entries(p.args).map(([k, v]) => [k, typeof v === 'string' ? shownText(i18n, v) : v])))).join('');
}
