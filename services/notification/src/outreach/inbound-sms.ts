import { E164 } from '@closeloop/contracts';

/**
 * The words that opt a number out (SPEC §11), as carriers and Twilio's default opt-out handling read them: the
 * whole message, trimmed, in any case. "Stop sending me coupons" is a reply, not an opt-out.
 */
export const OPT_OUT_WORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'] as const;

export interface InboundSms {
  providerId: string;
  from: string;
  body: string;
}

/** The fields an inbound SMS needs; `undefined` when Twilio's request lacks one of them. */
export function parseInboundSms(params: Record<string, string>): InboundSms | undefined {
  const providerId = params.MessageSid || params.SmsSid;
  const from = params.From;
  if (!providerId || !from || !E164.test(from)) return undefined;
  return { providerId, from, body: params.Body ?? '' };
}

export function isOptOut(body: string): boolean {
  return (OPT_OUT_WORDS as readonly string[]).includes(body.trim().toUpperCase());
}

/** Twilio's answer: empty TwiML, so nothing is texted back (Twilio's own opt-out reply, if enabled, still goes). */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
