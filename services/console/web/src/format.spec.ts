import { translator } from '@closeloop/contracts/i18n';
import { customerLabel, formatCount, formatDay, formatNps, formatPercent, formatRange, shownText } from './format';

const MIN = 60_000;

const en = translator('en');
const tr = translator('tr');
const id = translator('id');

const byLocale = { en, tr, id, he: translator('he'), zh: translator('zh') } as const;
type L = keyof typeof byLocale;

describe('formatPercent, formatCount, formatNps, formatDay, formatRange (in the reader\'s language)', () => {
  it.each([
    [0.1234, 'en', '12%'],
    [0.5, 'tr', '%50'],
    [0.5, 'id', '50%'],
    [null, 'en', '—'],
  ] as [number | null, L, string][])('percent %s (%s) → %s', (ratio, locale, text) => expect(formatPercent(byLocale[locale], ratio)).toBe(text));

  it.each([
    [12345, 'en', '12,345'],
    [12345, 'tr', '12.345'],
    [12345, 'id', '12.345'],
  ] as [number, L, string][])('count %s (%s) → %s', (n, locale, text) => expect(formatCount(byLocale[locale], n)).toBe(text));

  it.each([
    [33.3, '+33.3'],
    [-100, '-100'],
    [0, '0'],
    [null, '—'],
  ])('NPS %s → %s', (nps, text) => expect(formatNps(en, nps)).toBe(text));

  it.each([
    ['en', 'Nov 2'],
    ['tr', '2 Kas'],
    ['zh', '11月2日'],
  ] as [L, string][])('a UTC day as a short date whatever the local zone (%s: %s)', (locale, text) => {
    expect(formatDay(byLocale[locale], '2026-11-02')).toBe(text);
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

describe('an erased customer (SPEC §13) is said in the agent\'s language, never as the stored mark', () => {
  it.each(['en', 'tr', 'zh', 'he', 'id'] as const)('%s', (locale) => {
    const i18n = translator(locale);
    expect(shownText(i18n, '‹erased›')).toBe(i18n.t('console.ticket.erased'));
    expect(shownText(i18n, 'Garson çok kabaydı')).toBe('Garson çok kabaydı');
    expect(customerLabel(i18n, { customerErased: true, customer: { id: 'c-1', name: '‹erased›' } })).toBe(i18n.t('console.ticket.erasedCustomer'));
    expect(customerLabel(i18n, { customerErased: false, customer: { id: 'c-1', name: 'Deniz' } })).toBe('Deniz');
    expect(customerLabel(i18n, { customer: { id: 'c-1', name: null } })).toBe('c-1');
    expect(i18n.t('console.ticket.erased')).not.toMatch(/‹erased›/);
  });
});
