import type { Locale } from '../locales';
import * as alerts from './alerts';
import * as consoleTexts from './console';

/** Every catalog, by locale: the alerts' keys and the console's (disjoint prefixes). */
export type MessageKey = alerts.AlertsKey | consoleTexts.ConsoleKey;
export type Catalog = Record<MessageKey, string>;

export const CATALOGS: Record<Locale, Catalog> = {
  en: { ...alerts.en, ...consoleTexts.en },
  tr: { ...alerts.tr, ...consoleTexts.tr },
  zh: { ...alerts.zh, ...consoleTexts.zh },
  he: { ...alerts.he, ...consoleTexts.he },
  id: { ...alerts.id, ...consoleTexts.id },
};
