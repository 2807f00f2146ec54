import { ErrorCode as SlackErrorCode } from '@slack/web-api';
import type { DeliveryOutcome } from './channel';
import { maskPhoneNumbersIn } from './redact';

/**
 * The one place that knows which provider errors are permanent. Everything not listed as permanent is retried
 * (with backoff, by the delivery worker) — a wrong "permanent" loses an alert, a wrong "retry" only costs attempts.
 * Each table is exercised against recorded error shapes in ./fixtures.
 */
type FailureOutcome = Exclude<DeliveryOutcome, { kind: 'sent' }>;

/** Slack `ok:false` errors that the same request will always get again. */
export const SLACK_PERMANENT_ERRORS: Readonly<Record<string, string>> = {
  channel_not_found: 'channel does not exist or the bot cannot see it',
  not_in_channel: 'bot is not a member of the channel',
  is_archived: 'channel is archived',
  invalid_auth: 'bot token is invalid',
  not_authed: 'no bot token was sent',
  token_revoked: 'bot token was revoked',
  token_expired: 'bot token expired',
  account_inactive: 'bot user or workspace is deactivated',
  no_permission: 'token lacks permission for this action',
  missing_scope: 'token lacks a required OAuth scope',
  not_allowed_token_type: 'wrong kind of token for this method',
  ekm_access_denied: 'workspace administrators suspended the ability to post',
  team_access_not_granted: 'token has no access to this workspace',
  restricted_action: 'workspace settings prevent posting here',
  restricted_action_read_only_channel: 'channel is read-only',
  restricted_action_thread_only_channel: 'channel only accepts thread replies',
  restricted_action_non_threadable_channel: 'channel does not accept thread replies',
  msg_too_long: 'message text is too long',
  msg_blocks_too_long: 'message blocks are too long',
  invalid_blocks: 'blocks are invalid',
  invalid_blocks_format: 'blocks are not a JSON array',
  invalid_attachments: 'attachments are invalid',
  too_many_attachments: 'too many attachments',
  no_text: 'message has neither text nor blocks',
  invalid_arguments: 'arguments are invalid',
  invalid_arg_name: 'an argument name is invalid',
  invalid_array_arg: 'an array argument was sent as a plain form field',
  invalid_charset: 'request charset is invalid',
  invalid_form_data: 'request form data is invalid',
  invalid_post_type: 'request content type is not supported',
  missing_post_type: 'request content type is missing',
  invalid_metadata_format: 'message metadata is invalid',
  invalid_metadata_schema: 'message metadata does not match its schema',
  message_not_found: 'message to update does not exist',
  cant_update_message: 'message was not posted by this bot',
  edit_window_closed: 'message is too old to be edited',
  thread_not_found: 'parent message of the thread does not exist',
  invalid_trigger_id: 'trigger_id is invalid',
  expired_trigger_id: 'trigger_id expired (3 s after the interaction)',
  exchanged_trigger_id: 'trigger_id was already used',
  view_too_large: 'modal view is too large',
  duplicate_external_id: 'a view with this external_id is already open',
  unknown_method: 'the API method does not exist',
  method_deprecated: 'the API method is deprecated',
  deprecated_endpoint: 'the API endpoint is deprecated',
  // response_url answers
  expired_url: 'response_url expired (30 minutes)',
  used_url: 'response_url was already used 5 times',
};

export function slackErrorOutcome(err: unknown): FailureOutcome {
  const e = err as { code?: unknown; message?: unknown } | null | undefined;
  switch (e?.code) {
    case SlackErrorCode.RateLimitedError: {
      const retryAfter = (err as { retryAfter?: unknown }).retryAfter;
      return {
        kind: 'retry',
        reason: 'rate limited by Slack',
        code: 'ratelimited',
        ...(typeof retryAfter === 'number' ? { retryAfterMs: retryAfter * 1000 } : {}),
      };
    }
    case SlackErrorCode.PlatformError: {
      const data = (err as { data?: { error?: unknown; response_metadata?: { retryAfter?: unknown } } }).data;
      return slackPlatformErrorOutcome(typeof data?.error === 'string' ? data.error : 'unknown_error', data?.response_metadata?.retryAfter);
    }
    case SlackErrorCode.HTTPError:
      return httpStatusOutcome((err as { statusCode: number }).statusCode, undefined, 'Slack');
    case SlackErrorCode.RequestError:
      return networkErrorOutcome((err as { original?: unknown }).original, 'Slack');
    default:
      // The SDK rejects a 429 without a usable Retry-After with a plain Error; anything else unexpected is retried too.
      return {
        kind: 'retry',
        reason: `Slack call failed: ${typeof e?.message === 'string' ? e.message : String(err)}`,
        maybeDelivered: true,
      };
  }
}

export function slackPlatformErrorOutcome(error: string, retryAfterSeconds?: unknown): FailureOutcome {
  const permanent = SLACK_PERMANENT_ERRORS[error];
  if (permanent !== undefined) return { kind: 'failed', reason: permanent, code: error };
  if (error === 'ratelimited' || error === 'rate_limited') {
    return {
      kind: 'retry',
      reason: 'rate limited by Slack',
      code: 'ratelimited',
      ...(typeof retryAfterSeconds === 'number' ? { retryAfterMs: retryAfterSeconds * 1000 } : {}),
    };
  }
  // fatal_error, internal_error, service_unavailable, request_timeout and codes we have not met yet.
  return { kind: 'retry', reason: `Slack error ${error}`, code: error, maybeDelivered: error === 'request_timeout' || error === 'fatal_error' };
}

/** Twilio REST error codes that the same request will always get again. */
export const TWILIO_PERMANENT_ERRORS: Readonly<Record<number, string>> = {
  20003: 'Twilio credentials were rejected',
  20404: 'Twilio resource not found (wrong account SID?)',
  21211: "invalid 'To' phone number",
  21265: "'To' and 'From' are the same number",
  21401: 'invalid phone number',
  21408: 'SMS to this region is not enabled on the account',
  21602: 'message body is required',
  21603: "a 'From' number is required",
  21604: "a 'To' number is required",
  21606: "'From' number cannot send messages to this destination",
  21608: 'trial accounts can only send to verified numbers',
  21610: 'recipient replied STOP (unsubscribed)',
  21612: "'To' number is not reachable from this 'From' number",
  21614: "'To' number is not a mobile number",
  21617: 'message body exceeds the concatenated message limit',
  21659: "'From' is not a Twilio number of this account",
  21660: "'From' number does not belong to this account",
  30004: 'message blocked by the carrier or the recipient',
  30005: 'unknown destination handset',
  30006: 'landline or unreachable carrier',
  30007: 'message filtered as spam by the carrier',
};

/** Codes that look like client errors (4xx) but are about load, not about the request. */
export const TWILIO_RETRYABLE_ERRORS: Readonly<Record<number, string>> = {
  20429: 'too many concurrent requests',
  20500: 'Twilio internal error',
  20503: 'Twilio service unavailable',
  21611: "'From' number has too many queued messages",
  30001: 'message queue overflow',
  30003: 'handset unreachable',
  30008: 'unknown carrier error',
};

export function twilioErrorOutcome(err: unknown, retryAfterMs?: number): FailureOutcome {
  const e = err as { status?: unknown; code?: unknown; message?: unknown; isAxiosError?: unknown } | null | undefined;
  if (e && e.isAxiosError !== true && typeof e.status === 'number') {
    const code = typeof e.code === 'number' && e.code > 0 ? e.code : undefined;
    // Twilio's messages may quote the number ("Invalid 'To' Phone Number: +90555…"): the reason is logged and published
    const message = typeof e.message === 'string' ? maskPhoneNumbersIn(e.message) : '';
    if (code !== undefined && TWILIO_PERMANENT_ERRORS[code] !== undefined) {
      return { kind: 'failed', reason: `${TWILIO_PERMANENT_ERRORS[code]}${message ? `: ${message}` : ''}`, code: String(code) };
    }
    if (code !== undefined && TWILIO_RETRYABLE_ERRORS[code] !== undefined) {
      return {
        kind: 'retry',
        reason: TWILIO_RETRYABLE_ERRORS[code],
        code: String(code),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        maybeDelivered: e.status >= 500,
      };
    }
    const outcome = httpStatusOutcome(e.status, retryAfterMs, 'Twilio');
    return code === undefined ? outcome : { ...outcome, code: String(code), reason: `${outcome.reason}${message ? `: ${message}` : ''}` };
  }
  return networkErrorOutcome(err, 'Twilio');
}

/** HTTP status answers that carry no provider error code. */
export function httpStatusOutcome(status: number, retryAfterMs: number | undefined, provider: string): FailureOutcome {
  const after = retryAfterMs !== undefined ? { retryAfterMs } : {};
  if (status === 429) return { kind: 'retry', reason: `rate limited by ${provider}`, code: 'http_429', ...after };
  if (status >= 500 || status === 408) {
    return { kind: 'retry', reason: `${provider} answered HTTP ${status}`, code: `http_${status}`, ...after, maybeDelivered: true };
  }
  return { kind: 'failed', reason: `${provider} rejected the request with HTTP ${status}`, code: `http_${status}` };
}

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_INVALID_URL']);

/** Connection failures and timeouts: always retried; `maybeDelivered` unless the request provably never left. */
export function networkErrorOutcome(err: unknown, provider: string): FailureOutcome {
  const e = err as { name?: unknown; code?: unknown; message?: unknown; cause?: { code?: unknown } } | null | undefined;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  // The Slack SDK re-wraps errors that fail its `instanceof Error` check (a DOMException from another realm) as
  // `new Error(String(error))`, keeping only the text — so the name is looked for in the message too.
  const timedOut =
    e?.name === 'TimeoutError' || e?.name === 'AbortError' || /^(TimeoutError|AbortError)\b/.test(message) ||
    code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT';
  if (timedOut) {
    return { kind: 'retry', reason: `${provider} did not answer in time`, code: 'timeout', maybeDelivered: true };
  }
  return {
    kind: 'retry',
    reason: `could not reach ${provider}: ${message}`,
    code: code ?? 'network_error',
    maybeDelivered: code === undefined || !NOT_SENT_CODES.has(code),
  };
}

/** `Retry-After` is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
