import { maskEmail, maskPhoneNumber } from '@closeloop/platform';

/**
 * The fields of Closeloop's events that carry what a customer or an agent wrote or who the customer is (SPEC §13):
 * names, contact details, comments, notes, message texts and the timeline's summaries that quote them.
 */
const PERSONAL_KEYS = new Set([
  'name', 'customerName', 'email', 'phone', 'comment', 'body', 'note', 'text', 'subject', 'summary', 'resolutionNote', 'to', 'from', 'reply',
]);
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const PHONE = /^\+?[\d\s().-]{7,}$/;

function maskValue(v: unknown): unknown {
  if (typeof v === 'string') {
    if (EMAIL.test(v)) return maskEmail(v);
    if (PHONE.test(v)) return maskPhoneNumber(v);
    return `‹hidden: ${[...v].length} characters›`;
  }
  if (Array.isArray(v)) return v.map(maskValue);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).map((k) => [k, maskValue((v as Record<string, unknown>)[k])]));
  return v;
}

function walk(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(walk);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, PERSONAL_KEYS.has(k) ? maskValue(x) : walk(x)]));
  }
  return v;
}

/**
 * A dead letter's payload as a viewer without `personal-data.read` may see it (SPEC §12: personal fields masked unless
 * the viewer is admin): JSON with every personal field masked (an email or phone keeps its shape, a text only its
 * length); anything that is not JSON is withheld whole, since nothing says where the personal data in it is.
 */
export function maskPersonalFields(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `‹not JSON, ${Buffer.byteLength(text)} bytes: shown to admins only›`;
  }
  return JSON.stringify(walk(parsed));
}
