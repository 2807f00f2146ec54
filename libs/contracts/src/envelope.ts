import 'reflect-metadata';
import { createHash, randomUUID } from 'node:crypto';
import { IsInt, IsISO8601, IsNotEmpty, IsObject, IsString, IsUUID, Min } from 'class-validator';
import { Topic } from './topics';
import { FeedbackReceivedData, FeedbackScoredData } from './events/feedback';
import {
  CONSENT_COMMAND_TYPES, CommandRejectedData, ConsentCommandType, CustomerOptOutData, CustomerReplyData, TICKET_COMMAND_TYPES, TICKET_EVENT_TYPES, TicketChangeType, TicketCommandData, TicketCommandType, TicketEscalatedData, TicketEventData,
} from './events/ticket';
import { DeliveryEventData } from './events/notification';
import { TeamDigestData } from './events/digest';
import { ErasureProgressData, ErasureRequestedData } from './events/privacy';
import { TREND_EVENT_TYPES, TrendEventData, TrendEventType } from './events/trend';
import { passesCompiled } from './compiled-validation';
import { FieldError, validatePlain } from './validation';

/** The JSON envelope of every Kafka message (SPEC §8). */
export interface Envelope<TType extends string = string, TData = unknown> {
  eventId: string;
  type: TType;
  version: number;
  occurredAt: string;
  producer: string;
  data: TData;
}

class EnvelopeDto {
  @IsUUID('all', { message: 'must be a UUID' }) eventId: string;
  @IsString() @IsNotEmpty() type: string;
  @IsInt() @Min(1) version: number;
  @IsISO8601({ strict: true }) occurredAt: string;
  @IsString() @IsNotEmpty() producer: string;
  @IsObject() data: Record<string, unknown>;
}

type DataClass = new () => object;

/** Which event types may appear on which topic, with the schema of their `data` (version 1). */
export const TOPIC_SCHEMAS: Record<Topic, Record<string, DataClass>> = {
  [Topic.FeedbackReceived]: { 'feedback.received': FeedbackReceivedData },
  [Topic.FeedbackScored]: { 'feedback.scored': FeedbackScoredData },
  [Topic.TicketEvents]: Object.fromEntries(TICKET_EVENT_TYPES.map((t) => [
    t, t === 'ticket.command_rejected' ? CommandRejectedData : t === 'ticket.escalated' ? TicketEscalatedData : TicketEventData,
  ])),
  [Topic.TicketCommands]: {
    ...Object.fromEntries(TICKET_COMMAND_TYPES.map((t) => [t, TicketCommandData])),
    ...Object.fromEntries(CONSENT_COMMAND_TYPES.map((t) => [t, CustomerOptOutData])),
    'ticket.customer_replied': CustomerReplyData,
  },
  [Topic.NotificationEvents]: { 'notification.delivery': DeliveryEventData },
  [Topic.TrendEvents]: Object.fromEntries(TREND_EVENT_TYPES.map((t) => [t, TrendEventData])),
  [Topic.TeamDigests]: { 'team.digest': TeamDigestData },
  [Topic.PrivacyEvents]: { 'customer.erasure_requested': ErasureRequestedData, 'customer.erasure_progress': ErasureProgressData },
};

/** Typed envelopes per topic. */
export type FeedbackReceivedEvent = Envelope<'feedback.received', FeedbackReceivedData>;
export type FeedbackScoredEvent = Envelope<'feedback.scored', FeedbackScoredData>;
/** A change of a ticket (with its snapshot), or a refused command (with a snapshot only when the ticket exists). */
export type TicketChangeEvent = Envelope<TicketChangeType, TicketEventData>;
export type CommandRejectedEvent = Envelope<'ticket.command_rejected', CommandRejectedData>;
export type TicketEvent = TicketChangeEvent | CommandRejectedEvent;
export type TicketCommand = Envelope<TicketCommandType, TicketCommandData>;
export type ConsentCommand = Envelope<ConsentCommandType, CustomerOptOutData>;
export type CustomerReplyCommand = Envelope<'ticket.customer_replied', CustomerReplyData>;
export type DeliveryEvent = Envelope<'notification.delivery', DeliveryEventData>;
export type TrendEvent = Envelope<TrendEventType, TrendEventData>;
export type TeamDigestEvent = Envelope<'team.digest', TeamDigestData>;
export type ErasureRequestedEvent = Envelope<'customer.erasure_requested', ErasureRequestedData>;
export type ErasureProgressEvent = Envelope<'customer.erasure_progress', ErasureProgressData>;

export interface TopicEvents {
  [Topic.FeedbackReceived]: FeedbackReceivedEvent;
  [Topic.FeedbackScored]: FeedbackScoredEvent;
  [Topic.TicketEvents]: TicketEvent;
  [Topic.TicketCommands]: TicketCommand | ConsentCommand | CustomerReplyCommand;
  [Topic.NotificationEvents]: DeliveryEvent;
  [Topic.TrendEvents]: TrendEvent;
  [Topic.TeamDigests]: TeamDigestEvent;
  [Topic.PrivacyEvents]: ErasureRequestedEvent | ErasureProgressEvent;
}

export type EventValidation<E> = { ok: true; event: E } | { ok: false; errors: FieldError[] };

/**
 * Validates a decoded message against its topic's schema: the envelope, a known `type` for that topic,
 * and `data` against the type's class. Used by producers before sending and consumers before handling.
 * The compiled rules decide a valid event (compiled-validation.ts: no reflection per message); anything they do
 * not accept is validated again by class-validator, which decides and names the errors.
 */
export function validateEvent<T extends Topic>(topic: T, raw: unknown): EventValidation<TopicEvents[T]> {
  return passesCompiledEvent(topic, raw) ? { ok: true, event: raw as TopicEvents[T] } : validateEventByClassValidator(topic, raw);
}

/** Whether the compiled rules accept the event (true means class-validator would too; false decides nothing). */
export function passesCompiledEvent(topic: Topic, raw: unknown): boolean {
  const schemas = TOPIC_SCHEMAS[topic];
  const e = raw as Envelope | null;
  return schemas !== undefined && passesCompiled(EnvelopeDto, e) && e?.version === 1 && Object.hasOwn(schemas, e.type) &&
    passesCompiled(schemas[e.type], e.data, { reservedChecked: true });
}

/** `validateEvent` by class-validator alone: what the compiled rules are held to (their test, the bench). */
export function validateEventByClassValidator<T extends Topic>(topic: T, raw: unknown): EventValidation<TopicEvents[T]> {
  const schemas = TOPIC_SCHEMAS[topic];
  if (!schemas) return { ok: false, errors: [{ field: '(topic)', message: `unknown topic ${topic}` }] };
  const env = validatePlain(EnvelopeDto, raw, { compiled: false });
  if (!env.ok) return env;
  const e = raw as Envelope;
  const cls = schemas[e.type];
  if (!cls) {
    return { ok: false, errors: [{ field: 'type', message: `"${e.type}" is not an event type of ${topic} (expected ${Object.keys(schemas).join(', ')})` }] };
  }
  if (e.version !== 1) return { ok: false, errors: [{ field: 'version', message: `version ${e.version} of ${e.type} is not supported (expected 1)` }] };
  const data = validatePlain(cls, e.data, { prefix: 'data', compiled: false });
  if (!data.ok) return data;
  return { ok: true, event: raw as TopicEvents[T] };
}

/** The ticket an event is about: its snapshot's id, or for a refused command on an unknown ticket the id the command named. */
export function ticketIdOf(event: TicketEvent): string {
  return event.data.ticket?.id ?? (event.type === 'ticket.command_rejected' ? (event.data.ticketId ?? '') : '');
}

/** Parses a Kafka message value (Buffer or string) and validates it; a malformed JSON body is a validation error. */
export function decodeEvent<T extends Topic>(topic: T, value: Buffer | string | null | undefined): EventValidation<TopicEvents[T]> {
  if (value === null || value === undefined) return { ok: false, errors: [{ field: '(value)', message: 'empty message' }] };
  let raw: unknown;
  try {
    raw = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (err) {
    return { ok: false, errors: [{ field: '(value)', message: `not JSON: ${(err as Error).message}` }] };
  }
  return validateEvent(topic, raw);
}

export function makeEnvelope<TType extends string, TData>(
  type: TType,
  data: TData,
  producer: string,
  opts: { eventId?: string; occurredAt?: Date | string } = {},
): Envelope<TType, TData> {
  const occurredAt = opts.occurredAt instanceof Date ? opts.occurredAt.toISOString() : (opts.occurredAt ?? new Date().toISOString());
  return { eventId: opts.eventId ?? randomUUID(), type, version: 1, occurredAt, producer, data };
}

/** A UUID-shaped id that is a pure function of its parts (name-based, SHA-256). */
export function deterministicId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  // version nibble 5-like marker and RFC 4122 variant so it passes UUID validators
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** SPEC §4: the feedback id is derived from (source, externalId), so a resubmission maps to the same id. */
export function feedbackIdFor(source: string, externalId: string): string {
  return deterministicId('feedback', source, externalId);
}

/**
 * The eventId of `feedback.received` for one revision of a feedback (SPEC §10). Revision 1 keeps eventId = feedbackId,
 * as before revisions existed (inboxes that saw those events stay right); revision n > 1 gets its own id, a pure
 * function of (feedbackId, n): a resend of the same revision is the same event, a new revision is a new one.
 */
export function feedbackReceivedEventId(feedbackId: string, revision: number): string {
  return revision <= 1 ? feedbackId : deterministicId('feedback', feedbackId, 'revision', String(revision));
}

/** The eventId of `feedback.scored` for one revision, by the same scheme (revision 1: the id scoring always used). */
export function feedbackScoredEventId(feedbackId: string, revision: number): string {
  return revision <= 1 ? deterministicId('scored', feedbackId) : deterministicId('scored', feedbackId, 'revision', String(revision));
}
