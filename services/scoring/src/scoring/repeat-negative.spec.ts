import { HistoryNegative, announcedNegative, closestNegative, exactMicros, micros, negativeToScore } from './repeat-negative';

const row = (feedbackId: string, respondedAt: string, extraMicros = 0n): HistoryNegative => ({
  feedbackId, at: micros(new Date(respondedAt)) + extraMicros, respondedAt: new Date(respondedAt).toISOString(),
});
const scoring = (feedbackId: string, respondedAt: string) => negativeToScore('c-1', feedbackId, respondedAt);
const DAY = 24 * 60 * 60 * 1000;
const at = (iso: string, days: number) => new Date(Date.parse(iso) + days * DAY).toISOString();
const T = '2026-11-20T10:00:00.000Z';

describe('closestNegative', () => {
  const table: [what: string, history: HistoryNegative[], expected: string | null][] = [
    ['no history', [], null],
    ['only this feedback (a revision is never its own previous negative)', [row('f', T)], null],
    ['30 days before, end included', [row('a', at(T, -30))], 'a'],
    ['30 days after, end included', [row('a', at(T, 30))], 'a'],
    ['one microsecond past the window', [row('a', at(T, 30), 1n)], null],
    ['one microsecond before the window', [row('a', at(T, -30), -1n)], null],
    ['the closest of several, either side', [row('a', at(T, -20)), row('b', at(T, 5)), row('c', at(T, -6))], 'b'],
    ['the closest at microsecond precision', [row('a', at(T, -1), -1n), row('b', at(T, 1))], 'b'],
    ['a tie: the earlier response', [row('late', at(T, 3)), row('early', at(T, -3))], 'early'],
    ['a tie at the same time: the smaller feedbackId', [row('b', at(T, 3)), row('a', at(T, 3))], 'a'],
    ['a tie by code point, not UTF-16 unit', [row('\u{ff61}', at(T, 3)), row('\u{1f600}', at(T, 3))], '\u{ff61}'],
  ];
  it.each(table)('%s', (_what, history, expected) => {
    expect(closestNegative(history, scoring('f', T))?.feedbackId ?? null).toBe(expected);
  });

  it('answers the same whatever the order of the history', () => {
    const history = [row('a', at(T, -3)), row('b', at(T, 3)), row('c', at(T, 3)), row('d', at(T, -4))];
    for (const order of [history, [...history].reverse(), [history[2], history[0], history[3], history[1]]]) {
      expect(closestNegative(order, scoring('f', T))?.feedbackId).toBe('a');
    }
  });
});

describe('exactMicros: a respondedAt JavaScript and Postgres read to the same instant', () => {
  const table: [string, bigint | null][] = [
    ['2026-11-20T10:00:00Z', micros(new Date('2026-11-20T10:00:00Z'))],
    ['2026-11-20T10:00:00.5Z', micros(new Date('2026-11-20T10:00:00.500Z'))],
    ['2026-11-20T10:00:00.123+03:00', micros(new Date('2026-11-20T07:00:00.123Z'))],
    ['2026-11-20T10:00:00-05:30', micros(new Date('2026-11-20T15:30:00Z'))],
    ['1969-12-31T23:59:59.999Z', -1000n],
    ['2028-02-29T00:00:00Z', micros(new Date('2028-02-29T00:00:00Z'))],
    // only Postgres says what these are: session time zone, microseconds, no time, not a date
    ['2026-11-20T10:00:00', null],
    ['2026-11-20', null],
    ['2026-11-20T10:00:00.123456Z', null],
    ['2026-11-20 10:00:00Z', null],
    ['2026-02-30T10:00:00Z', null],
    ['2026-11-20T24:00:00Z', null],
    ['2026-11-20T10:00:60Z', null],
    ['2026-11-20T10:00:00+15:00', null],
    ['0999-11-20T10:00:00Z', null],
    ['2026-W47-5', null],
  ];
  it.each(table)('%s → %p', (respondedAt, expected) => {
    expect(exactMicros(respondedAt)).toBe(expected);
  });
});

describe('announcedNegative: what a batch message will score, from its decoded event', () => {
  const event = (data: Record<string, unknown>) => ({
    eventId: 'e', data: { feedbackId: 'f-1', metric: 'nps', score: 3, respondedAt: T, customer: { id: 'c-1', email: 'enc:v1:k:xyz' }, ...data },
  });
  it('announces a negative with its window', () => {
    expect(announcedNegative(event({}))).toEqual({
      customerId: 'c-1', feedbackId: 'f-1', respondedAt: T, at: new Date(T), window: { from: new Date(at(T, -30)), to: new Date(at(T, 30)) },
    });
    expect(announcedNegative(event({ metric: 'csat', score: 2 }))?.feedbackId).toBe('f-1');
  });
  const none: [string, unknown][] = [
    ['a promoter', event({ score: 9 })],
    ['a passive', event({ score: 7 })],
    ['a score off the scale', event({ score: 11 })],
    ['an unknown metric', event({ metric: 'ltv' })],
    ['no customer', event({ customer: undefined })],
    ['a respondedAt only Postgres reads exactly', event({ respondedAt: '2026-11-20T10:00:00' })],
    ['not a date', event({ respondedAt: 'yesterday' })],
    ['no event (a dead-lettered message)', undefined],
    ['no data', { eventId: 'e' }],
  ];
  it.each(none)('none for %s', (_what, e) => {
    expect(announcedNegative(e)).toBeNull();
  });
});
