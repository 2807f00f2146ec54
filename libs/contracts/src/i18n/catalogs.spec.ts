import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { CATALOGS, CATALOG_STATUS, LOCALES, supportedLocale, textDirection, translator, type MessageKey } from './index';

/** Every argument a message uses, with its kind (`name:plural`, `name:string`…), nested options included. */
function argumentsOf(message: string): string[] {
  const found = new Set<string>();
  const walk = (elements: MessageFormatElement[]) => {
    for (const e of elements) {
      if (e.type === TYPE.argument) found.add(`${e.value}:string`);
      else if (e.type === TYPE.number || e.type === TYPE.date || e.type === TYPE.time) found.add(`${e.value}:${TYPE[e.type]}`);
      else if (e.type === TYPE.plural || e.type === TYPE.select) {
        found.add(`${e.value}:${e.type === TYPE.plural ? 'plural' : 'select'}`);
        for (const option of Object.values(e.options)) walk(option.value);
      } else if (e.type === TYPE.tag) walk(e.children);
    }
  };
  walk(parse(message));
  return [...found].sort();
}

const EN_KEYS = Object.keys(CATALOGS.en).sort() as MessageKey[];

describe('message catalogs (SPEC §14: complete, same ICU arguments as en)', () => {
  it.each(LOCALES.filter((l) => l !== 'en'))('%s has exactly the keys of en', (locale) => {
    expect(Object.keys(CATALOGS[locale]).sort()).toEqual(EN_KEYS);
  });

  it.each(LOCALES.flatMap((locale) => EN_KEYS.map((key) => [locale, key] as const)))('%s %s parses and uses the arguments of en', (locale, key) => {
    const text = CATALOGS[locale][key];
    expect(text.trim()).not.toBe('');
    expect(argumentsOf(text)).toEqual(argumentsOf(CATALOGS.en[key]));
  });

  it('marks every catalog with a status, en as the source', () => {
    expect(Object.keys(CATALOG_STATUS).sort()).toEqual([...LOCALES].sort());
    expect(CATALOG_STATUS.en).toBe('source');
  });
});

describe('translator', () => {
  it.each([
    ['en', 'en'], ['tr-TR', 'tr'], ['zh_Hans_CN', 'zh'], ['HE', 'he'], ['iw', 'he'], ['in', 'id'], ['fr', 'en'], [undefined, 'en'], ['', 'en'],
  ] as const)('supportedLocale(%s) → %s', (tag, locale) => {
    expect(supportedLocale(tag)).toBe(locale);
  });

  it('lays Hebrew out right to left and the others left to right', () => {
    expect(LOCALES.map((l) => [l, textDirection(l)])).toEqual([['en', 'ltr'], ['tr', 'ltr'], ['zh', 'ltr'], ['he', 'rtl'], ['id', 'ltr']]);
  });

  it('formats dates in the reader\'s time zone and language', () => {
    const at = '2026-12-01T21:30:00Z';
    expect(translator('tr', { timeZone: 'Europe/Istanbul' }).dateTime(at)).toBe('2 Ara 2026 00:30');
    expect(translator('en', { timeZone: 'Asia/Jakarta' }).day(at)).toBe('December 2');
    expect(translator('id', { timeZone: 'Asia/Jakarta' }).day(at)).toBe('2 Desember');
  });

  it.each([
    ['en', 3 * 3_600_000 + 20 * 60_000, '3 hr 20 min'],
    ['tr', 3 * 3_600_000 + 20 * 60_000, '3 sa. 20 dk.'],
    ['en', 42_000, '42 sec'],
    ['en', null, '—'],
  ] as const)('%s duration of %s ms is %s', (locale, ms, text) => {
    expect(translator(locale).duration(ms).replace(/\u00a0/g, ' ')).toBe(text);
  });
});

describe('bidi isolation', () => {
  it('wraps a Latin name in FSI…PDI inside a Hebrew sentence, and leaves left-to-right locales alone', () => {
    expect(translator('he').t('alert.claimedBy', { name: 'Ayşe Demir' })).toBe('נלקח על ידי \u2068Ayşe Demir\u2069');
    expect(translator('tr').t('alert.claimedBy', { name: 'Ayşe Demir' })).toBe('Ayşe Demir üstlendi');
  });

  it('chooses a select branch by the raw value in Hebrew too (an isolated value would match no branch)', () => {
    expect(translator('he').t('console.status', { status: 'claimed' })).toBe('בטיפול');
    expect(translator('he').t('console.status', { status: 'waiting' })).toBe('waiting');
    expect(translator('he').t('console.filter.myTeam', { team: 'cx' })).toContain('\u2068cx\u2069');
  });

  it('alerts: the severity and the refused command choose their branch in Hebrew, the reason is isolated', () => {
    expect(translator('he').t('alert.severity', { severity: 'critical' })).toBe('🔴 קריטי');
    expect(translator('he').t('slack.rejected', { command: 'claim', reason: 'already claimed' })).toBe('אי אפשר לקחת את הפנייה: \u2068already claimed\u2069');
  });
});
