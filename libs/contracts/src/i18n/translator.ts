import { IntlMessageFormat } from 'intl-messageformat';
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
  /** the arguments a select or plural chooses by: passed raw, never isolated */
  selectors: ReadonlySet<string>;
}
const compiled = new Map<string, Compiled>();

type Elements = ReturnType<IntlMessageFormat['getAst']>;
// a select or plural picks its branch by the raw value: an isolated "open" would match no branch
function selectorArguments(elements: Elements, into = new Set<string>()): Set<string> {
  for (const e of elements) {
    if ('options' in e) {
      into.add(e.value);
      for (const option of Object.values(e.options)) selectorArguments(option.value, into);
    }
    if ('children' in e) selectorArguments(e.children, into);
  }
  return into;
}

function compile(locale: Locale, key: MessageKey): Compiled {
  const id = `${locale}\u0000${key}`;
  let c = compiled.get(id);
  if (!c) {
    const format = new IntlMessageFormat(CATALOGS[locale][key] ?? CATALOGS.en[key], locale);
    c = { format, selectors: selectorArguments(format.getAst()) };
    compiled.set(id, c);
  }
  return c;
}

type DateStyle = { dateStyle?: 'full' | 'long' | 'medium' | 'short'; timeStyle?: 'full' | 'long' | 'medium' | 'short' };
const dateFormats = new Map<string, Intl.DateTimeFormat>();
/**
 * One `Intl.DateTimeFormat` per (locale, time zone, style), made once: building one costs far more than formatting
 * with it (a notification worker formats the SLA dues of every alert it renders). The keys are the few locales, the
 * teams' and readers' time zones and the styles in use, so the map stays small.
 */
function dateFormat(locale: Locale, timeZone: string, style: DateStyle | 'day'): Intl.DateTimeFormat {
  const key = style === 'day' ? `${locale}\u0000${timeZone}\u0000day` : `${locale}\u0000${timeZone}\u0000${style.dateStyle ?? ''}\u0000${style.timeStyle ?? ''}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, style === 'day' ? { month: 'long', day: 'numeric', timeZone } : { dateStyle: style.dateStyle, timeStyle: style.timeStyle, timeZone });
    dateFormats.set(key, f);
  }
  return f;
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
      return dateFormat(locale, timeZone, style).format(new Date(at));
    },
    day(at) {
      return dateFormat(locale, timeZone, 'day').format(new Date(at));
    },
    number(n, opts) {
      return new Intl.NumberFormat(locale, opts).format(n);
    },
    duration(ms) {
      return formatDuration(ms, locale);
    },
  };
}
