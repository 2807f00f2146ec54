import { storeOutcome, progressEvent } from './progress';

describe('storeOutcome', () => {
  it.each([
    [0, 0, [], { status: 'done', erased: 0 }],
    [3, 0, [], { status: 'done', erased: 3 }],
    [2, 1, ['cant_update_message'], { status: 'failed', erased: 2, reason: '1/3 failed: cant_update_message' }],
    [0, 3, ['twilio_20003', 'cant_update_message', 'twilio_20003'], { status: 'failed', erased: 0, reason: '3/3 failed: cant_update_message, twilio_20003' }],
  ])('%i done, %i failed (%j) → %j', (done, failed, reasons, expected) => {
    expect(storeOutcome(done, failed, reasons)).toEqual(expected);
  });
});

describe('progressEvent', () => {
  it('has the same id for the same request and store whenever it is sent, a new one for a retry', () => {
    const p = { erasureId: '5b0c6a52-8f1e-4c55-9a4e-0d6f2b7c1a10', customerId: 'c-1', store: 'slack' as const, status: 'done' as const, erased: 2 };
    const request = 'a1b2c3d4-0000-4000-8000-000000000001';
    const a = progressEvent(p, request, new Date('2026-12-01T10:00:00Z'));
    const b = progressEvent({ ...p, erased: 3 }, request, new Date('2026-12-01T11:00:00Z'));
    expect(a.eventId).toBe(b.eventId);
    expect(progressEvent({ ...p, store: 'twilio' }, request).eventId).not.toBe(a.eventId);
    expect(progressEvent(p, 'a1b2c3d4-0000-4000-8000-000000000002').eventId).not.toBe(a.eventId);
    expect(a).toMatchObject({ type: 'customer.erasure_progress', producer: 'notification', data: { ...p, by: 'notification' } });
  });
});
