import { translator, type TrendEventData } from '@closeloop/contracts';
import { renderTrend } from './trend-message';

const trend: TrendEventData = {
  trendId: 't-1', status: 'open', team: 'cx', group: { touchpoint: 'checkout', 'attributes.store': 'istanbul-1' }, window: 'PT1H', count: 5, peak: 5, baseline: 0.5,
  ticketIds: ['a1b2c3d4-0000-4000-8000-000000000001'], openedAt: '2026-12-01T10:00:00.000Z', version: 1,
};

describe('renderTrend in the team\'s language (SPEC §14)', () => {
  it.each([
    ['en', 'UTC', '📈 Trend: 5 action-required in the last 1 hr · checkout · store: istanbul-1', ['*Group*', '*Now*', '*Peak*', '*Tickets*'], '5 in 1 hr (usual 0.5)'],
    ['tr', 'Europe/Istanbul', '📈 Eğilim: son 1 sa. içinde 5 işlem gerektiren · checkout · store: istanbul-1', ['*Grup*', '*Şimdi*', '*Zirve*', '*Talepler*'], '1 sa. içinde 5 (olağan 0,5)'],
    ['id', 'Asia/Jakarta', '📈 Tren: 5 perlu tindakan dalam 1 j terakhir · checkout · store: istanbul-1', ['*Grup*', '*Sekarang*', '*Puncak*', '*Tiket*'], '5 dalam 1 j (biasanya 0,5)'],
  ] as const)('%s: the head, the field labels, the window and the baseline in its number format', (locale, timeZone, head, labels, now) => {
    const i18n = translator(locale, { timeZone });
    const { text, blocks } = renderTrend(trend, { consoleUrl: 'http://c.test', i18n });
    expect(text.replace(/\u00a0/g, ' ')).toBe(head);
    const fields = (blocks[1] as { fields: { text: string }[] }).fields.map((f) => f.text.split('\n'));
    expect(fields.map((f) => f[0])).toEqual(labels);
    expect(fields[1][1].replace(/\u00a0/g, ' ')).toBe(now);
    expect(JSON.stringify(blocks[3])).toContain(i18n.dateTime(trend.openedAt));
  });
});
