import { Severity, TicketStatus } from '@closeloop/contracts';
import {
  Ticket, TicketFeedback, attachFeedback, claimTicket, feedbackStep, noteAdded, openTicket, reopenTicket, resolveTicket, reviseFeedback,
} from './ticket';

const SLA = { firstResponse: 3_600_000, resolve: 48 * 3_600_000 };
const T0 = new Date('2026-11-23T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const ROOT_CAUSES = ['billing', 'wait-time', 'other'];
const names: Record<string, string> = { ayse: 'Ayşe Yılmaz', mehmet: 'Mehmet Demir' };
const nameOf = (id: string) => names[id] ?? id;

function feedback(over: Partial<TicketFeedback> = {}): TicketFeedback {
  return { customer: { id: 'c-1', name: 'Deniz', locale: 'tr' }, touchpoint: 'checkout', metric: 'nps', score: 3, comment: 'slow', severity: 'normal', ...over };
}
function ticket(over: Partial<Ticket> = {}): Ticket {
  return { ...openTicket({ id: 't-1', team: 'cx', sla: SLA, feedback: feedback(), now: T0 }), ...over };
}

describe('openTicket', () => {
  it('starts open, version 1, with SLA deadlines from the opening', () => {
    const t = ticket();
    expect(t).toMatchObject({
      id: 't-1', customerId: 'c-1', customerName: 'Deniz', customerLocale: 'tr', touchpoint: 'checkout', team: 'cx', status: 'open',
      severity: 'normal', assigneeId: null, feedbackCount: 1, version: 1, reopenCount: 0, claimedAt: null, resolvedAt: null,
    });
    expect(t.firstResponseDue).toEqual(at(60));
    expect(t.resolveDue).toEqual(at(48 * 60));
  });

  it('absent customer name, locale and comment are null', () => {
    const t = openTicket({ id: 't', team: 'cx', sla: SLA, feedback: feedback({ customer: { id: 'c' }, comment: undefined }), now: T0 });
    expect([t.customerName, t.customerLocale, t.comment]).toEqual([null, null, null]);
  });
});

describe('attachFeedback', () => {
  it.each<[Severity, Severity, Severity, Severity | undefined]>([
    // current, incoming, result, previousSeverity
    ['normal', 'normal', 'normal', undefined],
    ['normal', 'high', 'high', 'normal'],
    ['normal', 'critical', 'critical', 'normal'],
    ['high', 'critical', 'critical', 'high'],
    ['critical', 'normal', 'critical', undefined],
    ['high', 'normal', 'high', undefined],
  ])('severity %s + %s → %s (previousSeverity %s)', (current, incoming, result, previous) => {
    const r = attachFeedback(ticket({ severity: current }), feedback({ severity: incoming }), at(5));
    if (!r.ok) throw new Error('expected ok');
    expect(r.ticket.severity).toBe(result);
    expect(r.previousSeverity).toBe(previous);
  });

  it('takes the latest score and comment, counts the feedback and bumps the version', () => {
    const r = attachFeedback(ticket(), feedback({ metric: 'csat', score: 1, comment: 'still waiting', customer: { id: 'c-1' } }), at(5));
    if (!r.ok) throw new Error('expected ok');
    expect(r.ticket).toMatchObject({ metric: 'csat', score: 1, comment: 'still waiting', feedbackCount: 2, version: 2, updatedAt: at(5), customerName: 'Deniz' });
  });

  it.each<TicketStatus>(['open', 'claimed'])('attaches to a %s ticket without changing its status', (status) => {
    const r = attachFeedback(ticket({ status, assigneeId: status === 'claimed' ? 'ayse' : null }), feedback(), at(1));
    expect(r.ok && r.ticket.status).toBe(status);
  });

  it('refuses a resolved ticket (new feedback opens a new one)', () => {
    expect(attachFeedback(ticket({ status: 'resolved' }), feedback(), at(1))).toEqual({
      ok: false, refusal: { kind: 'conflict', reason: 'the ticket is resolved; new feedback opens a new ticket' },
    });
  });
});

describe('feedbackStep (SPEC §10 revisions)', () => {
  it.each<[string, { newest: boolean; onTicket: boolean; actionRequired: boolean }, ReturnType<typeof feedbackStep>]>([
    ['a redelivery or an older revision arriving late: nothing', { newest: false, onTicket: true, actionRequired: true }, 'stale'],
    ['an older revision of feedback on no ticket: nothing, even when action-required', { newest: false, onTicket: false, actionRequired: true }, 'stale'],
    ['a newer revision of feedback on a ticket: revise it', { newest: true, onTicket: true, actionRequired: true }, 'revise'],
    ['a newer revision on a ticket that no longer needs action: still revise (the ticket shows it)', { newest: true, onTicket: true, actionRequired: false }, 'revise'],
    ['first seen, or a revision that now needs action ("refund" after a passive score): open or attach', { newest: true, onTicket: false, actionRequired: true }, 'open-or-attach'],
    ['first seen, no action: only recorded', { newest: true, onTicket: false, actionRequired: false }, 'record'],
  ])('%s', (_name, input, step) => expect(feedbackStep(input)).toBe(step));
});

describe('reviseFeedback', () => {
  it.each<[Severity, Severity, Severity, Severity | undefined]>([
    // current, revision's, result, previousSeverity: it rises, never falls
    ['normal', 'normal', 'normal', undefined],
    ['normal', 'critical', 'critical', 'normal'],
    ['high', 'critical', 'critical', 'high'],
    ['critical', 'normal', 'critical', undefined],
  ])('severity %s, revision %s → %s (previousSeverity %s)', (current, incoming, result, previous) => {
    const r = reviseFeedback(ticket({ severity: current }), feedback({ severity: incoming }), at(5));
    expect(r.ticket.severity).toBe(result);
    expect(r.previousSeverity).toBe(previous);
  });

  it.each<TicketStatus>(['open', 'claimed', 'resolved'])('shows the revised score and comment on a %s ticket, same feedback count, new version', (status) => {
    const before = ticket({ status, feedbackCount: 2 });
    const r = reviseFeedback(before, feedback({ score: 7, comment: 'refund please', customer: { id: 'c-1' } }), at(5));
    expect(r.ticket).toMatchObject({ status, score: 7, comment: 'refund please', feedbackCount: 2, version: 2, updatedAt: at(5), customerName: 'Deniz' });
  });

  it('a revision without a comment clears the comment (the customer removed it)', () => {
    expect(reviseFeedback(ticket(), feedback({ comment: undefined }), at(1)).ticket.comment).toBeNull();
  });
});

describe('transitions', () => {
  const open = ticket();
  const claimedByAyse = ticket({ status: 'claimed', assigneeId: 'ayse', claimedAt: at(10), version: 2 });
  const resolved = ticket({ status: 'resolved', assigneeId: 'ayse', claimedAt: at(10), resolvedAt: at(20), rootCause: 'billing', resolutionNote: 'refunded', customerContacted: true, version: 3 });

  describe('claim', () => {
    it.each<[string, Ticket, string, { changed: boolean; status: TicketStatus; assignee: string; version: number } | string]>([
      ['open → claimed', open, 'ayse', { changed: true, status: 'claimed', assignee: 'ayse', version: 2 }],
      ['claimed by the same agent → no change', claimedByAyse, 'ayse', { changed: false, status: 'claimed', assignee: 'ayse', version: 2 }],
      ['claimed by another agent → 409', claimedByAyse, 'mehmet', 'the ticket is already claimed by Ayşe Yılmaz|already_claimed'],
      ['resolved → 409', resolved, 'ayse', 'the ticket is resolved; reopen it before claiming|resolved_reopen_first'],
    ])('%s', (_name, t, agent, expected) => {
      const r = claimTicket(t, agent, at(30), nameOf);
      if (typeof expected === 'string') {
        const [reason, code] = expected.split('|');
        expect(r).toEqual({ ok: false, refusal: { kind: 'conflict', reason, code } });
        return;
      }
      if (!r.ok) throw new Error(r.refusal.reason);
      expect({ changed: r.changed, status: r.ticket.status, assignee: r.ticket.assigneeId, version: r.ticket.version }).toEqual(expected);
    });

    it('stamps claimedAt on the first claim only', () => {
      const first = claimTicket(open, 'ayse', at(30));
      expect(first.ok && first.ticket.claimedAt).toEqual(at(30));
      const reopened = ticket({ status: 'open', claimedAt: at(10), reopenCount: 1 });
      const again = claimTicket(reopened, 'mehmet', at(90));
      expect(again.ok && again.ticket.claimedAt).toEqual(at(10));
    });
  });

  describe('resolve', () => {
    const input = { agentId: 'mehmet', rootCause: 'billing', note: 'refunded', customerContacted: true };

    it.each<[string, Ticket, Partial<typeof input>, Partial<Ticket> | { refusal: unknown }]>([
      ['claimed → resolved, assignee kept', claimedByAyse, {}, { status: 'resolved', assigneeId: 'ayse', claimedAt: at(10), resolvedAt: at(40), version: 3 }],
      ['open → resolved, claimed by the resolver in the same step', open, {}, { status: 'resolved', assigneeId: 'mehmet', claimedAt: at(40), resolvedAt: at(40), version: 2 }],
      ['resolved → 409', resolved, {}, { refusal: { kind: 'conflict', reason: 'the ticket is already resolved', code: 'already_resolved' } }],
      ['unknown root cause → invalid rootCause', claimedByAyse, { rootCause: 'gremlins' }, { refusal: { kind: 'invalid', field: 'rootCause', reason: 'must be one of billing, wait-time, other' } }],
      ['the input is checked before the state', resolved, { rootCause: 'gremlins' }, { refusal: { kind: 'invalid', field: 'rootCause', reason: 'must be one of billing, wait-time, other' } }],
    ])('%s', (_name, t, over, expected) => {
      const r = resolveTicket(t, { ...input, ...over }, ROOT_CAUSES, at(40));
      if ('refusal' in expected) {
        expect(r).toEqual({ ok: false, ...expected });
        return;
      }
      if (!r.ok) throw new Error(r.refusal.reason);
      expect(r.ticket).toMatchObject({ ...expected, rootCause: 'billing', resolutionNote: 'refunded', customerContacted: true });
    });

    it('note and customerContacted are optional (null)', () => {
      const r = resolveTicket(claimedByAyse, { agentId: 'ayse', rootCause: 'other' }, ROOT_CAUSES, at(40));
      expect(r.ok && [r.ticket.resolutionNote, r.ticket.customerContacted]).toEqual([null, null]);
    });
  });

  describe('reopen', () => {
    it('resolved → open: back to the queue, resolution cleared, resolveDue from the reopen time', () => {
      const r = reopenTicket(resolved, SLA, at(120));
      if (!r.ok) throw new Error(r.refusal.reason);
      expect(r.ticket).toMatchObject({
        status: 'open', assigneeId: null, resolvedAt: null, rootCause: null, resolutionNote: null, customerContacted: null,
        reopenCount: 1, version: 4, claimedAt: at(10), firstResponseDue: resolved.firstResponseDue, resolveDue: at(120 + 48 * 60),
      });
    });

    it.each<[string, Ticket]>([['open', open], ['claimed', claimedByAyse]])('%s → 409', (status, t) => {
      expect(reopenTicket(t, SLA, at(1))).toEqual({ ok: false, refusal: { kind: 'conflict', reason: `the ticket is ${status}, only a resolved ticket can be reopened` } });
    });
  });

  it('a note is a change in any state', () => {
    for (const t of [open, claimedByAyse, resolved]) {
      expect(noteAdded(t, at(50))).toEqual({ ...t, version: t.version + 1, updatedAt: at(50) });
    }
  });
});
