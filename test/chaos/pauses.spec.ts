import { faultDuring, longestPause } from './pauses';

describe('longestPause', () => {
  it.each([
    ['no alerts at all: the whole window', [], { from: 0, to: 10 }, { from: 0, to: 10, ms: 10 }],
    ['a gap in the middle', [1, 2, 8, 9], { from: 0, to: 10 }, { from: 2, to: 8, ms: 6 }],
    ['a quiet start', [7, 8, 9], { from: 0, to: 10 }, { from: 0, to: 7, ms: 7 }],
    ['a quiet end', [1, 2], { from: 0, to: 10 }, { from: 2, to: 10, ms: 8 }],
    ['times outside the window are ignored, unsorted input', [15, 5, -3, 4], { from: 0, to: 10 }, { from: 5, to: 10, ms: 5 }],
    ['ties: the first one', [5], { from: 0, to: 10 }, { from: 0, to: 5, ms: 5 }],
  ] as const)('%s', (_name, times, window, pause) => {
    expect(longestPause(times, window)).toEqual(pause);
  });

  it('has no pause in an empty window', () => {
    expect(longestPause([1], { from: 5, to: 5 })).toBeUndefined();
  });
});

describe('faultDuring', () => {
  const faults = [{ fault: 'a', at: 1_000 }, { fault: 'b', at: 5_000 }, { fault: 'c', at: 9_000 }];
  it.each([[500, undefined], [1_000, 'a'], [6_000, 'b'], [20_000, 'c']] as const)('a pause from %s ms → %s', (at, name) => {
    expect(faultDuring(faults, at)?.fault).toBe(name);
  });
});
