import fc from 'fast-check';
import { DELIVERY_STATUSES, deliveryStatusRank, nextDeliveryStatus, type DeliveryStatus } from './channel';
import { fromTwilioStatus, parseTwilioStatusCallback, twilioStatusRank } from './twilio-status';

describe('fromTwilioStatus', () => {
  it.each([
    ['accepted', 'queued'],
    ['scheduled', 'queued'],
    ['queued', 'queued'],
    ['sending', 'sending'],
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['undelivered', 'undelivered'],
    ['failed', 'failed'],
    ['read', 'read'],
    ['canceled', 'canceled'],
    ['DELIVERED', 'delivered'],
    ['receiving', undefined],
    ['received', undefined],
    ['bogus', undefined],
    ['', undefined],
  ])('%s → %s', (twilioStatus, ours) => {
    expect(fromTwilioStatus(twilioStatus)).toBe(ours);
  });

  it('twilioStatusRank orders the lifecycle', () => {
    const ranks = ['queued', 'sending', 'sent', 'delivered', 'read'].map(twilioStatusRank);
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    expect(twilioStatusRank('received')).toBe(-1);
  });
});

describe('nextDeliveryStatus', () => {
  const replay = (statuses: string[]) => statuses.reduce<DeliveryStatus>((s, twilio) => nextDeliveryStatus(s, fromTwilioStatus(twilio)), 'pending');

  it.each([
    [['queued', 'sending', 'sent', 'delivered'], 'delivered'],
    [['queued', 'delivered', 'sent'], 'delivered'],
    [['sent', 'queued', 'sending'], 'sent'],
    [['queued', 'failed', 'sent', 'delivered'], 'failed'],
    [['sent', 'undelivered', 'delivered'], 'undelivered'],
    [['delivered', 'failed'], 'delivered'],
    [['delivered', 'read', 'delivered'], 'read'],
    [['queued', 'received'], 'queued'],
  ])('%j ends at %s', (sequence, expected) => {
    expect(replay(sequence)).toBe(expected);
  });

  it('never moves backwards, whatever order callbacks arrive in', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DELIVERY_STATUSES), fc.array(fc.constantFrom(...DELIVERY_STATUSES, undefined)), (start, incoming) => {
        let current = start;
        for (const s of incoming) {
          const next = nextDeliveryStatus(current, s);
          expect(deliveryStatusRank(next)).toBeGreaterThanOrEqual(deliveryStatusRank(current));
          expect(next === current || next === s).toBe(true);
          current = next;
        }
      }),
    );
  });
});

describe('parseTwilioStatusCallback', () => {
  it('reads a failed callback with its error code', () => {
    expect(
      parseTwilioStatusCallback({ MessageSid: 'SM1', SmsSid: 'SM1', MessageStatus: 'undelivered', SmsStatus: 'undelivered', ErrorCode: '30003', AccountSid: 'AC1' }),
    ).toEqual({ providerId: 'SM1', providerStatus: 'undelivered', status: 'undelivered', errorCode: '30003' });
  });

  it('falls back to the legacy Sms* fields', () => {
    expect(parseTwilioStatusCallback({ SmsSid: 'SM2', SmsStatus: 'sent' })).toEqual({ providerId: 'SM2', providerStatus: 'sent', status: 'sent' });
  });

  it('rejects forms that are not status callbacks', () => {
    expect(parseTwilioStatusCallback({ MessageStatus: 'sent' })).toBeUndefined();
    expect(parseTwilioStatusCallback({ MessageSid: 'SM3' })).toBeUndefined();
  });
});
