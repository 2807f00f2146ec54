import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureFailure };
export type SignatureFailure =
  | 'not_configured'
  | 'missing_headers'
  | 'malformed_timestamp'
  | 'malformed_signature'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'signature_mismatch';

/** Slack's replay window: requests signed more than 5 minutes away from now, either way, are refused. */
export const SLACK_SIGNATURE_MAX_SKEW_SECONDS = 300;

type HeaderValue = string | string[] | undefined;

export interface SlackSignatureInput {
  signingSecret: string;
  /** `X-Slack-Request-Timestamp` (Unix seconds). */
  timestamp: HeaderValue;
  /** `X-Slack-Signature` (`v0=` + 64 hex). */
  signature: HeaderValue;
  /** The body exactly as received; re-serialised JSON or form data will not match. */
  rawBody: Buffer | string;
  /** Current time in milliseconds since the epoch; defaults to `Date.now()`. */
  now?: number;
}

/** Verifies a Slack request signature (v0: HMAC-SHA256 over `v0:{timestamp}:{raw body}`). */
export function verifySlackSignature(input: SlackSignatureInput): SignatureCheck {
  if (!input.signingSecret) return { ok: false, reason: 'not_configured' };
  if (input.timestamp === undefined || input.signature === undefined) return { ok: false, reason: 'missing_headers' };
  // A repeated header arrives as an array: never pick one of them.
  if (typeof input.timestamp !== 'string' || !/^\d{1,12}$/.test(input.timestamp)) return { ok: false, reason: 'malformed_timestamp' };
  if (typeof input.signature !== 'string' || !/^v0=[0-9a-f]{64}$/.test(input.signature)) return { ok: false, reason: 'malformed_signature' };

  const nowSeconds = Math.floor((input.now ?? Date.now()) / 1000);
  const skew = nowSeconds - Number(input.timestamp);
  if (skew > SLACK_SIGNATURE_MAX_SKEW_SECONDS) return { ok: false, reason: 'stale_timestamp' };
  if (skew < -SLACK_SIGNATURE_MAX_SKEW_SECONDS) return { ok: false, reason: 'future_timestamp' };

  const expected = createHmac('sha256', input.signingSecret)
    .update(`v0:${input.timestamp}:`)
    .update(typeof input.rawBody === 'string' ? Buffer.from(input.rawBody, 'utf8') : input.rawBody)
    .digest();
  const given = Buffer.from(input.signature.slice(3), 'hex');
  return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'signature_mismatch' };
}

/** Signs a body the way Slack does; for clients of our own endpoints (tools, demo, tests). */
export function signSlackRequest(signingSecret: string, timestamp: number | string, rawBody: Buffer | string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}
