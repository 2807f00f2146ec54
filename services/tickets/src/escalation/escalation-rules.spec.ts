import type { EscalationStep } from '@closeloop/contracts';
import { dueSteps } from './escalation-rules';

const MIN = 60_000;
const CHAIN: EscalationStep[] = [
  { after: 'PT15M', afterMs: 15 * MIN, notify: ['oncall-sms'] },
  { after: 'PT45M', afterMs: 45 * MIN, notify: ['lead-sms', 'lead-email', 'channel-mention'] },
];
const FROM = new Date('2026-11-23T10:00:00Z');
const at = (min: number) => new Date(FROM.getTime() + min * MIN);

describe('dueSteps', () => {
  it.each<[string, 'open' | 'claimed' | 'resolved', number, number[], number[]]>([
    ['nothing before the first step', 'open', 14.99, [], []],
    ['the first step exactly at its after', 'open', 15, [], [1]],
    ['the first step once', 'open', 20, [1], []],
    ['the second after its after', 'open', 45, [1], [2]],
    ['both, in order, when nothing ran for a while', 'open', 60, [], [1, 2]],
    ['nothing once all fired', 'open', 600, [1, 2], []],
    ['a claim stops the chain', 'claimed', 60, [1], []],
    ['so does a resolve', 'resolved', 60, [], []],
  ])('%s', (_name, status, minutes, fired, expected) => {
    expect(dueSteps(CHAIN, { status }, FROM, at(minutes), new Set(fired)).map((s) => s.step)).toEqual(expected);
  });

  it('no chain, no step', () => {
    expect(dueSteps([], { status: 'open' }, FROM, at(600), new Set())).toEqual([]);
  });
});
