import { validateRequest } from 'twilio';

export type TwilioSignatureCheck = { ok: true } | { ok: false; reason: 'not_configured' | 'missing_signature' | 'invalid_url' | 'signature_mismatch' };

export interface TwilioSignatureInput {
  authToken: string;
  /** `X-Twilio-Signature`. */
  signature: string | string[] | undefined;
  /**
   * The URL Twilio posted to, exactly as given in `StatusCallback` (scheme, host, port, path, query) — behind a
   * proxy, build it from `PUBLIC_BASE_URL`, not from the request's Host header.
   */
  url: string;
  /** The POSTed form fields. */
  params: Record<string, unknown>;
}

/** Verifies `X-Twilio-Signature` (base64 HMAC-SHA1 over the URL and the sorted form fields). */
export function verifyTwilioSignature(input: TwilioSignatureInput): TwilioSignatureCheck {
  if (!input.authToken) return { ok: false, reason: 'not_configured' };
  if (typeof input.signature !== 'string' || input.signature === '') return { ok: false, reason: 'missing_signature' };
  if (!URL.canParse(input.url)) return { ok: false, reason: 'invalid_url' };
  return validateRequest(input.authToken, input.signature, input.url, input.params) ? { ok: true } : { ok: false, reason: 'signature_mismatch' };
}
