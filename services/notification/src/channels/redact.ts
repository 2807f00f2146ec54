/** Phone numbers are personal data: logs and the console show `+90555***2233`, enough to tell recipients apart. */
export function maskPhoneNumber(phone: string): string {
  const plus = phone.trim().startsWith('+') ? '+' : '';
  const digits = phone.replace(/\D/g, '');
  const n = digits.length;
  const suffix = n >= 10 ? 4 : n >= 7 ? 2 : 0;
  const prefix = Math.max(0, Math.min(5, n - suffix - 3));
  return `${plus}${digits.slice(0, prefix)}***${suffix > 0 ? digits.slice(n - suffix) : ''}`;
}

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

