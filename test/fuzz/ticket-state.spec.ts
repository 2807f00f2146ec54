/**
 * Model-based test of the tickets service's pure state machine (services/tickets/src/domain): fast-check runs random
 * sequences of attach / claim / resolve / reopen / note / SLA checks with a moving clock against a tiny model, and
 * after every step checks the model's prediction and the invariants the database and the API rely on.
 */
import fc from 'fast-check';
import { SEVERITIES, Severity, maxSeverity, severityRank } from '@closeloop/contracts';
import { attachFeedback, claimTicket, noteAdded, openTicket, reopenTicket, resolveTicket, type Outcome, type Ticket } from '../../services/tickets/src/domain/ticket';
import { dueBreaches, markBreached, type SlaBudget } from '../../services/tickets/src/domain/sla';

const ROOT_CAUSES = ['staff-behaviour', 'wait-time', 'other'] as const;
const AGENTS = ['ayse', 'mehmet', 'deniz'] as const;
const SLA: SlaBudget = { firstResponse: 60 * 60_000, resolve: 48 * 60 * 60_000 };
const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);

/** What the model predicts; the real ticket is the system under test. */
interface Model {
  status: 'open' | 'claimed' | 'resolved';
  assignee: string | null;
  severity: Severity;
  feedbackCount: number;
  version: number;
  reopenCount: number;
  claimedOnce: boolean;
  now: number;
  firstResponseBreached: boolean;
  resolveBreached: boolean;
}

interface Real {
  ticket: Ticket;
  /** every version seen, to check that history only moves forward */
  history: Ticket[];
}

function invariants(t: Ticket, prev: Ticket | undefined): void {
  // the database CHECKs (services/tickets/src/persistence/migrations)
  expect(['open', 'claimed', 'resolved']).toContain(t.status);
  expect(SEVERITIES).toContain(t.severity);
  if (t.status !== 'open') expect(t.assigneeId).not.toBeNull();
  expect(t.status === 'resolved').toBe(t.resolvedAt !== null);
  expect(t.feedbackCount).toBeGreaterThanOrEqual(1);
  expect(t.version).toBeGreaterThanOrEqual(1);
  // a resolution exists exactly while resolved
  expect(t.rootCause !== null).toBe(t.status === 'resolved');
  if (t.status === 'open') expect(t.assigneeId).toBeNull();
  // the first response happened once a ticket was claimed or resolved, and is never forgotten
  if (t.status !== 'open') expect(t.claimedAt).not.toBeNull();
  if (t.firstResponseBreachedAt) expect(t.firstResponseDue.getTime()).toBeLessThanOrEqual(t.firstResponseBreachedAt.getTime());
  if (!prev) return;
  expect(t.id).toBe(prev.id);
  expect(t.customerId).toBe(prev.customerId);
  expect(t.touchpoint).toBe(prev.touchpoint);
  expect(t.openedAt).toEqual(prev.openedAt);
  expect(t.firstResponseDue).toEqual(prev.firstResponseDue);
  expect(severityRank(t.severity)).toBeGreaterThanOrEqual(severityRank(prev.severity));
  expect(t.feedbackCount).toBeGreaterThanOrEqual(prev.feedbackCount);
  expect(t.reopenCount).toBeGreaterThanOrEqual(prev.reopenCount);
  expect(t.updatedAt.getTime()).toBeGreaterThanOrEqual(prev.updatedAt.getTime());
  if (prev.claimedAt) expect(t.claimedAt).toEqual(prev.claimedAt);
  // a breach is stamped once and stays
  if (prev.firstResponseBreachedAt) expect(t.firstResponseBreachedAt).toEqual(prev.firstResponseBreachedAt);
  if (prev.resolveBreachedAt) expect(t.resolveBreachedAt).toEqual(prev.resolveBreachedAt);
  // each change is exactly one new version
  expect(t.version === prev.version || t.version === prev.version + 1).toBe(true);
}

function apply(r: Real, next: Ticket): void {
  invariants(next, r.ticket);
  r.history.push(next);
  r.ticket = next;
}

function expectConflict(o: Outcome | ReturnType<typeof attachFeedback>, r: Real, m: Model): void {
  expect(o.ok).toBe(false);
  if (!o.ok) expect(o.refusal.kind).toBe('conflict');
  // a refusal changes nothing
  expect(r.ticket.version).toBe(m.version);
}

function checkModel(m: Model, r: Real): void {
  const t = r.ticket;
  expect(t.status).toBe(m.status);
  expect(t.assigneeId).toBe(m.assignee);
  expect(t.severity).toBe(m.severity);
  expect(t.feedbackCount).toBe(m.feedbackCount);
  expect(t.version).toBe(m.version);
  expect(t.reopenCount).toBe(m.reopenCount);
  expect(t.claimedAt !== null).toBe(m.claimedOnce);
  expect(t.firstResponseBreachedAt !== null).toBe(m.firstResponseBreached);
  expect(t.resolveBreachedAt !== null).toBe(m.resolveBreached);
}

class Attach implements fc.Command<Model, Real> {
  constructor(readonly severity: Severity) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const o = attachFeedback(r.ticket, { customer: { id: r.ticket.customerId }, touchpoint: r.ticket.touchpoint, metric: 'nps', score: 3, comment: 'again', severity: this.severity }, new Date(m.now));
    if (m.status === 'resolved') return expectConflict(o, r, m);
    expect(o.ok).toBe(true);
    if (!o.ok) return;
    const rose = severityRank(this.severity) > severityRank(m.severity);
    expect(o.previousSeverity).toBe(rose ? m.severity : undefined);
    apply(r, o.ticket);
    m.severity = maxSeverity(m.severity, this.severity);
    m.feedbackCount += 1;
    m.version += 1;
    checkModel(m, r);
  }
  toString = () => `attach(${this.severity})`;
}

class Claim implements fc.Command<Model, Real> {
  constructor(readonly agent: string) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const o = claimTicket(r.ticket, this.agent, new Date(m.now));
    if (m.status === 'resolved' || (m.status === 'claimed' && m.assignee !== this.agent)) return expectConflict(o, r, m);
    expect(o.ok).toBe(true);
    if (!o.ok) return;
    if (m.status === 'claimed') {
      // the assignee claiming again: idempotent, no new version
      expect(o.changed).toBe(false);
      expect(o.ticket).toBe(r.ticket);
      return;
    }
    expect(o.changed).toBe(true);
    apply(r, o.ticket);
    m.status = 'claimed';
    m.assignee = this.agent;
    m.claimedOnce = true;
    m.version += 1;
    checkModel(m, r);
  }
  toString = () => `claim(${this.agent})`;
}

class Resolve implements fc.Command<Model, Real> {
  constructor(readonly agent: string, readonly rootCause: string) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const o = resolveTicket(r.ticket, { agentId: this.agent, rootCause: this.rootCause, note: 'called back', customerContacted: true }, ROOT_CAUSES, new Date(m.now));
    if (!(ROOT_CAUSES as readonly string[]).includes(this.rootCause)) {
      expect(o.ok).toBe(false);
      if (!o.ok) expect(o.refusal).toMatchObject({ kind: 'invalid', field: 'rootCause' });
      expect(r.ticket.version).toBe(m.version);
      return;
    }
    if (m.status === 'resolved') return expectConflict(o, r, m);
    expect(o.ok).toBe(true);
    if (!o.ok) return;
    apply(r, o.ticket);
    expect(o.ticket.rootCause).toBe(this.rootCause);
    expect(o.ticket.resolvedAt?.getTime()).toBe(m.now);
    m.assignee = m.assignee ?? this.agent;
    m.status = 'resolved';
    m.claimedOnce = true;
    m.version += 1;
    checkModel(m, r);
  }
  toString = () => `resolve(${this.agent}, ${this.rootCause})`;
}

class Reopen implements fc.Command<Model, Real> {
  check = () => true;
  run(m: Model, r: Real): void {
    const o = reopenTicket(r.ticket, SLA, new Date(m.now));
    if (m.status !== 'resolved') return expectConflict(o, r, m);
    expect(o.ok).toBe(true);
    if (!o.ok) return;
    apply(r, o.ticket);
    expect(o.ticket.resolveDue.getTime()).toBe(m.now + SLA.resolve);
    m.status = 'open';
    m.assignee = null;
    m.reopenCount += 1;
    m.version += 1;
    checkModel(m, r);
  }
  toString = () => 'reopen';
}

class Note implements fc.Command<Model, Real> {
  check = () => true;
  run(m: Model, r: Real): void {
    apply(r, noteAdded(r.ticket, new Date(m.now)));
    m.version += 1;
    checkModel(m, r);
  }
  toString = () => 'note';
}

/** Time passes, then the SLA scheduler looks at the ticket (as its poller does) and stamps what is due. */
class SlaTick implements fc.Command<Model, Real> {
  constructor(readonly advanceMs: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    m.now += this.advanceMs;
    const now = new Date(m.now);
    const due = dueBreaches(r.ticket, now);
    const t = r.ticket;
    const expectFirst = t.status === 'open' && !m.claimedOnce && !m.firstResponseBreached && t.firstResponseDue.getTime() <= m.now;
    const expectResolve = t.status !== 'resolved' && !m.resolveBreached && t.resolveDue.getTime() <= m.now;
    expect(due.includes('firstResponse')).toBe(expectFirst);
    expect(due.includes('resolve')).toBe(expectResolve);
    for (const breach of due) {
      apply(r, markBreached(r.ticket, breach, now));
      m.version += 1;
      if (breach === 'firstResponse') m.firstResponseBreached = true;
      else m.resolveBreached = true;
    }
    // once stamped, never due again
    expect(dueBreaches(r.ticket, now)).toEqual([]);
    checkModel(m, r);
  }
  toString = () => `sla(+${this.advanceMs} ms)`;
}

const severity = fc.constantFrom(...SEVERITIES);
const agent = fc.constantFrom(...AGENTS);
const commands = [
  severity.map((s) => new Attach(s)),
  agent.map((a) => new Claim(a)),
  fc.tuple(agent, fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...ROOT_CAUSES) }, { weight: 1, arbitrary: fc.constantFrom('gremlins', '', 'Other') }))
    .map(([a, rc]) => new Resolve(a, rc)),
  fc.constant(new Reopen()),
  fc.constant(new Note()),
  fc.oneof(fc.integer({ min: 0, max: 10 * 60_000 }), fc.integer({ min: 30 * 60_000, max: 50 * 60 * 60_000 })).map((ms) => new SlaTick(ms)),
];

describe('ticket state machine (model-based)', () => {
  it('no sequence of commands breaks an invariant or disagrees with the model', () => {
    fc.assert(
      fc.property(severity, fc.commands(commands, { maxCommands: 60 }), (initial, cmds) => {
        const ticket = openTicket({
          id: '0b6f3c59-6c2e-5f5d-8a3b-6f0e2b7d9c10', team: 'cx', sla: SLA, now: new Date(T0),
          feedback: { customer: { id: 'c-1', name: 'Deniz' }, touchpoint: 'checkout', metric: 'nps', score: 3, comment: 'late', severity: initial },
        });
        invariants(ticket, undefined);
        const model: Model = {
          status: 'open', assignee: null, severity: initial, feedbackCount: 1, version: 1, reopenCount: 0, claimedOnce: false,
          now: T0, firstResponseBreached: false, resolveBreached: false,
        };
        fc.modelRun(() => ({ model, real: { ticket, history: [ticket] } }), cmds);
      }),
      { numRuns: 500 },
    );
  });
});
