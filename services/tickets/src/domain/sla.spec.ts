import { openTicket } from './ticket';
import { SlaBreach, dueBreaches, markBreached, slaDueTimes } from './sla';

const T0 = new Date('2026-11-23T10:00:00.000Z');
const min = (m: number) => new Date(T0.getTime() + m * 60_000);
const SLA = { firstResponse: 60 * 60_000, resolve: 48 * 60 * 60_000 };
const base = openTicket({
  id: 't', team: 'cx', sla: SLA, now: T0,
  feedback: { customer: { id: 'c' }, touchpoint: 'checkout', metric: 'nps', score: 2, severity: 'critical' },
});

describe('slaDueTimes', () => {
  it('adds the team budgets to the start', () => {
    expect(slaDueTimes(T0, SLA)).toEqual({ firstResponseDue: min(60), resolveDue: min(48 * 60) });
  });
});

describe('dueBreaches', () => {
  it.each<[string, Partial<typeof base>, Date, SlaBreach[]]>([
    ['nothing due yet', {}, min(59), []],
    ['first response due exactly now', {}, min(60), ['firstResponse']],
    ['claimed in time: no first-response breach', { status: 'claimed', assigneeId: 'a', claimedAt: min(30) }, min(61), []],
    ['first response already stamped', { firstResponseBreachedAt: min(60) }, min(120), []],
    ['both due at once', {}, min(48 * 60), ['firstResponse', 'resolve']],
    ['claimed late but resolve due', { status: 'claimed', assigneeId: 'a', claimedAt: min(90), firstResponseBreachedAt: min(60) }, min(48 * 60 + 1), ['resolve']],
    ['resolved tickets never breach', { status: 'resolved', assigneeId: 'a', resolvedAt: min(10) }, min(99 * 60), []],
    ['reopened (claimed before, now open): only resolve can breach', { status: 'open', claimedAt: min(10), reopenCount: 1, resolveDue: min(100) }, min(100), ['resolve']],
    ['resolve already stamped', { status: 'claimed', assigneeId: 'a', claimedAt: min(1), resolveBreachedAt: min(48 * 60) }, min(50 * 60), []],
  ])('%s', (_name, over, now, expected) => {
    expect(dueBreaches({ ...base, ...over }, now)).toEqual(expected);
  });
});

describe('markBreached', () => {
  it('stamps the kind and bumps the version', () => {
    const a = markBreached(base, 'firstResponse', min(61));
    expect(a).toMatchObject({ firstResponseBreachedAt: min(61), resolveBreachedAt: null, version: 2, updatedAt: min(61) });
    const b = markBreached(a, 'resolve', min(61));
    expect(b).toMatchObject({ firstResponseBreachedAt: min(61), resolveBreachedAt: min(61), version: 3 });
    expect(dueBreaches(b, min(99 * 60))).toEqual([]);
  });
});
