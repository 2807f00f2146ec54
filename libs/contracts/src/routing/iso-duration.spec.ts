import { checkIsoDuration, parseIsoDuration } from './iso-duration';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('parseIsoDuration', () => {
  it.each([
    ['PT1H', H],
    ['PT48H', 48 * H],
    ['PT30M', 30 * M],
    ['PT45S', 45 * S],
    ['PT0.5S', 500],
    ['PT1,5H', 1.5 * H],
    ['P2D', 2 * D],
    ['P1DT12H', 36 * H],
    ['P1DT2H3M4S', D + 2 * H + 3 * M + 4 * S],
    ['P1W', 7 * D],
    ['P2.5W', 17.5 * D],
    ['pt1h', H],
    ['PT0S', 0],
  ])('%s → %d ms', (text, ms) => {
    expect(parseIsoDuration(text)).toBe(ms);
  });

  it.each([
    ['', /not an ISO-8601 duration/],
    ['P', /not an ISO-8601 duration/],
    ['PT', /not an ISO-8601 duration/],
    ['P1DT', /not an ISO-8601 duration/],
    ['1H', /not an ISO-8601 duration/],
    ['48h', /not an ISO-8601 duration/],
    ['PT-1H', /not an ISO-8601 duration/],
    ['-PT1H', /not an ISO-8601 duration/],
    ['P1H', /not an ISO-8601 duration/], // hours need the T
    ['PT1D', /not an ISO-8601 duration/],
    ['P1M', /years and months have no fixed length/],
    ['P1Y', /years and months have no fixed length/],
    ['P1Y2M3D', /years and months have no fixed length/],
    ['P1W2D', /weeks cannot be combined/],
    ['PT1.5H30M', /only the last component may have a fraction/],
    [' PT1H', /not an ISO-8601 duration/],
  ])('rejects %j', (text, message) => {
    expect(() => parseIsoDuration(text)).toThrow(RangeError);
    expect(() => parseIsoDuration(text)).toThrow(message);
    expect(checkIsoDuration(text).ok).toBe(false);
  });
});
