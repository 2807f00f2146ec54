import { lagRows, lagTotals } from './lag';

describe('lagRows', () => {
  it.each([
    // [name, ends, committed, expected lag per partition]
    ['caught up', [{ partition: 0, high: '10', low: '0' }], [{ partition: 0, offset: '10' }], [0]],
    ['behind', [{ partition: 0, high: '10', low: '0' }], [{ partition: 0, offset: '4' }], [6]],
    ['never committed: everything retained is unread', [{ partition: 0, high: '10', low: '3' }], [{ partition: 0, offset: '-1' }], [7]],
    ['partition missing from the committed list', [{ partition: 0, high: '5', low: '0' }], [], [5]],
    ['committed beyond a truncated log end', [{ partition: 0, high: '5', low: '0' }], [{ partition: 0, offset: '9' }], [0]],
    ['several partitions, sorted', [{ partition: 2, high: 4, low: 0 }, { partition: 0, high: 3, low: 0 }], [{ partition: 0, offset: 1 }, { partition: 2, offset: 4 }], [2, 0]],
  ])('%s', (_name, ends, committed, expected) => {
    expect(lagRows('g', 't', ends, committed).map((r) => r.lag)).toEqual(expected);
  });

  it('reports the committed offset, or null when there is none', () => {
    expect(lagRows('g', 't', [{ partition: 0, high: 3, low: 0 }, { partition: 1, high: 3, low: 0 }], [{ partition: 0, offset: '2' }, { partition: 1, offset: '-1' }]))
      .toEqual([
        { group: 'g', topic: 't', partition: 0, committed: 2, end: 3, lag: 1 },
        { group: 'g', topic: 't', partition: 1, committed: null, end: 3, lag: 3 },
      ]);
  });

  it('totals per group and topic', () => {
    const rows = [...lagRows('a', 't', [{ partition: 0, high: 5, low: 0 }, { partition: 1, high: 5, low: 0 }], [{ partition: 0, offset: 1 }, { partition: 1, offset: 2 }]), ...lagRows('b', 't', [{ partition: 0, high: 5, low: 0 }], [{ partition: 0, offset: 5 }])];
    expect(lagTotals(rows)).toEqual([{ group: 'a', topic: 't', lag: 7 }, { group: 'b', topic: 't', lag: 0 }]);
  });
});
