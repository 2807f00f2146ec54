import fc from 'fast-check';
import { Topic } from './topics';
import { feedbackIdFor, makeEnvelope, passesCompiledEvent, validateEventByClassValidator } from './envelope';
import { hasReservedKey } from './compiled-validation';
import { FeedbackDto } from './events/feedback';
import { validatePlain } from './validation';

/**
 * The compiled rules (compiled-validation.ts) against class-validator itself, on valid events of every kind of rule
 * the contracts use (@IsOptional, @ValidateIf, @IsDefined, custom constraints with other fields, `each`, nested
 * objects, nested arrays) and on thousands of mutations of them: whatever the compiled rules accept, class-validator
 * accepts (never a weaker check), and what class-validator accepts, they accept too (the fast path is taken), but
 * for the two cases they leave to it on purpose (reserved keys, an array inside a nested array).
 */
const at = '2026-11-23T10:00:00.000Z';
const feedbackId = feedbackIdFor('questionpro', 'resp-1');
const feedback = {
  feedbackId, source: 'questionpro', externalId: 'resp-1', touchpoint: 'checkout', channel: 'web', metric: 'nps', score: 3,
  comment: 'Garsonlar çok kaba', customer: { id: 'c-42', name: 'Deniz', email: 'd@example.com', phone: '+905551234567', locale: 'tr' },
  respondedAt: at, receivedAt: at, attributes: { store: 'istanbul-1', vip: true },
};
const snapshot = {
  id: 't-1', customerId: 'c-42', touchpoint: 'checkout', team: 'cx', status: 'open', severity: 'normal', metric: 'nps', score: 3,
  feedbackCount: 1, openedAt: at, firstResponseDue: at, resolveDue: at, version: 1,
};
const actor = { kind: 'agent', id: 'ayse', name: 'Ayşe' };

const SAMPLES: [Topic, unknown][] = [
  [Topic.FeedbackReceived, makeEnvelope('feedback.received', feedback, 'ingest')],
  [Topic.FeedbackReceived, makeEnvelope('feedback.received', { ...feedback, metric: 'csat', score: 2, revision: 2, customer: { id: 'c-9' } }, 'ingest')],
  [Topic.FeedbackScored, makeEnvelope('feedback.scored', {
    feedbackId, feedback, classification: 'detractor', negative: true, actionRequired: true, severity: 'normal', team: 'cx',
    reasons: [{ rule: 'score-at-or-below-threshold', detail: 'nps 3 <= 5' }, { rule: 'keyword', detail: 'kaba' }], matchedKeywords: ['kaba'], scoredAt: at,
  }, 'scoring')],
  [Topic.TicketEvents, makeEnvelope('ticket.opened', { ticket: snapshot, actor: { kind: 'customer', id: 'c-42' }, feedbackId }, 'tickets')],
  [Topic.TicketEvents, makeEnvelope('ticket.claimed', { ticket: snapshot, actor }, 'tickets')],
  [Topic.TicketEvents, makeEnvelope('ticket.command_rejected', { actor, reason: 'no such ticket', statusCode: 404, commandId: 'cmd-1', ticketId: 't-9' }, 'tickets')],
  [Topic.TicketEvents, makeEnvelope('ticket.command_rejected', { actor, reason: 'claimed', statusCode: 409, commandId: 'cmd-2', ticket: snapshot }, 'tickets')],
  [Topic.TicketEvents, makeEnvelope('ticket.escalated', {
    ticket: snapshot, actor, escalation: { step: 2, of: 2, after: 'PT45M', from: at, notify: ['lead-sms', 'channel-mention'] },
  }, 'tickets')],
  [Topic.TicketCommands, makeEnvelope('ticket.claim', { ticketId: 't-1', agentId: 'ayse', via: 'slack', responseUrl: 'https://hooks.slack.com/actions/T/1/x' }, 'notification')],
  [Topic.TicketCommands, makeEnvelope('ticket.message_customer', { ticketId: 't-1', agentId: 'ayse', via: 'slack', channel: 'sms', template: 'apology' }, 'notification')],
  [Topic.NotificationEvents, makeEnvelope('notification.delivery', {
    deliveryId: 'd-1', ticketId: 't-1', ticketEventId: feedbackId, channel: 'sms', purpose: 'customer_sms', recipient: '+90555***4567',
    status: 'sent', attempts: 1, providerId: 'SM0123', at,
  }, 'notification')],
  [Topic.TrendEvents, makeEnvelope('trend.opened', {
    trendId: feedbackId, status: 'open', team: 'cx', group: { touchpoint: 'checkout' }, window: 'PT1H', count: 7, peak: 7, baseline: 1.5,
    ticketIds: ['t-1', 't-2'], openedAt: at, version: 1,
  }, 'tickets')],
  [Topic.TeamDigests, makeEnvelope('team.digest', {
    team: 'cx', day: '2026-11-30', from: at, to: at, leads: [{ agentId: 'mehmet', slackUserId: 'U0LEAD1' }, { agentId: 'zeynep', slackUserId: 'U0LEAD2' }],
    opened: 4, resolved: 2, breached: 1, medianClaimMs: 720_000, medianResolveMs: 10_800_000, nps: 20, npsResponses: 10,
  }, 'tickets')],
  [Topic.PrivacyEvents, makeEnvelope('customer.erasure_requested', { erasureId: feedbackId, customerId: 'c-42', requestedBy: 'admin-1', requestedAt: at }, 'tickets')],
  [Topic.PrivacyEvents, makeEnvelope('customer.erasure_progress', { erasureId: feedbackId, customerId: 'c-42', store: 'tickets', status: 'failed', reason: 'x', erased: 0, by: 'tickets' }, 'tickets')],
];

/** Every path into a JSON value (objects and arrays), the root's own keys included. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((k) => [[...prefix, k], ...paths((value as Record<string | number, unknown>)[k], [...prefix, k])]);
}

type Mutation = { kind: 'set'; value: unknown } | { kind: 'delete' } | { kind: 'add'; key: string; value: unknown };

function mutate(event: unknown, path: (string | number)[], m: Mutation): unknown {
  const copy = JSON.parse(JSON.stringify(event));
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k];
  const last = path[path.length - 1];
  if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (m.kind === 'set') parent[last] = m.value;
  else {
    const target = parent[last];
    // an own property even for `__proto__`, as JSON.parse makes it
    const own = (o: object) => Object.defineProperty(o, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) own(target);
    else parent[last] = own({});
  }
  return copy;
}

/** Values near the contracts' edges (lengths, ranges, formats, types), then anything JSON. */
const interesting = fc.oneof(
  fc.constantFrom<unknown>(
    '', ' ', 'x', 'x'.repeat(201), 'x'.repeat(2_001), '😀'.repeat(100), 0, -1, 1, 1.5, 10, 11, 100, 1e21, null, true, false, [], {}, [{}], [''], ['x'],
    'not-a-uuid', feedbackId, feedbackId.toUpperCase(), '2026-02-30T10:00:00Z', '2026-11-23', at, 'PT1H', 'nps', 'csat', 'ces', 'open',
    'detractor', 'sms', 'slack', 'lead-sms', 'd@example.com', 'd@', '+905551234567', 'tickets', 'toString', 'constructor', { id: 'c-1' },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  interesting.map((value) => ({ kind: 'set' as const, value })),
  fc.constant({ kind: 'delete' as const }),
  fc.tuple(fc.constantFrom('extra', 'ticketId', 'name', '__proto__', 'constructor', 'hasOwnProperty'), interesting)
    .map(([key, value]) => ({ kind: 'add' as const, key, value })),
);

describe('compiled event rules vs class-validator', () => {
  it.each(SAMPLES.map(([topic, event]) => [(event as { type: string }).type, topic, event] as const))('accepts a valid %s, as class-validator does', (_type, topic, event) => {
    expect(validateEventByClassValidator(topic, event)).toMatchObject({ ok: true });
    expect(passesCompiledEvent(topic, event)).toBe(true);
  });

  it('never accepts what class-validator refuses, and accepts what it accepts, over 20,000 mutations', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLES), fc.nat(), mutation, ([topic, event], pick, m) => {
        const all = paths(event);
        const mutated = mutate(event, all[pick % all.length], m);
        const byClassValidator = validateEventByClassValidator(topic, mutated).ok;
        const compiled = passesCompiledEvent(topic, mutated);
        if (byClassValidator) accepted++;
        else refused++;
        // never weaker
        if (compiled && !byClassValidator) return false;
        // a reserved key makes the compiled rules step aside on purpose (validatePlain names it)
        if (hasReservedKey(mutated)) return !compiled;
        // class-validator accepts an array inside a @ValidateNested array (it descends and finds no object to check);
        // the compiled rules leave that to it. Nothing else may differ.
        const path = all[pick % all.length];
        if (m.kind === 'set' && Array.isArray(m.value) && (typeof path[path.length - 1] === 'number' || m.value.some(Array.isArray))) return true;
        return compiled === byClassValidator;
      }),
      { numRuns: 20_000, seed: 14 },
    );
    // both answers were exercised, many times
    expect(accepted).toBeGreaterThan(2_000);
    expect(refused).toBeGreaterThan(2_000);
  });
});

/** JSON with every object's keys sorted: the same content, whatever order class-transformer copied it in. */
const canonical = (v: unknown): string => JSON.stringify(v, (_k, x) =>
  x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x);

describe('compiled rules in validatePlain (HTTP bodies: forbidUnknown, the value handed on)', () => {
  const body = { ...feedback } as Record<string, unknown>;
  delete body.feedbackId;
  delete body.receivedAt;

  it('a SPEC §4 body: the same answer and the same value as class-validator', () => {
    const compiled = validatePlain(FeedbackDto, body, { forbidUnknown: true });
    const classValidator = validatePlain(FeedbackDto, body, { forbidUnknown: true, compiled: false });
    expect(compiled.ok && classValidator.ok).toBe(true);
    if (compiled.ok && classValidator.ok) expect(canonical(compiled.value)).toBe(canonical(classValidator.value));
  });

  it('over 10,000 mutated bodies: the same answer, the same value when valid, the same errors when not', () => {
    fc.assert(
      fc.property(fc.nat(), mutation, (pick, m) => {
        const all = paths(body);
        const path = all[pick % all.length];
        const mutated = mutate(body, path, m);
        const compiled = validatePlain(FeedbackDto, mutated, { forbidUnknown: true });
        const classValidator = validatePlain(FeedbackDto, mutated, { forbidUnknown: true, compiled: false });
        if (compiled.ok && !classValidator.ok) return false;
        if (!compiled.ok) return !classValidator.ok && canonical(compiled.errors) === canonical(classValidator.errors);
        if (!classValidator.ok) return false;
        return canonical(compiled.value) === canonical(classValidator.value);
      }),
      { numRuns: 10_000, seed: 4 },
    );
  });
});
