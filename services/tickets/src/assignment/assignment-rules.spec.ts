import type { Agent, AssignPolicy } from '@closeloop/contracts';
import { openTicket, type Ticket } from '../domain/ticket';
import { assignableAgents } from '@closeloop/contracts';
import { assignTicket, chooseAssignee } from './assignment-rules';

const agent = (id: string, role: Agent['role'] = 'agent', team = 'cx'): Agent => ({ id, name: id, team, role, locale: 'en' });
const AGENTS = [agent('ayse'), agent('lead-lale', 'lead'), agent('ops-oya', 'ops'), agent('adm', 'admin'), agent('other', 'agent', 'kitchen'), agent('mehmet')];
const CX = assignableAgents(AGENTS, 'cx');
const T0 = new Date('2026-11-23T10:00:00.000Z');
const ticket = (over: Partial<Ticket> = {}): Ticket => ({
  ...openTicket({
    id: 't-1', team: 'cx', sla: { firstResponse: 3_600_000, resolve: 86_400_000 }, now: T0,
    feedback: { customer: { id: 'c-1' }, touchpoint: 'checkout', metric: 'nps', score: 2, severity: 'normal' },
  }),
  ...over,
});

describe('assignableAgents', () => {
  it('keeps the team’s agents and leads, in file order', () => {
    expect(CX.map((a) => a.id)).toEqual(['ayse', 'lead-lale', 'mehmet']);
  });
});

describe('chooseAssignee', () => {
  it.each<[string, AssignPolicy, number | undefined, Record<string, number>, string | null]>([
    ['none assigns nobody', 'none', 1, {}, null],
    ['round-robin 1 → first', 'round-robin', 1, {}, 'ayse'],
    ['round-robin 2 → second', 'round-robin', 2, {}, 'lead-lale'],
    ['round-robin 3 → third', 'round-robin', 3, {}, 'mehmet'],
    ['round-robin wraps', 'round-robin', 4, {}, 'ayse'],
    ['round-robin ignores open counts', 'round-robin', 5, { 'lead-lale': 9 }, 'lead-lale'],
    ['least-open: all zero → first in order', 'least-open', undefined, {}, 'ayse'],
    ['least-open: the fewest', 'least-open', undefined, { ayse: 3, 'lead-lale': 1, mehmet: 2 }, 'lead-lale'],
    ['least-open: missing counts are zero', 'least-open', undefined, { ayse: 1, 'lead-lale': 1 }, 'mehmet'],
    ['least-open: ties by file order', 'least-open', undefined, { ayse: 2, 'lead-lale': 1, mehmet: 1 }, 'lead-lale'],
  ])('%s', (_name, policy, counter, counts, expected) => {
    expect(chooseAssignee({ policy, candidates: CX, counter, openCounts: new Map(Object.entries(counts)) })?.id ?? null).toBe(expected);
  });

  it('nobody to assign → null, whatever the policy', () => {
    expect(chooseAssignee({ policy: 'round-robin', candidates: [], counter: 1 })).toBeNull();
    expect(chooseAssignee({ policy: 'least-open', candidates: [] })).toBeNull();
  });

  it('round-robin over consecutive counter values is fair: counts differ by at most 1', () => {
    const counts = new Map<string, number>();
    for (let c = 1; c <= 100; c++) {
      const a = chooseAssignee({ policy: 'round-robin', candidates: CX, counter: c }) as Agent;
      counts.set(a.id, (counts.get(a.id) ?? 0) + 1);
    }
    expect(Math.max(...counts.values()) - Math.min(...counts.values())).toBeLessThanOrEqual(1);
  });
});

describe('assignTicket', () => {
  const now = new Date('2026-11-23T11:00:00.000Z');
  it.each<[string, Partial<Ticket>, Agent, { changed?: boolean; status?: string; refusal?: string }]>([
    ['open → stays open, assignee set', {}, agent('ayse'), { changed: true, status: 'open' }],
    ['a lead may be assigned', {}, agent('lead-lale', 'lead'), { changed: true, status: 'open' }],
    ['claimed → handed over, stays claimed', { status: 'claimed', assigneeId: 'ayse' }, agent('mehmet'), { changed: true, status: 'claimed' }],
    ['the same assignee again: no change', { assigneeId: 'ayse' }, agent('ayse'), { changed: false, status: 'open' }],
    ['resolved → conflict', { status: 'resolved', assigneeId: 'ayse' }, agent('mehmet'), { refusal: 'conflict' }],
    ['another team’s agent → invalid', {}, agent('other', 'agent', 'kitchen'), { refusal: 'invalid' }],
    ['ops of the team → invalid', {}, agent('ops-oya', 'ops'), { refusal: 'invalid' }],
    ['an admin → invalid', {}, agent('adm', 'admin'), { refusal: 'invalid' }],
  ])('%s', (_name, over, who, expected) => {
    const t = ticket(over);
    const r = assignTicket(t, who, now);
    if (expected.refusal) {
      expect(r).toMatchObject({ ok: false, refusal: { kind: expected.refusal } });
      return;
    }
    if (!r.ok) throw new Error('expected ok');
    expect(r.changed).toBe(expected.changed);
    expect(r.ticket).toMatchObject({ status: expected.status, assigneeId: who.id, version: expected.changed ? t.version + 1 : t.version });
    expect(r.ticket.claimedAt).toEqual(t.claimedAt);
  });
});
