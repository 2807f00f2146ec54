import { quietHoursEnd } from './quiet-hours';

const istanbulNight = { start: '22:00', end: '07:00', timezone: 'Europe/Istanbul' }; // UTC+3 all year
const berlinMorning = { start: '01:00', end: '04:00', timezone: 'Europe/Berlin' };

describe('quietHoursEnd', () => {
  it.each([
    ['not quiet: now', istanbulNight, '2026-11-23T10:05:00.000Z', '2026-11-23T10:05:00.000Z'],
    ['no quiet hours: now', undefined, '2026-11-23T21:00:00.000Z', '2026-11-23T21:00:00.000Z'],
    ['just after the start (22:00 local)', istanbulNight, '2026-11-23T19:00:00.000Z', '2026-11-24T04:00:00.000Z'],
    ['after midnight, mid-minute', istanbulNight, '2026-11-23T23:30:30.500Z', '2026-11-24T04:00:00.000Z'],
    ['the last quiet minute', istanbulNight, '2026-11-24T03:59:59.000Z', '2026-11-24T04:00:00.000Z'],
    ['the end itself is not quiet (end is exclusive)', istanbulNight, '2026-11-24T04:00:00.000Z', '2026-11-24T04:00:00.000Z'],
    // 2026-03-29: Berlin moves from UTC+1 to UTC+2 at 02:00 local; 04:00 local is then 02:00Z
    ['across a DST change', berlinMorning, '2026-03-29T00:30:00.000Z', '2026-03-29T02:00:00.000Z'],
  ])('%s', (_name, qh, at, expected) => {
    expect(quietHoursEnd(qh, new Date(at)).toISOString()).toBe(expected);
  });
});
