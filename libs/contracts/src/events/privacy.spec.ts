import { randomUUID } from 'node:crypto';
import { Topic } from '../topics';
import { validateEvent } from '../envelope';
import { ERASURE_STORES, PARTICIPANT_STORES, erasureStatusOf } from './privacy';

const envelope = (type: string, data: object) => ({ eventId: randomUUID(), type, version: 1, occurredAt: '2026-12-01T10:00:00.000Z', producer: 'tickets', data });
const erasureId = randomUUID();

describe('erasureStatusOf', () => {
  it.each([
    ['nothing reported: every store pending', [], {}],
    ['a done store', [{ store: 'slack', status: 'done' }], { slack: 'done' }],
    ['a failed store', [{ store: 'twilio', status: 'failed' }], { twilio: 'failed' }],
    ['failed, then done after a retry', [{ store: 'twilio', status: 'failed' }, { store: 'twilio', status: 'done' }], { twilio: 'done' }],
    ['done is never taken back by a later failed', [{ store: 'email', status: 'done' }, { store: 'email', status: 'failed' }], { email: 'done' }],
  ] as const)('%s', (_name, progress, expected) => {
    const pending = Object.fromEntries(ERASURE_STORES.map((s) => [s, 'pending']));
    expect(erasureStatusOf(progress)).toEqual({ ...pending, ...expected });
  });

  it('the key (kafka) is the orchestrator\'s own step, not a participant\'s', () => {
    expect(PARTICIPANT_STORES).not.toContain('kafka');
    expect([...PARTICIPANT_STORES, 'kafka'].sort()).toEqual([...ERASURE_STORES].sort());
  });
});

describe('cx.privacy.events.v1', () => {
  it.each([
    ['a request', envelope('customer.erasure_requested', { erasureId, customerId: 'c-1', requestedBy: 'ada', requestedAt: '2026-12-01T10:00:00.000Z' }), []],
    ['a request without its customer', envelope('customer.erasure_requested', { erasureId, requestedBy: 'ada', requestedAt: '2026-12-01T10:00:00.000Z' }), ['data.customerId']],
    ['progress', envelope('customer.erasure_progress', { erasureId, customerId: 'c-1', store: 'slack', status: 'done', erased: 3, by: 'notification' }), []],
    ['progress of an unknown store', envelope('customer.erasure_progress', { erasureId, customerId: 'c-1', store: 'fax', status: 'done', erased: 0, by: 'x' }), ['data.store']],
    ['progress with a pending status', envelope('customer.erasure_progress', { erasureId, customerId: 'c-1', store: 'slack', status: 'pending', erased: 0, by: 'x' }), ['data.status']],
    ['progress with a negative count', envelope('customer.erasure_progress', { erasureId, customerId: 'c-1', store: 'slack', status: 'done', erased: -1, by: 'x' }), ['data.erased']],
  ])('%s', (_name, raw, errorFields) => {
    const v = validateEvent(Topic.PrivacyEvents, raw);
    expect(v.ok ? [] : [...new Set(v.errors.map((e) => e.field))]).toEqual(errorFields);
  });
});
