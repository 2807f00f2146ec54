import { translator } from './translator';

// Dates are formatted with Intl formatters made once per (locale, time zone, style): what they print must be what a
// formatter made on the spot prints, for every reader, and one reader's zone or style must never leak into another's.
describe('translator dates', () => {
  const at = Date.UTC(2026, 11, 1, 21, 5, 30);
  const zones = ['UTC', 'Europe/Istanbul', 'Asia/Jakarta', 'America/New_York'];
  const locales = ['en', 'tr', 'zh', 'he', 'id'] as const;

  it.each(locales)('%s: dateTime and day as Intl prints them, in each time zone and style', (locale) => {
    for (const timeZone of zones) {
      const i18n = translator(locale, { timeZone });
      for (let round = 0; round < 2; round++) {
        expect(i18n.dateTime(at)).toBe(new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(at));
        expect(i18n.dateTime(at, { dateStyle: 'medium' })).toBe(new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone }).format(at));
        expect(i18n.dateTime(new Date(at).toISOString(), { dateStyle: 'full', timeStyle: 'long' })).toBe(new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'long', timeZone }).format(at));
        expect(i18n.day(at)).toBe(new Intl.DateTimeFormat(locale, { month: 'long', day: 'numeric', timeZone }).format(at));
      }
    }
  });

  it('keeps readers apart: the same instant in two zones, one after the other', () => {
    const fresh = (timeZone: string) => new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(at);
    const utc = translator('en');
    const istanbul = translator('en', { timeZone: 'Europe/Istanbul' });
    expect(fresh('UTC')).not.toBe(fresh('Europe/Istanbul')); // 21:05 on the 1st in UTC is 00:05 on the 2nd there
    for (let round = 0; round < 2; round++) {
      expect(utc.dateTime(at)).toBe(fresh('UTC'));
      expect(istanbul.dateTime(at)).toBe(fresh('Europe/Istanbul'));
    }
    expect(istanbul.day(at)).toBe('December 2');
    expect(utc.day(at)).toBe('December 1');
  });

  it('still refuses a time zone that does not exist', () => {
    expect(() => translator('en', { timeZone: 'Mars/Olympus' }).dateTime(at)).toThrow(RangeError);
  });
});
