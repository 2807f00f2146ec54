import { deliveryStatusRank, type DeliveryStatus } from './channel';

/**
 * Twilio message statuses → our delivery status. `accepted`/`scheduled` are Messaging Service stages before
 * `queued`; inbound statuses (`receiving`, `received`) never describe an outbound alert and map to nothing.
 */
const TWILIO_STATUS: Readonly<Record<string, DeliveryStatus>> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  partially_delivered: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'canceled',
  read: 'read',
};

export function fromTwilioStatus(status: string | null | undefined): DeliveryStatus | undefined {
  return status ? TWILIO_STATUS[status.toLowerCase()] : undefined;
}

export interface TwilioStatusCallback {
  /** `MessageSid`: the `providerId` returned by `send`. */
  providerId: string;
  /** Twilio's own word, kept for the timeline. */
  providerStatus: string;
  /** Ours; undefined for statuses that say nothing about an outbound message. */
  status: DeliveryStatus | undefined;
  /** `ErrorCode` on `failed`/`undelivered` (e.g. 30003, 30005, 30006). */
  errorCode?: string;
}

/** Parses the form fields of a (signature-verified) status callback; undefined when they are not one. */
export function parseTwilioStatusCallback(params: Record<string, unknown>): TwilioStatusCallback | undefined {
  const sid = params['MessageSid'] ?? params['SmsSid'];
  const providerStatus = params['MessageStatus'] ?? params['SmsStatus'];
  if (typeof sid !== 'string' || sid === '' || typeof providerStatus !== 'string' || providerStatus === '') return undefined;
  const errorCode = params['ErrorCode'];
  return {
    providerId: sid,
    providerStatus,
    status: fromTwilioStatus(providerStatus),
    ...(typeof errorCode === 'string' && errorCode !== '' ? { errorCode } : {}),
  };
}

/** Rank of a Twilio status on our scale; -1 for statuses that do not move an outbound delivery. */
export function twilioStatusRank(status: string): number {
  const ours = fromTwilioStatus(status);
  return ours === undefined ? -1 : deliveryStatusRank(ours);
}
