import { formatCount, formatDay, formatDuration, formatNps, formatPercent, formatRange } from './format';

const MIN = 60_000;

describe('formatDuration (two units at most, Intl)', () => {
  it.each([
    [null, '—'],
    [0, '0 sec'],
    [12_870, '13 sec'],
    [59_000, '59 sec'],
    [59_600, '1 min'],
    [25 * MIN + 20_000, '25 min'],
    [60 * MIN, '1 hr'],
    [200 * MIN, '3 hr 20 min'],
    [23 * 60 * MIN + 59 * MIN, '23 hr 59 min'],
    [24 * 60 * MIN, '1 day'],
    [52 * 60 * MIN + 10 * MIN, '2 days 4 hr'],
  ])('%s ms → %s (en)', (ms, text) => expect(formatDuration(ms, 'en')).toBe(text));

  it('localises units and their order', () => {
    expect(formatDuration(200 * MIN, 'de')).toBe('3 Std., 20 Min.');
    expect(formatDuration(25 * MIN, 'tr')).toBe('25 dk.');
  });
});

describe('formatPercent, formatCount, formatNps, formatDay, formatRange', () => {
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
  ])('range %s–%s → %s', (from, to, text) => expect(formatRange(from, to, 'en')).toBe(text));
});
