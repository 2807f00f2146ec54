import { translator } from '@closeloop/contracts/i18n';
import { formatCount, formatDay, formatNps, formatPercent, formatRange } from './format';

const MIN = 60_000;

describe('formatPercent, formatCount, formatNps, formatDay, formatRange', () => {
  const en = translator('en');
  const tr = translator('tr');
  it.each([
    [0.1234, 'en', '12%'],
    [0.5, 'tr', '%50'],
    [1, 'de', '100\u00a0%'],
    [null, 'en', '—'],
  ])('percent %s (%s) → %s', (ratio, locale, text) => expect(formatPercent(ratio, locale)).toBe(text));

  it.each([
    [12345, 'en', '12,345'],
    [12345, 'de', '12.345'],
  ])('count %s (%s) → %s', (n, locale, text) => expect(formatCount(n, locale)).toBe(text));

  it.each([
    [33.3, '+33.3'],
    [-100, '-100'],
    [0, '0'],
    [null, '—'],
  ])('NPS %s → %s', (nps, text) => expect(formatNps(nps, 'en')).toBe(text));

  it('a UTC day as a short date, whatever the local zone', () => {
    expect(formatDay('2026-11-02', 'en')).toBe('Nov 2');
  });

  it.each([
    [0, 5 * MIN, 'under 5 min'],
    [5 * MIN, 15 * MIN, '5 min – 15 min'],
    [1440 * MIN, null, '1 day or more'],
  ])('range %s–%s → %s', (from, to, text) => expect(formatRange(en, from, to)).toBe(text));

  it('a range in the reader\'s language', () => {
    expect(formatRange(tr, 0, 5 * MIN).replace(/\u00a0/g, ' ')).toBe('5 dk. altında');
  });
});
