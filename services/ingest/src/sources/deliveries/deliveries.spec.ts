import type { SourceOutcome } from '../../metrics';
import { cutoff, deliveryBounds, keptFetched } from './bounds';
import { addCounts, emptyCounts, hourOf, hourlySeries, windowStart } from './buckets';
import { DELIVERY_OUTCOMES, opsOutcome, recordedAs } from './outcome';

describe('opsOutcome: the Prometheus outcome → what ops see', () => {
  it.each<[SourceOutcome, string | null]>([
    ['accepted', 'accepted'],
    ['duplicate', 'duplicate'],
    ['ignored', 'ignored'],
    ['rejected', 'rejected'],
    ['unsupported_media_type', 'rejected'],
    ['too_large', 'rejected'],
    ['bad_request', 'rejected'],
    ['unmappable', 'unmappable'],
    ['kafka_unavailable', 'unavailable'],
    ['database_unavailable', 'unavailable'],
    ['fetch_failed', 'unavailable'],
    ['unknown_source', null],
  ])('%s → %s', (metric, ops) => {
    expect(opsOutcome(metric)).toBe(ops);
  });

  it.each([[401, 'count'], [400, 'row'], [413, 'row'], [415, 'row'], [422, 'row'], [200, 'row'], [202, 'row'], [503, 'row']] as const)(
    'a %s leaves a %s', (status, what) => expect(recordedAs(status)).toBe(what),
  );
});

describe('hourly buckets', () => {
  const at = (iso: string) => new Date(iso);

  it.each([
    ['2026-11-30T18:00:00.000Z', '2026-11-30T18:00:00.000Z'],
    ['2026-11-30T18:59:59.999Z', '2026-11-30T18:00:00.000Z'],
    ['2026-11-30T19:00:00.000Z', '2026-11-30T19:00:00.000Z'],
    ['2026-12-31T23:30:00+03:00', '2026-12-31T20:00:00.000Z'],
  ])('hourOf(%s) = %s (UTC hours: every instance adds to the same row)', (t, hour) => {
    expect(hourOf(at(t)).toISOString()).toBe(hour);
  });

  it.each([
    [1, '2026-11-30T18:00:00.000Z'],
    [24, '2026-11-29T19:00:00.000Z'],
    [720, '2026-10-31T19:00:00.000Z'],
  ])('a %s-hour window ending at 18:25 starts at %s (the current hour is its last bucket)', (hours, start) => {
    expect(windowStart(at('2026-11-30T18:25:00Z'), hours).toISOString()).toBe(start);
  });

  it('fills every hour of the window oldest first, zeros included; received is the sum of every outcome', () => {
    const now = at('2026-11-30T18:25:00Z');
    const series = hourlySeries([
      { hour: at('2026-11-30T18:00:00Z'), outcome: 'accepted', count: 3 },
      { hour: at('2026-11-30T18:00:00Z'), outcome: 'rejected', count: 2 },
      { hour: at('2026-11-30T16:00:00Z'), outcome: 'unmappable', count: 1 },
      { hour: at('2026-11-30T15:00:00Z'), outcome: 'accepted', count: 9 }, // before the window
      { hour: at('2026-11-30T17:00:00Z'), outcome: 'no-such-outcome', count: 5 },
    ], now, 3);
    expect(series.map((b) => b.hour)).toEqual(['2026-11-30T16:00:00.000Z', '2026-11-30T17:00:00.000Z', '2026-11-30T18:00:00.000Z']);
    expect(series.map((b) => [b.received, b.accepted, b.rejected, b.unmappable, b.duplicate, b.ignored, b.unavailable]))
      .toEqual([[1, 0, 0, 1, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0], [5, 3, 2, 0, 0, 0, 0]]);
  });

  it('totals: one count per outcome, received their sum', () => {
    const t = addCounts(emptyCounts(), DELIVERY_OUTCOMES.map((outcome, i) => ({ outcome, count: i + 1 })));
    expect(t).toEqual({ received: 21, accepted: 1, duplicate: 2, ignored: 3, rejected: 4, unmappable: 5, unavailable: 6 });
  });
});

describe('bounds', () => {
  const day = 86_400_000;
  it('turns days into the cut-offs and keeps a fetched document only within the request limit', () => {
    const b = deliveryBounds({ deliveriesPerSource: 500, deliveryMaxAgeDays: 7, keptPerSource: 1000, keptMaxAgeDays: 30 }, 1024);
    expect(cutoff(new Date('2026-11-30T00:00:00Z'), b.deliveryMaxAgeMs).toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(cutoff(new Date('2026-11-30T00:00:00Z'), b.keptMaxAgeMs).toISOString()).toBe('2026-10-31T00:00:00.000Z');
    expect(b.countsMaxAgeMs).toBe(31 * day);
  });

  it.each([
    [undefined, 100, null],
    [{ a: 1 }, 100, '{"a":1}'],
    [{ a: 'x'.repeat(100) }, 100, null],
    [{ a: 'ü'.repeat(47) }, 100, null], // 55 characters, but 102 bytes of UTF-8: bytes count
    [{ a: 'ü'.repeat(46) }, 100, `{"a":"${'ü'.repeat(46)}"}`], // exactly 100 bytes
    [null, 100, 'null'],
  ])('keptFetched(%j, %s) = %j', (fetched, max, kept) => {
    expect(keptFetched(fetched, max)).toBe(kept);
  });
});
