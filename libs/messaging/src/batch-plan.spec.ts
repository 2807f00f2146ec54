import { MessageKind, Step, planBatch, splitAfterFailure } from './batch-plan';

describe('planBatch', () => {
  const S: MessageKind = 'shared';
  const O: MessageKind = 'own';
  const D: MessageKind = 'dead-letter';
  it.each<[string, MessageKind[], number, Step[]]>([
    ['an empty batch', [], 100, []],
    ['valid messages share one transaction', [S, S, S], 100, [{ kind: 'batch', from: 0, to: 3 }]],
    ['a long run is cut at the maximum', [S, S, S, S, S], 2, [{ kind: 'batch', from: 0, to: 2 }, { kind: 'batch', from: 2, to: 4 }, { kind: 'batch', from: 4, to: 5 }]],
    ['an invalid message is dead-lettered in its place', [S, D, S, S], 100, [{ kind: 'batch', from: 0, to: 1 }, { kind: 'dead-letter', at: 1 }, { kind: 'batch', from: 2, to: 4 }]],
    ['dead letters first and last', [D, S, D], 100, [{ kind: 'dead-letter', at: 0 }, { kind: 'batch', from: 1, to: 2 }, { kind: 'dead-letter', at: 2 }]],
    ['a handler that opted out: one transaction per message', [O, O], 100, [{ kind: 'single', at: 0 }, { kind: 'single', at: 1 }]],
    ['mixed', [S, S, O, D, S], 100, [{ kind: 'batch', from: 0, to: 2 }, { kind: 'single', at: 2 }, { kind: 'dead-letter', at: 3 }, { kind: 'batch', from: 4, to: 5 }]],
  ])('%s', (_what, kinds, max, steps) => {
    expect(planBatch(kinds, max)).toEqual(steps);
  });
});

describe('splitAfterFailure', () => {
  it.each<[string, number, number, number, Step[]]>([
    ['in the middle: before, alone, after', 0, 5, 2, [{ kind: 'batch', from: 0, to: 2 }, { kind: 'single', at: 2 }, { kind: 'batch', from: 3, to: 5 }]],
    ['the first (or the commit): alone, then the rest', 3, 7, 3, [{ kind: 'single', at: 3 }, { kind: 'batch', from: 4, to: 7 }]],
    ['the last', 3, 7, 6, [{ kind: 'batch', from: 3, to: 6 }, { kind: 'single', at: 6 }]],
    ['a batch of one', 4, 5, 4, [{ kind: 'single', at: 4 }]],
    ['an index outside the batch is clamped into it', 2, 4, 9, [{ kind: 'batch', from: 2, to: 3 }, { kind: 'single', at: 3 }]],
  ])('%s', (_what, from, to, failedAt, steps) => {
    expect(splitAfterFailure(from, to, failedAt)).toEqual(steps);
  });

  it('always handles every message of the batch exactly once, in order', () => {
    for (let n = 1; n <= 6; n++) {
      for (let f = 0; f < n; f++) {
        const covered = splitAfterFailure(0, n, f).flatMap((s) => (s.kind === 'batch' ? Array.from({ length: s.to - s.from }, (_, k) => s.from + k) : [s.at]));
        expect(covered).toEqual(Array.from({ length: n }, (_, k) => k));
      }
    }
  });
});
