import { ValidateIf } from 'class-validator';
import { Topic } from './topics';

/**
 * Personal data in events (SPEC §13, ADR 0024). Every personal field of an event is encrypted under its customer's
 * data key before it is written to the outbox or sent, and decrypted by the consumer before a handler reads it. This
 * file says which fields those are, per event type, and whose they are; the crypto itself is `@closeloop/platform`'s.
 */

/** An encrypted field: `enc:v1:<keyId>:<base64url(iv ‖ ciphertext ‖ tag)>` (libs/platform/src/privacy). */
export const ENCRYPTED_PREFIX = 'enc:v1:';

export function isEncrypted(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(ENCRYPTED_PREFIX);
}

/**
 * On a personal field of an event schema: its format checks (email, E.164, length) apply to the text, so they are
 * skipped while the field is encrypted (the producer checked the text before encrypting it). It stays a string.
 */
export function Personal(): PropertyDecorator {
  return ValidateIf((_o: object, value: unknown) => !isEncrypted(value));
}

export interface PersonalFields {
  /** Dotted paths to the customer id, first present wins: whose key encrypts the fields. */
  customer: readonly string[];
  /** Dotted paths of the personal string fields (absent ones are skipped). */
  fields: readonly string[];
  /**
   * The fields among them that are a way to reach the customer (email, phone): once erased they read as absent, not
   * as ERASED, so nothing is ever sent to an erased address.
   */
  contacts: readonly string[];
}

const FEEDBACK: PersonalFields = { customer: ['customer.id'], fields: ['comment', 'customer.name', 'customer.email', 'customer.phone'],
  contacts: ['customer.email', 'customer.phone'],
};
const SCORED: PersonalFields = {
  customer: ['feedback.customer.id'],
  fields: ['feedback.comment', 'feedback.customer.name', 'feedback.customer.email', 'feedback.customer.phone'],
  contacts: ['feedback.customer.email', 'feedback.customer.phone'],
};
const TICKET: PersonalFields = {
  customer: ['ticket.customerId', 'message.recipient.customerId'],
  // actor.name: the customer's name when the customer acted (an agent's name is sealed too: the path cannot tell them apart)
  fields: ['ticket.customerName', 'ticket.comment', 'actor.name', 'note', 'reason', 'message.body', 'message.subject', 'message.recipient.phone', 'message.recipient.email'],
  contacts: ['message.recipient.phone', 'message.recipient.email'],
};
const COMMAND: PersonalFields = { customer: ['customerId'], fields: ['note', 'body'], contacts: [] };

/**
 * Which fields of each topic's events are personal. Topics without any (delivery events carry masked recipients
 * only, trends and digests carry counts and ids) map to none.
 */
const BY_TOPIC: Record<Topic, PersonalFields | null> = {
  [Topic.FeedbackReceived]: FEEDBACK,
  [Topic.FeedbackScored]: SCORED,
  [Topic.TicketEvents]: TICKET,
  [Topic.TicketCommands]: COMMAND,
  [Topic.NotificationEvents]: null,
  [Topic.TrendEvents]: null,
  [Topic.TeamDigests]: null,
  [Topic.PrivacyEvents]: null,
};

export function personalFieldsOf(topic: Topic): PersonalFields | null {
  return BY_TOPIC[topic] ?? null;
}
