import { IntlMessageFormat } from 'intl-messageformat';
import { TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { CATALOGS, type MessageKey } from './catalogs';
import { formatDuration } from './durations';
import { type Locale, type TextDirection, isolate, textDirection } from './locales';

export type MessageArgs = Record<string, string | number | null | undefined>;

export interface TranslatorOptions {
  /** IANA time zone of the reader (the team's, or the browser's in the console); dates are shown in it. Default UTC. */
  timeZone?: string;
}

/**
 * The one way a text a person reads is made (SPEC §14): a catalog message in the reader's locale, with ICU plural
 * rules, and the reader's date, number and duration formats. In a right-to-left locale every string argument is
 * wrapped in FSI…PDI, so a Latin name, an email address or a phone number inside a Hebrew sentence keeps its own
 * direction and does not reorder the sentence around it (Slack and SMS have no `dir` attribute).
 */
export interface Translator {
  readonly locale: Locale;
  readonly dir: TextDirection;
  readonly timeZone: string;
  t(key: MessageKey, args?: MessageArgs): string;
  /** A date and time, e.g. "1 Ara 2026 14:05" (tr). `style` picks Intl's dateStyle/timeStyle. */
  dateTime(at: Date | string | number, style?: { dateStyle?: 'full' | 'long' | 'medium' | 'short'; timeStyle?: 'full' | 'long' | 'medium' | 'short' }): string;
  /** A calendar day, e.g. "1 Aralık" (tr), "12月1日" (zh). */
  day(at: Date | string | number): string;
  number(n: number, options?: Intl.NumberFormatOptions): string;
  duration(ms: number | null | undefined): string;
}

interface Compiled {
  format: IntlMessageFormat;
  /** `{x, select, …}` arguments: they choose a branch and are never shown, so they are never wrapped in FSI…PDI. */
  selectors: ReadonlySet<string>;
}

const compiled = new Map<string, Compiled>();

function selectorsOf(elements: MessageFormatElement[], found = new Set<string>()): Set<string> {
  for (const e of elements) {
    if (e.type === TYPE.select) found.add(e.value);
    if (e.type === TYPE.select || e.type === TYPE.plural) for (const option of Object.values(e.options)) selectorsOf(option.value, found);
    else if (e.type === TYPE.tag) selectorsOf(e.children, found);
  }
  return found;
}

function compile(locale: Locale, key: MessageKey): Compiled {
  const id = `${locale}\u0000${key}`;
  let entry = compiled.get(id);
  if (!entry) {
    const format = new IntlMessageFormat(CATALOGS[locale][key] ?? CATALOGS.en[key], locale);
    entry = { format, selectors: selectorsOf(format.getAst()) };
    compiled.set(id, entry);
  }
  return entry;
}

export function translator(locale: Locale, options: TranslatorOptions = {}): Translator {
  const timeZone = options.timeZone ?? 'UTC';
  const dir = textDirection(locale);
  return {
    locale,
    dir,
    timeZone,
    t(key, args = {}) {
      const { format, selectors } = compile(locale, key);
      const values: Record<string, string | number> = {};
      for (const [name, value] of Object.entries(args)) {
        if (value === null || value === undefined) values[name] = '';
        else values[name] = typeof value === 'string' && dir === 'rtl' && !selectors.has(name) ? isolate(value) : value;
      }
      return String(format.format(values));
    },
    dateTime(at, style = { dateStyle: 'medium', timeStyle: 'short' }) {
      return new Intl.DateTimeFormat(locale, { ...style, timeZone }).format(new Date(at));
    },
    day(at) {
      return new Intl.DateTimeFormat(locale, { month: 'long', day: 'numeric', timeZone }).format(new Date(at));
    },
    number(n, opts) {
      return new Intl.NumberFormat(locale, opts).format(n);
    },
    duration(ms) {
      return formatDuration(ms, locale);
    },
  };
}
