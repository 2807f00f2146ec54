import type { Locale } from '../locales';
import * as alerts from './alerts';
import * as consoleTexts from './console';
import * as timeline from './timeline';

/** Every catalog, by locale: the alerts' keys, the console's and the ticket timeline's (disjoint prefixes). */
export type MessageKey = alerts.AlertsKey | consoleTexts.ConsoleKey | timeline.TimelineKey;
export type { TimelineKey } from './timeline';
export type Catalog = Record<MessageKey, string>;

export const CATALOGS: Record<Locale, Catalog> = {
  en: { ...alerts.en, ...consoleTexts.en, ...timeline.en },
  tr: { ...alerts.tr, ...consoleTexts.tr, ...timeline.tr },
  zh: { ...alerts.zh, ...consoleTexts.zh, ...timeline.zh },
  he: { ...alerts.he, ...consoleTexts.he, ...timeline.he },
  id: { ...alerts.id, ...consoleTexts.id, ...timeline.id },
};
