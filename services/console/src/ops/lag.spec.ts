import { LagHistory, lagByGroup, lagRows, lagTotals } from './lag';

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

describe('lagByGroup', () => {
  const row = (group: string, topic: string, partition: number, lag: number) => ({ group, topic, partition, committed: 0, end: lag, lag });
  it.each([
    ['nothing', [], []],
    ['one group, one topic, two partitions', [row('tickets', 'a', 0, 2), row('tickets', 'a', 1, 3)], [{ group: 'tickets', lag: 5, topics: [{ topic: 'a', lag: 5 }] }]],
    [
      'groups and topics sorted by name, each group with its total',
      [row('scoring', 'b', 0, 1), row('notification', 'z', 0, 4), row('notification', 'c', 0, 0), row('notification', 'z', 1, 6)],
      [
        { group: 'notification', lag: 10, topics: [{ topic: 'c', lag: 0 }, { topic: 'z', lag: 10 }] },
        { group: 'scoring', lag: 1, topics: [{ topic: 'b', lag: 1 }] },
      ],
    ],
  ])('%s', (_name, rows, expected) => {
    expect(lagByGroup(rows)).toEqual(expected);
  });
});

describe('LagHistory', () => {
  it('keeps the latest samples per group, oldest first, and forgets a group that is gone', () => {
    const h = new LagHistory(3);
    for (let i = 1; i <= 5; i++) h.record(i * 1000, new Map([['a', i * 10], ...(i < 5 ? [['b', i] as [string, number]] : [])]));
    expect(h.of('a')).toEqual([
      { at: new Date(3000).toISOString(), lag: 30 }, { at: new Date(4000).toISOString(), lag: 40 }, { at: new Date(5000).toISOString(), lag: 50 },
    ]);
    expect(h.of('b')).toEqual([]);
  });
});
