import type { DeliveryOutcome, DeliveryStatus as ProviderStatus } from '../channels';

export interface RetryPolicy {
  /** Attempts in all (the first included) before a retryable failure becomes `failed`. */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export type AttemptDecision =
  | { status: 'sent'; providerId: string; providerStatus?: ProviderStatus; ts?: string; channel?: string }
  | { status: 'retrying'; delayMs: number; error: string; code?: string; maybeDelivered: boolean }
  | { status: 'failed'; error: string; code?: string };

/**
 * Exponential backoff with ±20 % jitter (two instances retrying the same outage do not hammer in step),
 * capped at `backoffMaxMs`. `attempts` counts the attempt that just failed (1 for the first).
 */
export function backoffDelayMs(attempts: number, policy: Pick<RetryPolicy, 'backoffBaseMs' | 'backoffMaxMs'>, random: () => number = Math.random): number {
  const exp = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  return Math.min(policy.backoffMaxMs, Math.round(exp * (0.8 + 0.4 * random())));
}

/**
 * What to record after an attempt. A provider's `Retry-After` wins over our backoff (never earlier, and not
 * needlessly later); permanent failures are never retried; retryable ones become `failed` after `maxAttempts`.
 */
export function decideAfterAttempt(outcome: DeliveryOutcome, attempts: number, policy: RetryPolicy, random: () => number = Math.random): AttemptDecision {
  switch (outcome.kind) {
    case 'sent':
      return {
        status: 'sent',
        providerId: outcome.providerId,
        ...(outcome.status ? { providerStatus: outcome.status } : {}),
        ...(outcome.ts ? { ts: outcome.ts } : {}),
        ...(outcome.channel ? { channel: outcome.channel } : {}),
      };
    case 'failed':
      return { status: 'failed', error: outcome.reason, ...(outcome.code ? { code: outcome.code } : {}) };
    case 'retry':
      if (attempts >= policy.maxAttempts) {
        return { status: 'failed', error: `gave up after ${attempts} attempts: ${outcome.reason}`, ...(outcome.code ? { code: outcome.code } : {}) };
      }
      return {
        status: 'retrying',
        delayMs: outcome.retryAfterMs !== undefined ? Math.max(0, outcome.retryAfterMs) : backoffDelayMs(attempts, policy, random),
        error: outcome.reason,
        ...(outcome.code ? { code: outcome.code } : {}),
        maybeDelivered: outcome.maybeDelivered === true,
      };
  }
}

/** Our delivery status for a provider status (Twilio callbacks), as published in `notification.delivery`. */
export function deliveryStatusFor(providerStatus: ProviderStatus): 'sent' | 'delivered' | 'failed' {
  switch (providerStatus) {
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'undelivered':
    case 'failed':
    case 'canceled':
      return 'failed';
    default:
      return 'sent';
  }
}
