import { makeEnvelope, type DeliveryEvent, type DeliveryStatus } from '@closeloop/contracts';
import { maskEmail } from '@closeloop/platform';
import { maskPhoneNumber } from '../channels';
import type { DeliveryRow, StoredStatus } from '../persistence/notification.repository';
import { SERVICE } from '../config';

/** The statuses other services see; `sending` and `skipped` are this service's own bookkeeping. */
export function publishedStatus(status: StoredStatus): DeliveryStatus | undefined {
  return status === 'sending' || status === 'skipped' ? undefined : status;
}

/** Never a full phone number or a customer's address outside this service: the timeline and the console get masked ones. */
export function publicRecipient(row: Pick<DeliveryRow, 'purpose' | 'recipient'>): string {
  if (row.purpose === 'sms' || row.purpose === 'customer_sms') return maskPhoneNumber(row.recipient);
  return row.purpose === 'customer_email' ? maskEmail(row.recipient) : row.recipient;
}

/** `notification.delivery` for the row's current status (key: ticket id). */
export function deliveryEvent(row: DeliveryRow, status: DeliveryStatus, at: Date = new Date()): DeliveryEvent {
  return makeEnvelope(
    'notification.delivery',
    {
      deliveryId: row.id,
      ticketId: row.ticket_id,
      ticketEventId: row.ticket_event_id,
      channel: row.channel,
      purpose: row.purpose,
      recipient: publicRecipient(row),
      status,
      attempts: row.attempts,
      ...(row.provider_id ? { providerId: row.provider_id } : {}),
      ...(row.last_error && status !== 'sent' && status !== 'delivered' ? { error: row.last_error } : {}),
      ...(row.last_error_code && status !== 'sent' && status !== 'delivered' ? { errorCode: row.last_error_code } : {}),
      at: at.toISOString(),
    },
    SERVICE,
  );
}
