import { digestWindow, latestDigestAt, nextDigestAt, zonedInstant } from './digest-schedule';

const iso = (d: Date) => d.toISOString();

describe('digest schedule (DST-safe)', () => {
  it.each<[string, string, string, string, string]>([
    ['Istanbul has no DST (+03:00 all year)', 'Europe/Istanbul', '2026-12-01', '09:00', '2026-12-01T06:00:00.000Z'],
    ['Berlin in winter (+01:00)', 'Europe/Berlin', '2026-01-15', '09:00', '2026-01-15T08:00:00.000Z'],
    ['Berlin in summer (+02:00)', 'Europe/Berlin', '2026-07-15', '09:00', '2026-07-15T07:00:00.000Z'],
    ['Berlin spring-forward day, after the jump', 'Europe/Berlin', '2026-03-29', '09:00', '2026-03-29T07:00:00.000Z'],
    ['Berlin spring-forward day, a time the clocks skip → the same minutes after the jump', 'Europe/Berlin', '2026-03-29', '02:30', '2026-03-29T01:30:00.000Z'],
    ['Berlin fall-back day, a time shown twice → the first', 'Europe/Berlin', '2026-10-25', '02:30', '2026-10-25T00:30:00.000Z'],
    ['Berlin fall-back day, after the change', 'Europe/Berlin', '2026-10-25', '09:00', '2026-10-25T08:00:00.000Z'],
    ['New York spring forward (02:00 → 03:00)', 'America/New_York', '2026-03-08', '02:15', '2026-03-08T07:15:00.000Z'],
    ['New York fall back, 01:30 twice → the first (EDT)', 'America/New_York', '2026-11-01', '01:30', '2026-11-01T05:30:00.000Z'],
    ['Lord Howe moves by half an hour', 'Australia/Lord_Howe', '2026-10-04', '09:00', '2026-10-03T22:00:00.000Z'],
  ])('%s', (_name, tz, day, at, expected) => {
    expect(iso(zonedInstant(day, at, tz))).toBe(expected);
  });

  it.each<[string, string, string, string]>([
    ['before today\'s time → today', 'Europe/Istanbul', '2026-12-01T05:59:00.000Z', '2026-12-01T06:00:00.000Z'],
    ['exactly at it → tomorrow', 'Europe/Istanbul', '2026-12-01T06:00:00.000Z', '2026-12-02T06:00:00.000Z'],
    ['across spring forward: 23 hours later', 'Europe/Berlin', '2026-03-28T08:30:00.000Z', '2026-03-29T07:00:00.000Z'],
    ['across fall back: 25 hours later', 'Europe/Berlin', '2026-10-24T07:30:00.000Z', '2026-10-25T08:00:00.000Z'],
  ])('next digest %s', (_name, tz, now, expected) => {
    expect(iso(nextDigestAt(new Date(now), '09:00', tz))).toBe(expected);
  });

  it('the latest digest time is today\'s once it came, else yesterday\'s (local dates)', () => {
    expect(latestDigestAt(new Date('2026-12-01T06:00:00.000Z'), '09:00', 'Europe/Istanbul')).toEqual({ day: '2026-12-01', at: new Date('2026-12-01T06:00:00.000Z') });
    // 02:00 in Istanbul on Dec 1 is still Nov 30's digest
    expect(latestDigestAt(new Date('2026-11-30T23:00:00.000Z'), '09:00', 'Europe/Istanbul')).toEqual({ day: '2026-11-30', at: new Date('2026-11-30T06:00:00.000Z') });
  });

  it.each<[string, string, string, string, string, number]>([
    ['a plain day', 'Europe/Istanbul', '2026-12-01', '2026-11-29T21:00:00.000Z', '2026-11-30T21:00:00.000Z', 24],
    ['the report of a spring-forward day is 23 hours long', 'Europe/Berlin', '2026-03-30', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', 23],
    ['the report of a fall-back day is 25 hours long', 'Europe/Berlin', '2026-10-26', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z', 25],
  ])('yesterday: %s', (_name, tz, day, from, to, hours) => {
    const w = digestWindow(day, tz);
    expect([iso(w.from), iso(w.to)]).toEqual([from, to]);
    expect((w.to.getTime() - w.from.getTime()) / 3_600_000).toBe(hours);
  });
});
