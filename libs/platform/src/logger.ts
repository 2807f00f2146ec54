import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';
import { serializeError } from './log-errors';

/**
 * Paths that must never reach a log line: credentials, signatures, and customer contact data.
 * Phone numbers are also masked wherever our code logs them on purpose (see maskPhoneNumber).
 */
export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-slack-signature"]', 'req.headers["x-twilio-signature"]',
  // the survey tools' webhooks (ingest's POST /v1/sources/{id}): signatures, and SurveyMonkey's API key sent in clear
  'req.headers["typeform-signature"]', 'req.headers["x-delighted-webhook-signature"]', 'req.headers["webhook-signature"]',
  'req.headers["sm-signature"]', 'req.headers["sm-apikey"]',
  'token', 'botToken', 'authToken', 'signingSecret', 'password', 'apiKey', 'apiKeys', 'phone', 'to', 'email',
  '*.token', '*.botToken', '*.authToken', '*.signingSecret', '*.password', '*.apiKey', '*.apiKeys', '*.phone', '*.email', '*.onCall',
  'customer.phone', 'customer.email', '*.customer.phone', '*.customer.email',
];

export function loggerOptions(service: string, level: string): LoggerOptions {
  return {
    level,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // errors without the row data a database error carries (log-errors.ts)
    serializers: { err: serializeError, error: serializeError },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(service, level), destination) : pino(loggerOptions(service, level));
}

/**
 * +905551112233 → +90555***2233: enough to tell numbers apart, not enough to call. Shorter numbers keep fewer
 * digits on either side, never more than they hide. The one mask of every service (logs, events, timelines).
 */
export function maskPhoneNumber(phone: string): string {
  const plus = phone.trim().startsWith('+') ? '+' : '';
  const digits = phone.replace(/\D/g, '');
  const n = digits.length;
  const suffix = n >= 10 ? 4 : n >= 7 ? 2 : 0;
  const prefix = Math.max(0, Math.min(5, n - suffix - 3));
  return `${plus}${digits.slice(0, prefix)}***${suffix > 0 ? digits.slice(n - suffix) : ''}`;
}

/** `deniz.yilmaz@example.com` → `d***@example.com`: which mailbox, not who. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? '***' : `${email[0]}***${email.slice(at)}`;
}

export type { Logger };
