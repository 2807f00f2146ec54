import { Topic } from '../topics';
import { deterministicId, validateEvent } from '../envelope';
import { erasureProgressEvent } from './erasure-progress';

describe('erasureProgressEvent', () => {
  const request = { eventId: '4b8f8a4e-2f0e-4a43-9a56-1d3c1f0e9b10', data: { erasureId: '0f6f1a52-6d0e-4f8e-9d8e-5f6a7b8c9d0e', customerId: 'c-1', requestedBy: 'a-admin', requestedAt: '2026-12-01T10:00:00Z' } };
  it.each([
    ['done with a count', { store: 'scoring' as const, status: 'done' as const, erased: 3, by: 'scoring' }],
    ['done with nothing to erase', { store: 'sourcePayloads' as const, status: 'done' as const, erased: 0, by: 'ingest' }],
    ['failed with a reason', { store: 'scoring' as const, status: 'failed' as const, erased: 0, by: 'scoring', reason: 'database error 40P01' }],
  ])('%s: a valid event, its id derived from the request and the store', (_name, progress) => {
    const e = erasureProgressEvent(request, progress, new Date('2026-12-01T10:00:01Z'));
    expect(validateEvent(Topic.PrivacyEvents, e)).toEqual({ ok: true, event: e });
    expect(e).toMatchObject({ type: 'customer.erasure_progress', producer: progress.by, occurredAt: '2026-12-01T10:00:01.000Z' });
    expect(e.data).toEqual({ erasureId: request.data.erasureId, customerId: 'c-1', ...progress });
    expect(e.eventId).toBe(deterministicId('erasure-progress', request.eventId, progress.store));
  });

  it('answers a request again with the same event id, and another request (or store) with another', () => {
    const p = { store: 'scoring' as const, status: 'done' as const, erased: 1, by: 'scoring' };
    expect(erasureProgressEvent(request, p).eventId).toBe(erasureProgressEvent(request, { ...p, erased: 0 }).eventId);
    expect(erasureProgressEvent({ ...request, eventId: 'a5b7c9d1-2e3f-4a5b-8c7d-9e0f1a2b3c4d' }, p).eventId).not.toBe(erasureProgressEvent(request, p).eventId);
    expect(erasureProgressEvent(request, { ...p, store: 'sourcePayloads' }).eventId).not.toBe(erasureProgressEvent(request, p).eventId);
  });

  it('cuts a long reason to the contract\'s 500 characters instead of producing an invalid event', () => {
    const e = erasureProgressEvent(request, { store: 'slack', status: 'failed', erased: 0, by: 'notification', reason: 'x'.repeat(900) });
    expect(e.data.reason).toHaveLength(500);
    expect(validateEvent(Topic.PrivacyEvents, e).ok).toBe(true);
  });
});
