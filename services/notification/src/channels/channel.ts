import type { Block, KnownBlock, View } from '@slack/web-api';

/**
 * What one attempt to hand a message to a provider ended in. The delivery worker decides what to do next:
 * `sent` is recorded, `retry` is rescheduled (not before `retryAfterMs` when given), `failed` is permanent —
 * retrying would send the same request and get the same answer, so it is never retried.
 */
export type DeliveryOutcome =
  | { kind: 'sent'; providerId: string; channel?: string; ts?: string; status?: DeliveryStatus }
  | {
      kind: 'retry';
      reason: string;
      code?: string;
      retryAfterMs?: number;
      /** The request may have reached the provider (timeout, 5xx, reset). Slack has no idempotency key, so reconcile before re-posting. */
      maybeDelivered?: boolean;
    }
  | { kind: 'failed'; reason: string; code?: string };

export type SentOutcome = Extract<DeliveryOutcome, { kind: 'sent' }>;

/** Slack-shaped chat port: one top-level alert per ticket, updated in place, with thread replies. */
export interface ChatChannel {
  readonly provider: 'slack' | 'log';
  postMessage(message: ChatMessage): Promise<DeliveryOutcome>;
  update(message: ChatMessageUpdate): Promise<DeliveryOutcome>;
  openView(request: OpenViewRequest): Promise<DeliveryOutcome>;
  /** Answers an interaction through its `response_url` (no token needed, up to 5 uses in 30 minutes). */
  respond(responseUrl: string, body: ResponseUrlBody): Promise<DeliveryOutcome>;
  /**
   * Looks in a channel's history for a top-level message this app posted with the given metadata. Slack has no
   * idempotency key: after an ambiguous `postMessage` (timeout, 5xx) this tells whether the post landed.
   */
  findPostedMessage(query: FindMessageQuery): Promise<FindMessageOutcome>;
}

export interface FindMessageQuery {
  channel: string;
  /** `metadata.event_type` the message was posted with. */
  eventType: string;
  /** Every key/value here must equal the message's `metadata.event_payload`. */
  payload: Record<string, string>;
  /** Slack `ts` (Unix seconds); only messages after it are looked at. */
  oldest?: string;
  /** Search this thread (the parent's `ts`) instead of the channel's top-level history. */
  threadTs?: string;
}

export type FindMessageOutcome = { kind: 'found'; ts: string } | { kind: 'not_found' } | Exclude<DeliveryOutcome, { kind: 'sent' }>;

export type ChatBlock = KnownBlock | Block;

export interface ChatMessage {
  channel: string;
  /** Fallback text for notifications and screen readers; keep it ≤ 4,000 chars. */
  text: string;
  blocks?: ChatBlock[];
  /** Parent message `ts`: posts the message as a thread reply. */
  threadTs?: string;
  /** Slack message metadata; lets a worker find a message it may have posted before a timeout. */
  metadata?: { eventType: string; payload: Record<string, unknown> };
}

export interface ChatMessageUpdate {
  channel: string;
  ts: string;
  text: string;
  blocks?: ChatBlock[];
}

export interface OpenViewRequest {
  triggerId: string;
  view: View;
}

export interface ResponseUrlBody {
  text?: string;
  blocks?: ChatBlock[];
  response_type?: 'ephemeral' | 'in_channel';
  replace_original?: boolean;
  delete_original?: boolean;
  thread_ts?: string;
}

/**
 * Email port (SMTP). SMTP has no idempotency key and nothing to search afterwards: a message whose outcome was
 * ambiguous is sent again with the same `Message-ID`, which mail clients show once (ADR 0015).
 */
export interface EmailChannel {
  readonly provider: 'smtp' | 'log';
  sendEmail(email: EmailMessage): Promise<DeliveryOutcome>;
}

export interface EmailMessage {
  to: string[];
  subject: string;
  /** Plain text (ADR 0014). */
  text: string;
  /** `<local@domain>`: the same for every attempt of one delivery. */
  messageId: string;
  /** The thread's first message, for replies (`In-Reply-To` and `References`). */
  inReplyTo?: string;
  headers?: Record<string, string>;
}

/** SMS port. */
export interface SmsChannel {
  readonly provider: 'twilio' | 'log';
  send(sms: SmsMessage): Promise<DeliveryOutcome>;
  /**
   * Messages this account sent to `to` with exactly `body` since `since`, newest first. Twilio has no idempotency
   * key: after an attempt that may have gone out (its result could not be recorded), this tells whether it did.
   */
  findSent(query: FindSmsQuery): Promise<FindSmsOutcome>;
  /**
   * Deletes a message's record from the provider (SPEC §13 erasure): `deleted`, or `not_found` when the provider
   * has no such record (never existed, or already deleted: a repeated erasure is harmless).
   */
  deleteMessage(providerId: string): Promise<DeleteSmsOutcome>;
}

export type DeleteSmsOutcome = { kind: 'deleted' } | { kind: 'not_found' } | Exclude<DeliveryOutcome, { kind: 'sent' }>;

export interface FindSmsQuery {
  to: string;
  body: string;
  since: Date;
}

export type FindSmsOutcome =
  | { kind: 'found'; messages: { providerId: string; status?: DeliveryStatus }[] }
  | { kind: 'not_found' }
  | Exclude<DeliveryOutcome, { kind: 'sent' }>;

export interface SmsMessage {
  /** E.164 number. */
  to: string;
  body: string;
  /** Absolute URL Twilio posts status callbacks to; must be exactly the URL later used to verify their signature. */
  statusCallback?: string;
}

/**
 * Our own delivery status, provider-independent. Ranked so that late, out-of-order status callbacks never move a
 * delivery backwards (Twilio may report `sent` after `delivered`).
 */
export const DELIVERY_STATUSES = ['pending', 'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'canceled', 'read'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const STATUS_RANK: Record<DeliveryStatus, number> = {
  pending: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  canceled: 4,
  read: 5,
};

/** Statuses nothing can follow. `delivered` is not final: `read` may still come. */
const FINAL: ReadonlySet<DeliveryStatus> = new Set<DeliveryStatus>(['undelivered', 'failed', 'canceled', 'read']);

export function deliveryStatusRank(status: DeliveryStatus): number {
  return STATUS_RANK[status];
}

export function isFinalDeliveryStatus(status: DeliveryStatus): boolean {
  return FINAL.has(status);
}

/** The status to keep when `incoming` arrives while the delivery is at `current`: only ever forward. */
export function nextDeliveryStatus(current: DeliveryStatus, incoming: DeliveryStatus | undefined): DeliveryStatus {
  if (incoming === undefined || FINAL.has(current)) return current;
  return STATUS_RANK[incoming] > STATUS_RANK[current] ? incoming : current;
}

/** Structural subset of a pino logger, so adapters can be given a child logger or a test double. */
export interface ChannelLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: ChannelLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/** Nest injection tokens for the ports. */
export const CHAT_CHANNEL = Symbol('CHAT_CHANNEL');
export const SMS_CHANNEL = Symbol('SMS_CHANNEL');
export const EMAIL_CHANNEL = Symbol('EMAIL_CHANNEL');
