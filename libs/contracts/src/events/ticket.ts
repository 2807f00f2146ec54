import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayNotEmpty, IsArray, IsBoolean, IsDefined, IsIn, IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, ValidateIf, ValidateNested,
} from 'class-validator';
import { E164, METRICS, Metric, SEVERITIES, Severity, TICKET_STATUSES, TicketStatus } from '../scales';
import { Personal } from '../personal-fields';

/** The state of a ticket after an event: consumers render from it and never need to ask tickets. */
export class TicketSnapshot {
  @IsString() @IsNotEmpty() id: string;
  @IsString() @IsNotEmpty() customerId: string;
  @IsOptional() @Personal() @IsString() customerName?: string;
  @IsString() @IsNotEmpty() touchpoint: string;
  @IsString() @IsNotEmpty() team: string;
  @IsIn(TICKET_STATUSES as TicketStatus[]) status: TicketStatus;
  @IsIn(SEVERITIES as Severity[]) severity: Severity;
  @IsOptional() @IsString() assigneeId?: string;
  @IsOptional() @IsString() assigneeName?: string;
  @IsIn(METRICS as Metric[]) metric: Metric;
  @IsInt() score: number;
  @IsOptional() @Personal() @IsString() comment?: string;
  @IsOptional() @IsString() locale?: string;
  @IsInt() @Min(1) feedbackCount: number;
  @IsISO8601() openedAt: string;
  @IsOptional() @IsISO8601() claimedAt?: string;
  @IsOptional() @IsISO8601() resolvedAt?: string;
  @IsISO8601() firstResponseDue: string;
  @IsISO8601() resolveDue: string;
  @IsOptional() @IsString() rootCause?: string;
  /** Increases with every change; lets a consumer ignore a snapshot older than one it already applied. */
  @IsInt() @Min(1) version: number;
}

export class ActorDto {
  @IsIn(['agent', 'system', 'customer']) kind: 'agent' | 'system' | 'customer';
  @IsOptional() @IsString() id?: string;
  @IsOptional() @IsString() name?: string;
}

export const TICKET_EVENT_TYPES = [
  'ticket.opened',
  'ticket.feedback_attached',
  'ticket.feedback_revised',
  'ticket.claimed',
  'ticket.assigned',
  'ticket.note_added',
  'ticket.resolved',
  'ticket.reopened',
  'ticket.sla_breached',
  'ticket.escalated',
  'ticket.command_rejected',
  'ticket.customer_message_requested',
] as const;
export type TicketEventType = (typeof TICKET_EVENT_TYPES)[number];

/** Why tickets refused a command, for its sender to say in the reader's language; a refusal without one is said in English. */
export const REFUSAL_CODES = ['already_claimed', 'resolved_reopen_first', 'already_resolved', 'not_found', 'forbidden_role', 'forbidden_team'] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export const CUSTOMER_MESSAGE_CHANNELS = ['sms', 'email'] as const;
export type CustomerMessageChannel = (typeof CUSTOMER_MESSAGE_CHANNELS)[number];

/** Where a customer message goes: the contact details tickets held when the agent asked (SPEC §11). */
export class MessageRecipientDto {
  @IsString() @IsNotEmpty() customerId: string;
  @IsOptional() @Personal() @Matches(E164) phone?: string;
  @IsOptional() @Personal() @IsString() email?: string;
}

/**
 * The recheck link a message carries (SPEC §11, ADR 0018): notification records it (by the token's SHA-256, never the
 * token) before it texts the message, so the page answers when the customer taps it.
 */
export class RecheckLinkDto {
  /** the link's id: the answer's `externalId` (one answer per link) */
  @IsUUID('all') id: string;
  /** SHA-256 of the token, lowercase hex; the token itself is only inside the message body */
  @Matches(/^[0-9a-f]{64}$/) tokenHash: string;
  @IsISO8601() expiresAt: string;
  @IsString() @IsNotEmpty() touchpoint: string;
  @IsString() @IsNotEmpty() customerId: string;
  @IsOptional() @IsString() locale?: string;
}

/** `ticket.customer_message_requested`: the message an agent asked to send, as rendered by tickets. */
export class CustomerMessageDto {
  /** one intent, one id: derived from the request's Idempotency-Key when it has one */
  @IsUUID('all') id: string;
  @IsIn(CUSTOMER_MESSAGE_CHANNELS as unknown as string[]) channel: CustomerMessageChannel;
  /** SMS: at most 1,600 characters (tickets refuses more); email: the plain text, at most 10,000 */
  @Personal() @IsString() @IsNotEmpty() @MaxLength(10_000) body: string;
  /** email only */
  @IsOptional() @Personal() @IsString() @MaxLength(500) subject?: string;
  @IsOptional() @IsString() template?: string;
  /** the template entry the text came from (after fallback); the customer's locale for a free text */
  @IsOptional() @IsString() locale?: string;
  @ValidateNested() @Type(() => MessageRecipientDto) recipient: MessageRecipientDto;
  /** the `recheck` template: the link inside `body` (ADR 0018) */
  @IsOptional() @ValidateNested() @Type(() => RecheckLinkDto) recheck?: RecheckLinkDto;
}

/** What any ticket event may say besides the ticket itself. */
class TicketEventFields {
  @ValidateNested() @Type(() => ActorDto) actor: ActorDto;
  /** feedback that opened the ticket or was attached to it (or, for `ticket.feedback_revised`, was revised) */
  @IsOptional() @IsString() feedbackId?: string;
  /** for `ticket.feedback_revised`: the revision of that feedback the ticket now shows (SPEC §10) */
  @IsOptional() @IsInt() @Min(2) revision?: number;
  @IsOptional() @Personal() @IsString() @MaxLength(10_000) note?: string;
  @IsOptional() @Personal() @IsString() @MaxLength(2_000) reason?: string;
  @IsOptional() @IsIn(['firstResponse', 'resolve']) breach?: 'firstResponse' | 'resolve';
  @IsOptional() @IsIn(SEVERITIES as Severity[]) previousSeverity?: Severity;
  @IsOptional() @IsBoolean() customerContacted?: boolean;
  /** for `ticket.assigned` (SPEC §12): who had it before (absent: nobody); the new assignee is the snapshot's */
  @IsOptional() @IsString() previousAssigneeId?: string;
  /** for `ticket.command_rejected`: the command and where to tell its sender */
  @IsOptional() @IsString() commandId?: string;
  /** for `ticket.command_rejected`: why, as a code its sender can say in the reader's language (SPEC §14); `reason` is the English text */
  @IsOptional() @IsIn(REFUSAL_CODES as unknown as string[]) reasonCode?: RefusalCode;
  @IsOptional() @IsString() responseUrl?: string;
  @IsOptional() @IsInt() statusCode?: number;
  /** for `ticket.customer_message_requested` */
  @IsOptional() @ValidateNested() @Type(() => CustomerMessageDto) message?: CustomerMessageDto;
}

/** cx.ticket.events.v1 — every `ticket.*` event but `ticket.command_rejected` carries the ticket after the change. */
export class TicketEventData extends TicketEventFields {
  @IsDefined() @ValidateNested() @Type(() => TicketSnapshot) ticket: TicketSnapshot;
}

export const ESCALATION_NOTIFY = ['oncall-sms', 'lead-sms', 'lead-email', 'channel-mention'] as const;

/** One step of the team's escalation chain that fell due while nobody had claimed the ticket (SPEC §12). */
export class EscalationDto {
  /** 1-based position in the team's chain */
  @IsInt() @Min(1) step: number;
  /** how many steps the chain has */
  @IsInt() @Min(1) of: number;
  /** the step's `after` as written (ISO-8601), counted from `from` */
  @IsString() @IsNotEmpty() after: string;
  /** the opening, or the reopening, of the ticket */
  @IsISO8601() from: string;
  @IsArray() @ArrayNotEmpty() @IsIn(ESCALATION_NOTIFY as unknown as string[], { each: true }) notify: (typeof ESCALATION_NOTIFY)[number][];
}

/** `ticket.escalated`: the ticket after the step (a change: new version) and which step it was. */
export class TicketEscalatedData extends TicketEventData {
  @IsDefined() @ValidateNested() @Type(() => EscalationDto) escalation: EscalationDto;
}

/**
 * `ticket.command_rejected`: a command tickets could not apply. It names the ticket the command named
 * (`ticketId`) and carries its snapshot only when that ticket exists — a command for an unknown ticket has none.
 */
export class CommandRejectedData extends TicketEventFields {
  @IsOptional() @ValidateNested() @Type(() => TicketSnapshot) ticket?: TicketSnapshot;
  /** Required when there is no `ticket` (absent or null: the id the command named). */
  @ValidateIf((o: CommandRejectedData) => o.ticket == null || o.ticketId !== undefined) @IsString() @IsNotEmpty() ticketId?: string;
}

export type TicketChangeType = Exclude<TicketEventType, 'ticket.command_rejected'>;

export const TICKET_COMMAND_TYPES = ['ticket.claim', 'ticket.resolve', 'ticket.assign', 'ticket.message_customer'] as const;
export type TicketCommandType = (typeof TICKET_COMMAND_TYPES)[number];

/** cx.ticket.commands.v1 — what an agent asked for outside the tickets API (e.g. a Slack button). */
export class TicketCommandData {
  @IsString() @IsNotEmpty() ticketId: string;
  @IsString() @IsNotEmpty() agentId: string;
  @IsIn(['slack', 'console', 'api']) via: 'slack' | 'console' | 'api';
  @IsOptional() @IsString() rootCause?: string;
  @IsOptional() @Personal() @IsString() @MaxLength(10_000) note?: string;
  @IsOptional() @IsBoolean() customerContacted?: boolean;
  /** `ticket.resolve`: send the `recheck` template after the team's recheckAfter (SPEC §11) */
  @IsOptional() @IsBoolean() recheck?: boolean;
  @IsOptional() @IsString() responseUrl?: string;
  /** `ticket.assign` (SPEC §12, the Slack **Assign** menu): the agent to assign; `agentId` is who asked */
  @IsOptional() @IsString() @MaxLength(200) assigneeId?: string;
  /** `ticket.message_customer` (SPEC §11, the Slack **Message customer** modal): a template or a text, as the API takes them. */
  @IsOptional() @IsIn(CUSTOMER_MESSAGE_CHANNELS as unknown as string[]) channel?: CustomerMessageChannel;
  @IsOptional() @IsString() @MaxLength(100) template?: string;
  @IsOptional() @Personal() @IsString() @MaxLength(1_600) body?: string;
  /** the ticket's customer, when the sender knows it: whose key encrypts `note` and `body` (SPEC §13) */
  @IsOptional() @IsString() @IsNotEmpty() customerId?: string;
}

/** Consent (SPEC §11): commands that record what the customer said about being contacted, not an agent's action. */
export const CONSENT_COMMAND_TYPES = ['ticket.customer_opt_out'] as const;
export type ConsentCommandType = (typeof CONSENT_COMMAND_TYPES)[number];

/**
 * `ticket.customer_opt_out` on cx.ticket.commands.v1: the customer of `ticketId` opted out of `channel` (Twilio 21610
 * on a send, or a STOP reply). Tickets records it for the customer; nothing is sent on that channel again.
 */
export class CustomerOptOutData {
  @IsString() @IsNotEmpty() ticketId: string;
  @IsIn(CUSTOMER_MESSAGE_CHANNELS as unknown as string[]) channel: CustomerMessageChannel;
  @IsIn(['provider_unsubscribed', 'stop_reply', 'unsubscribe_link']) reason: 'provider_unsubscribed' | 'stop_reply' | 'unsubscribe_link';
  /** the delivery that learned it (Twilio 21610), when one did */
  @IsOptional() @IsString() deliveryId?: string;
  @IsISO8601() at: string;
}

/**
 * `ticket.customer_replied` on cx.ticket.commands.v1: the customer answered our SMS (Twilio inbound webhook) with
 * something else than an opt-out word; tickets adds it to the timeline of `ticketId` (the ticket last texted to them).
 */
export class CustomerReplyData {
  @IsString() @IsNotEmpty() ticketId: string;
  @IsIn(['sms']) channel: 'sms';
  @Personal() @IsString() @MaxLength(1_600) body: string;
  /** the ticket's customer (the sender of the SMS): whose key encrypts `body` (SPEC §13) */
  @IsOptional() @IsString() @IsNotEmpty() customerId?: string;
  /** Twilio's MessageSid of the inbound message */
  @IsString() @IsNotEmpty() providerId: string;
  @IsISO8601() at: string;
}
