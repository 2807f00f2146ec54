import { backoffDelayMs, decideAfterAttempt, deliveryStatusFor, type RetryPolicy } from './retry-policy';

const policy: RetryPolicy = { maxAttempts: 5, backoffBaseMs: 1_000, backoffMaxMs: 60_000 };
const mid = () => 0.5; // no jitter

describe('backoffDelayMs', () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [6, 32_000],
    [7, 60_000],
    [50, 60_000],
  ])('attempt %i → %i ms', (attempts, expected) => {
    expect(backoffDelayMs(attempts, policy, mid)).toBe(expected);
  });

  it('jitters within ±20 % and never above the cap', () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(3_200);
    expect(backoffDelayMs(3, policy, () => 0.999999)).toBe(4_800);
    expect(backoffDelayMs(20, policy, () => 0.999999)).toBe(60_000);
  });
});

describe('decideAfterAttempt', () => {
  it.each([
    ['sent is recorded with the provider id and ts', { kind: 'sent', providerId: '1700000000.000100', channel: 'C0CX', ts: '1700000000.000100' }, 1, { status: 'sent', providerId: '1700000000.000100', channel: 'C0CX', ts: '1700000000.000100' }],
    ['an SMS keeps its provider status', { kind: 'sent', providerId: 'SM1', status: 'queued' }, 1, { status: 'sent', providerId: 'SM1', providerStatus: 'queued' }],
    ['permanent failures are final at once', { kind: 'failed', reason: 'channel does not exist', code: 'channel_not_found' }, 1, { status: 'failed', error: 'channel does not exist', code: 'channel_not_found' }],
    ['Retry-After is honoured exactly', { kind: 'retry', reason: 'rate limited by Slack', code: 'ratelimited', retryAfterMs: 1_000 }, 4, { status: 'retrying', delayMs: 1_000, error: 'rate limited by Slack', code: 'ratelimited', maybeDelivered: false }],
    ['otherwise exponential backoff', { kind: 'retry', reason: 'Slack answered HTTP 503', code: 'http_503', maybeDelivered: true }, 3, { status: 'retrying', delayMs: 4_000, error: 'Slack answered HTTP 503', code: 'http_503', maybeDelivered: true }],
    ['gives up after maxAttempts', { kind: 'retry', reason: 'could not reach Twilio', code: 'ECONNREFUSED' }, 5, { status: 'failed', error: 'gave up after 5 attempts: could not reach Twilio', code: 'ECONNREFUSED' }],
  ] as const)('%s', (_name, outcome, attempts, expected) => {
    expect(decideAfterAttempt(outcome, attempts, policy, mid)).toEqual(expected);
  });
});

describe('deliveryStatusFor', () => {
  it.each([
    ['queued', 'sent'],
    ['sending', 'sent'],
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['read', 'delivered'],
    ['undelivered', 'failed'],
    ['failed', 'failed'],
    ['canceled', 'failed'],
  ] as const)('%s → %s', (provider, ours) => {
    expect(deliveryStatusFor(provider)).toBe(ours);
  });
});
