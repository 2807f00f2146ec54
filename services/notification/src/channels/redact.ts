import { maskPhoneNumber } from '@closeloop/platform';

/** Phone numbers are personal data: logs and the console show `+90555***2233` (the platform's one mask). */
export { maskPhoneNumber };

const E164_IN_TEXT = /\+[1-9]\d{6,14}/g;

/** Masks every E.164 number found in free text (an SMS body may quote a customer's number). */
export function maskPhoneNumbersIn(text: string): string {
  return text.replace(E164_IN_TEXT, (m) => maskPhoneNumber(m));
}

/** A `response_url` embeds a bearer-like secret in its path; only its origin is safe to log. */
export function redactUrl(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '(invalid url)';
  }
}

