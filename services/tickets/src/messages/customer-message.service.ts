import { Inject, Injectable } from '@nestjs/common';
import {
  Agent, AgentRole, ConsentCommand, CustomerMessageDto, CustomerReplyCommand, RoutingConfig, TicketCommand, TicketEventData, Topic, agentById, deterministicId,
  makeEnvelope,
} from '@closeloop/contracts';
import { Outbox } from '@closeloop/messaging';
import { SERVICE } from '../config';
import type { Ticket } from '../domain/ticket';
import { TicketRepository } from '../persistence/ticket.repository';
import { RECHECK_TEMPLATE, newRecheckLink, withoutToken, type RecheckLinkParts } from '../recheck/recheck-rules';
import type { Actor, Summary } from '../domain/timeline';
import { TicketsConfig } from '../config';
import { ROUTING, TICKETS_CONFIG } from '../tokens';
import { TicketService, agentActor, forbiddenOn, isTicketId } from '../tickets/ticket.service';
import { toSnapshot } from '../tickets/ticket-views';
import type { Tx } from '../tickets/tx';
import { ContactRepository } from './contact.repository';
import { MessageRepository, type MessageRequest, type StoredMessage } from './message.repository';
import { composeMessage, messageIdFor, sameRequest, type MessageRefusal } from './message-rules';
import { maskEmail, maskPhoneNumber } from '@closeloop/platform';
import { messageSummaries } from './message-views';

export type MessageOutcome =
  | { ok: true; message: StoredMessage; duplicate: boolean }
  | { ok: false; refusal: MessageRefusal | { status: 404; reason: string } | { status: 422; field: string; reason: string } | { status: 403; reason: string; requiredRoles: AgentRole[] } };

/** The eventId of a message's `ticket.customer_message_requested`: one per message, whatever happens to the request. */
export const messageEventId = (messageId: string) => deterministicId('ticket.customer_message_requested', messageId);

/**
 * Messages from agents to customers (SPEC §11), on the tickets side: the text is rendered here, in the customer's
 * language, and leaves as a `ticket.customer_message_requested` event through the outbox, in the transaction that
 * records the message and its timeline entry; notification sends it. Consent is recorded here too.
 */
@Injectable()
export class CustomerMessageService {
  constructor(
    private readonly tickets: TicketRepository,
    private readonly contacts: ContactRepository,
    private readonly messages: MessageRepository,
    private readonly ticketService: TicketService,
    private readonly outbox: Outbox,
    @Inject(ROUTING) private readonly routing: RoutingConfig,
    @Inject(TICKETS_CONFIG) private readonly cfg: Pick<TicketsConfig, 'publicBaseUrl'>,
  ) {}

  async request(tx: Tx, ticketId: string, agent: Agent, request: MessageRequest, key: string | undefined, now = new Date()): Promise<MessageOutcome> {
    // the row lock serialises two copies of one request (a client retrying before the first answered)
    const ticket = isTicketId(ticketId) ? await this.tickets.find(tx.m, ticketId, { forUpdate: true }) : null;
    if (!ticket) return { ok: false, refusal: { status: 404, reason: `there is no ticket ${ticketId}` } };
    const denied = forbiddenOn(agent, 'tickets.act', ticket);
    if (denied) return { ok: false, refusal: { status: 403, reason: denied.reason, requiredRoles: denied.requiredRoles } };
    const id = messageIdFor(ticket.id, agent.id, key);
    const earlier = key === undefined ? null : await this.messages.find(tx.m, id);
    if (earlier) {
      if (sameRequest(earlier.request, request)) return { ok: true, message: earlier, duplicate: true };
      return { ok: false, refusal: { status: 422, field: 'Idempotency-Key', reason: 'was already used for another message to this ticket' } };
    }
    // the recheck template carries a link of its own (ADR 0018): made here, recorded by notification before it texts
    let link: RecheckLinkParts | undefined;
    if (request.template === RECHECK_TEMPLATE && this.routing.templates[RECHECK_TEMPLATE]) {
      if (!this.cfg.publicBaseUrl) {
        return { ok: false, refusal: { status: 400, field: 'template', reason: 'cannot be sent: tickets has no PUBLIC_BASE_URL to build {{recheckUrl}} with' } };
      }
      link = newRecheckLink(this.cfg.publicBaseUrl, now);
    }
    const contact = await this.contacts.find(tx.m, ticket.customerId);
    const composed = composeMessage({ request, ticket, contact, agentName: agent.name, templates: this.routing.templates, recheckUrl: link?.url });
    if (!composed.ok) return composed;
    const c = composed.message;
    const kept = link ? withoutToken(c.body, link) : c.body;
    const message: StoredMessage = {
      id, ticketId: ticket.id, agentId: agent.id, channel: request.channel, template: c.template ?? null, subject: c.subject ?? null, body: kept,
      locale: c.locale, request, createdAt: now,
    };
    await this.messages.insert(tx.m, message);
    const dto: CustomerMessageDto = {
      id, channel: request.channel, body: c.body, ...(c.subject !== undefined ? { subject: c.subject } : {}), ...(c.template ? { template: c.template } : {}),
      ...(c.locale ? { locale: c.locale } : {}),
      recipient: c.recipient, ...(link ? { recheck: this.recheckDto(link, ticket, c.locale) } : {}),
    };
    await this.record(tx, ticket, agentActor(agent), dto, now, { summary: messageSummaries.requested(agent.name, kept, c.subject), body: kept });
    return { ok: true, message, duplicate: false };
  }

  /** What notification needs to record a link: never the token itself (it is only inside the body). */
  recheckDto(link: RecheckLinkParts, t: Ticket, locale: string | null): NonNullable<CustomerMessageDto['recheck']> {
    return {
      id: link.id, tokenHash: link.tokenHash, expiresAt: link.expiresAt.toISOString(), touchpoint: t.touchpoint, customerId: t.customerId,
      ...(locale ? { locale } : {}),
    };
  }

  /**
   * Not a change of the ticket (same version): an event for notification to send, and a line in the timeline. The
   * timeline keeps `shown.body` (a recheck's without its token); the event carries the text as it is to be sent.
   */
  async record(tx: Tx, t: Ticket, actor: Actor, message: CustomerMessageDto, now: Date, shown: { summary: Summary; body: string }): Promise<void> {
    const data = { ticket: toSnapshot(t, this.ticketService.nameOf), actor, message } as TicketEventData;
    const event = makeEnvelope('ticket.customer_message_requested', data, SERVICE, { eventId: messageEventId(message.id), occurredAt: now });
    await this.tickets.addTimeline(tx.m, {
      id: event.eventId, ticketId: t.id, at: now, kind: 'event', type: event.type, actor,
      summary: shown.summary,
      data: {
        messageId: message.id, channel: message.channel, template: message.template ?? null, locale: message.locale ?? null,
        ...(message.subject !== undefined ? { subject: message.subject } : {}),
        body: shown.body, recipient: message.recipient.email ? maskEmail(message.recipient.email) : maskPhoneNumber(message.recipient.phone ?? ''),
        ...(message.recheck ? { recheckLinkId: message.recheck.id } : {}),
      },
    });
    await this.outbox.add(tx.m, Topic.TicketEvents, t.id, event);
  }

  /**
   * `ticket.message_customer` (the Slack **Message customer** modal): the same request as the API, with the command's
   * eventId as its idempotency key (a redelivered command is the same message). Anything the API would refuse
   * becomes `ticket.command_rejected`, so the agent is told in Slack.
   */
  async requestFromCommand(tx: Tx, cmd: TicketCommand, now = new Date()): Promise<MessageOutcome> {
    const d = cmd.data;
    const agent = agentById(this.routing, d.agentId);
    const refuse = async (outcome: Extract<MessageOutcome, { ok: false }>) => {
      const r = outcome.refusal;
      const ticket = isTicketId(d.ticketId) ? await this.tickets.find(tx.m, d.ticketId) : null;
      const refusal =
        r.status === 404 ? ({ kind: 'not_found', reason: r.reason } as const)
        : r.status === 403 ? ({ kind: 'forbidden', reason: r.reason, requiredRoles: r.requiredRoles } as const)
        : r.status === 409 ? ({ kind: 'conflict', reason: r.reason } as const)
        : ({ kind: 'invalid', field: 'field' in r ? r.field : 'channel', reason: r.reason } as const);
      await this.ticketService.rejectCommand(tx, cmd, refusal, ticket, agent, now);
      return outcome;
    };
    if (!agent) return refuse({ ok: false, refusal: { status: 422, field: 'agentId', reason: `unknown agent "${d.agentId}"` } });
    const request = { channel: d.channel ?? 'sms', ...(d.template !== undefined ? { template: d.template } : {}), ...(d.body !== undefined ? { body: d.body } : {}) };
    const outcome = await this.request(tx, d.ticketId, agent, request, cmd.eventId, now);
    return outcome.ok ? outcome : refuse(outcome);
  }

  /** `ticket.customer_opt_out`: the ticket's customer opted out; recorded for the customer, shown on the ticket. */
  async optOut(tx: Tx, cmd: ConsentCommand): Promise<'recorded' | 'already' | 'unknown-ticket'> {
    const d = cmd.data;
    const ticket = isTicketId(d.ticketId) ? await this.tickets.find(tx.m, d.ticketId) : null;
    if (!ticket) return 'unknown-ticket';
    const at = new Date(d.at);
    const recorded = await this.contacts.optOut(tx.m, ticket.customerId, d.channel, d.reason, at);
    await this.tickets.addTimeline(tx.m, {
      id: cmd.eventId, ticketId: ticket.id, at, kind: 'event', type: 'customer.opted_out', actor: { kind: 'customer', id: ticket.customerId },
      summary: messageSummaries.optedOut(d.channel, d.reason), data: { channel: d.channel, reason: d.reason, deliveryId: d.deliveryId ?? null },
    });
    return recorded ? 'recorded' : 'already';
  }

  /** `ticket.customer_replied`: what the customer texted back joins the ticket's timeline (not a change of the ticket). */
  async reply(tx: Tx, cmd: CustomerReplyCommand): Promise<boolean> {
    const d = cmd.data;
    const ticket = isTicketId(d.ticketId) ? await this.tickets.find(tx.m, d.ticketId) : null;
    if (!ticket) return false;
    await this.tickets.addTimeline(tx.m, {
      id: cmd.eventId, ticketId: ticket.id, at: new Date(d.at), kind: 'event', type: 'customer.replied', actor: { kind: 'customer', id: ticket.customerId },
      summary: messageSummaries.replied(d.body), data: { channel: d.channel, body: d.body, providerId: d.providerId },
    });
    return true;
  }
}
