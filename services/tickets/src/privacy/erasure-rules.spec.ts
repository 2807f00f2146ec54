import { ERASED } from '@closeloop/platform';
import type { SummaryPart } from '../domain/timeline';
import { overallStatus, storesView, erasedTimeline, type TimelineText } from './erasure-rules';
import { customerIdProblem } from './erasure.controller';
import { retentionCutoffs } from './retention';

const P = ['tickets', 'scoring', 'sourcePayloads', 'notification', 'slack', 'twilio', 'email'] as const;
const done = (...stores: string[]) => stores.map((store) => ({ store: store as never, status: 'done' as const }));

describe('an erasure\'s overall status (SPEC §13, ADR 0026)', () => {
  it.each([
    ['nothing reported yet', [], 'pending'],
    ['tickets done only', done('tickets'), 'pending'],
    ['every participant done', done(...P), 'pending'],
    ['every participant and the key done', done(...P, 'kafka'), 'done'],
    ['one store failed', [...done('tickets'), { store: 'slack' as never, status: 'failed' as const }], 'failed'],
    ['failed, then done on a retry', [...done(...P.filter((s) => s !== 'slack')), { store: 'slack' as never, status: 'failed' as const }, ...done('slack')], 'pending'],
    ['done is never taken back by a later failed', [...done(...P), { store: 'slack' as never, status: 'failed' as const }], 'pending'],
  ])('%s → %s', (_, progress, overall) => {
    expect(overallStatus(progress)).toBe(overall);
  });

  it('lists every store, pending ones with their status only; a reason only while failed', () => {
    const at = new Date('2026-12-01T10:00:00Z');
    const v = storesView([
      { store: 'tickets', status: 'done', erased: 7, reason: null, at },
      { store: 'twilio', status: 'failed', erased: 0, reason: 'Twilio 20003', at },
    ]);
    expect(Object.keys(v)).toEqual(['tickets', 'scoring', 'sourcePayloads', 'notification', 'slack', 'twilio', 'email', 'kafka']);
    expect(v.tickets).toEqual({ status: 'done', erased: 7, at: at.toISOString() });
    expect(v.twilio).toEqual({ status: 'failed', erased: 0, reason: 'Twilio 20003', at: at.toISOString() });
    expect(v.kafka).toEqual({ status: 'pending' });
  });
});

describe('a timeline entry without the customer\'s texts', () => {
  const entry = (parts: TimelineText['parts'], extra: Partial<TimelineText> = {}): TimelineText => ({ summary: 'as stored', parts, actor: null, data: {}, ...extra });
  it.each([
    ['a note keeps its author, loses its body', [{ key: 'timeline.note' as const, args: { who: 'Ayşe', body: 'Garson çok kabaydı' } }], `Note by Ayşe: ${ERASED}`],
    ['a customer\'s SMS reply', [{ key: 'timeline.replied' as const, args: { body: '服务员很粗鲁' } }], `The customer replied by SMS: ${ERASED}`],
    ['a reopen reason', [{ key: 'timeline.reopened' as const, args: { who: 'Mehmet', reason: 'Deniz called back' } }], `Reopened by Mehmet: ${ERASED}`],
    ['an email sent keeps the agent, loses the subject', [{ key: 'timeline.emailed' as const, args: { agent: 'Ayşe', subject: 'Özür dileriz Deniz' } }], `Ayşe emailed the customer: ${ERASED}`],
    ['a claim has nothing of the customer', [{ key: 'timeline.claimed' as const, args: { who: 'Ayşe', via: 'api' } }], 'Claimed by Ayşe'],
    ['an opening keeps its score', [{ key: 'timeline.opened' as const, args: { metric: 'nps', score: 2, touchpoint: 'checkout', severity: 'high' } }], 'Ticket opened: nps 2 at checkout (high)'],
    ['a delivery loses its recipient and error', [
      { key: 'timeline.delivery' as const, args: { channel: 'sms', purpose: 'customer_sms', recipient: '+90555***4567', status: 'failed' } },
      { key: 'timeline.deliveryError' as const, args: { error: 'unreachable +905551234567' } },
    ], `SMS message to the customer (${ERASED}): failed (${ERASED})`],
    ['an entry from before catalog parts is erased whole', null, ERASED],
  ] as [string, SummaryPart[] | null, string][])('%s', (_, parts, summary) => {
    const once = erasedTimeline(entry(parts));
    expect(once.summary).toBe(summary);
    expect(erasedTimeline(once)).toEqual(once); // idempotent
  });

  it('a customer actor loses its name, an agent keeps theirs; personal keys of data at any depth read erased', () => {
    const e = erasedTimeline(entry([], {
      actor: { kind: 'customer', id: 'c-1', name: 'Deniz Yılmaz' },
      data: { feedbackId: 'f-1', body: 'hi', previous: { resolutionNote: 'called Deniz', assigneeId: 'ayse' }, reasons: [{ rule: 'nps', detail: 'nps 2 <= 5' }] },
    }));
    expect(e.actor).toEqual({ kind: 'customer', id: 'c-1', name: ERASED });
    expect(e.data).toEqual({ feedbackId: 'f-1', body: ERASED, previous: { resolutionNote: ERASED, assigneeId: 'ayse' }, reasons: [{ rule: 'nps', detail: 'nps 2 <= 5' }] });
    expect(erasedTimeline(entry([], { actor: { kind: 'agent', id: 'ayse', name: 'Ayşe' } })).actor).toEqual({ kind: 'agent', id: 'ayse', name: 'Ayşe' });
  });
});

describe('the customer id of POST /v1/customers/:id/erase', () => {
  it.each([
    ['c-123', null],
    ['müşteri-42', null],
    ['   ', 'must not be empty'],
    ['x'.repeat(200), null],
    ['x'.repeat(201), 'must be at most 200 characters (a customer id as feedback carries it)'],
    ['a\nb', 'must not contain control characters'],
  ])('%j → %s', (id, problem) => expect(customerIdProblem(id)).toBe(problem));
});

describe('retention cut-offs', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  const day = 86_400_000;
  it.each([
    ['no retention section', undefined, {}],
    ['resolved tickets only', { resolvedTickets: { text: 'P365D', ms: 365 * day } }, { resolvedBefore: new Date(now.getTime() - 365 * day) }],
    ['both', { resolvedTickets: { text: 'P365D', ms: 365 * day }, feedback: { text: 'P180D', ms: 180 * day } },
      { resolvedBefore: new Date(now.getTime() - 365 * day), feedbackBefore: new Date(now.getTime() - 180 * day) }],
    ['source payloads are ingest\'s', { sourcePayloads: { text: 'P30D', ms: 30 * day } }, {}],
  ])('%s', (_, retention, expected) => expect(retentionCutoffs(retention as never, now)).toEqual(expected));
});
