import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { CONSENT_COMMAND_TYPES, ConsentCommand, CustomerReplyCommand, DeliveryEvent, FeedbackScoredEvent, TicketCommand, Topic } from '@closeloop/contracts';
import { Inbox } from '@closeloop/messaging';
import { Privacy } from '@closeloop/platform';
import { summaries } from '../domain/timeline';
import { ContactRepository } from '../messages/contact.repository';
import { CustomerMessageService } from '../messages/customer-message.service';
import { TicketRepository } from '../persistence/ticket.repository';
import { TicketsConfig } from '../config';
import { LOGGER, TICKETS_CONFIG } from '../tokens';
import { TicketService, isTicketId } from './ticket.service';
import { newTx } from './tx';

/** Inbox consumer names: one per topic, so each topic's redeliveries are deduplicated on their own. */
export const CONSUMER = {
  scored: 'tickets.feedback-scored',
  commands: 'tickets.commands',
} as const;

/**
 * The three topics tickets consumes (group `tickets`). Every handler is idempotent: the inbox (by eventId)
 * for the ones that change tickets, the timeline's primary key for deliveries.
 */
@Controller()
export class TicketConsumers {
  constructor(
    private readonly ds: DataSource,
    private readonly inbox: Inbox,
    private readonly tickets: TicketService,
    private readonly repo: TicketRepository,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(TICKETS_CONFIG) private readonly cfg: TicketsConfig,
    private readonly contacts: ContactRepository,
    private readonly customerMessages: CustomerMessageService,
    private readonly privacy: Privacy,
  ) {}

  /** CONSOLE_URL, for a clickable link in the log line of each opened or attached ticket. */
  private get consoleUrl(): string | undefined {
    return this.cfg.consoleUrl;
  }

  @EventPattern(Topic.FeedbackScored, { inbox: CONSUMER.scored })
  async onFeedbackScored(@Payload() scored: FeedbackScoredEvent): Promise<void> {
    let tx: ReturnType<typeof newTx> | undefined;
    const ran = await this.inbox.processOnce(this.ds, CONSUMER.scored, scored.eventId, async (m) => {
      // personal fields opened in the handler's (batch's) transaction: ADR 0024
      const event = await this.privacy.open(Topic.FeedbackScored, scored, m);
      tx = newTx(m);
      // how to reach the customer (SPEC §11), from every feedback: personal data, never logged
      await this.contacts.remember(m, event.data.feedback.customer, event.data.feedback.respondedAt);
      const outcome = await this.tickets.onFeedbackScored(tx, event.data);
      if (outcome.kind === 'opened' || outcome.kind === 'attached' || outcome.kind === 'revised') {
        const t = outcome.ticket;
        const url = this.consoleUrl ? `${this.consoleUrl.replace(/\/$/, '')}/tickets/${t.id}` : undefined;
        tx.afterCommit(() => this.logger.info({ ticketId: t.id, feedbackId: event.data.feedbackId, severity: t.severity, team: t.team, url }, `ticket ${outcome.kind}`));
      }
    });
    if (ran) tx?.committed();
  }

  @EventPattern(Topic.TicketCommands, { inbox: CONSUMER.commands })
  async onCommand(@Payload() cmd: TicketCommand | ConsentCommand | CustomerReplyCommand): Promise<void> {
    // a command's `note` and `body` are personal (ADR 0024): each handler opens it in its transaction
    if (cmd.type === 'ticket.customer_replied') return this.onCustomerReply(cmd);
    if (isConsentCommand(cmd)) return this.onConsent(cmd);
    if (cmd.type === 'ticket.message_customer') return this.onMessageCommand(cmd);
    let tx: ReturnType<typeof newTx> | undefined;
    const ran = await this.inbox.processOnce(this.ds, CONSUMER.commands, cmd.eventId, async (m) => {
      tx = newTx(m);
      const r = await this.tickets.applyCommand(tx, await this.privacy.open(Topic.TicketCommands, cmd, m));
      tx.afterCommit(() =>
        r.ok
          ? this.logger.info({ ticketId: cmd.data.ticketId, command: cmd.type, agentId: cmd.data.agentId, changed: r.changed }, 'command applied')
          : this.logger.info({ ticketId: cmd.data.ticketId, command: cmd.type, agentId: cmd.data.agentId, reason: r.refusal.reason }, 'command rejected'),
      );
    });
    if (ran) tx?.committed();
  }

  /** `ticket.message_customer` from Slack: a message to the customer, or a rejection the agent is told about; once per command. */
  private async onMessageCommand(cmd: TicketCommand): Promise<void> {
    let tx: ReturnType<typeof newTx> | undefined;
    let outcome: Awaited<ReturnType<CustomerMessageService['requestFromCommand']>> | undefined;
    const ran = await this.inbox.processOnce(this.ds, CONSUMER.commands, cmd.eventId, async (m) => {
      tx = newTx(m);
      outcome = await this.customerMessages.requestFromCommand(tx, await this.privacy.open(Topic.TicketCommands, cmd, m));
    });
    if (ran) tx?.committed();
    if (outcome?.ok) this.logger.info({ ticketId: cmd.data.ticketId, agentId: cmd.data.agentId, messageId: outcome.message.id }, 'customer message requested from slack');
    else if (outcome) this.logger.info({ ticketId: cmd.data.ticketId, agentId: cmd.data.agentId, status: outcome.refusal.status }, 'customer message from slack rejected');
  }

  /** `ticket.customer_opt_out` from notification (Twilio 21610, a STOP reply): once per command (inbox). */
  private async onConsent(cmd: ConsentCommand): Promise<void> {
    let outcome: string | undefined;
    await this.inbox.processOnce(this.ds, CONSUMER.commands, cmd.eventId, async (m) => {
      outcome = await this.customerMessages.optOut(newTx(m), cmd);
    });
    if (outcome === 'unknown-ticket') this.logger.warn({ ticketId: cmd.data.ticketId, eventId: cmd.eventId }, 'opt-out for an unknown ticket ignored');
    else if (outcome) this.logger.info({ ticketId: cmd.data.ticketId, channel: cmd.data.channel, reason: cmd.data.reason, outcome }, 'customer opt-out recorded');
  }

  /** `ticket.customer_replied` (an inbound SMS): on the ticket's timeline, once per command (inbox). */
  private async onCustomerReply(cmd: CustomerReplyCommand): Promise<void> {
    let known = true;
    await this.inbox.processOnce(this.ds, CONSUMER.commands, cmd.eventId, async (m) => {
      known = await this.customerMessages.reply(newTx(m), await this.privacy.open(Topic.TicketCommands, cmd, m));
    });
    if (!known) this.logger.warn({ ticketId: cmd.data.ticketId, eventId: cmd.eventId }, 'customer reply for an unknown ticket ignored');
  }

  /** A delivery changed status: add it to the ticket's timeline (once per delivery event). */
  @EventPattern(Topic.NotificationEvents)
  async onDelivery(@Payload() event: DeliveryEvent): Promise<void> {
    const d = event.data;
    const known = isTicketId(d.ticketId) && (await this.repo.exists(this.ds.manager, d.ticketId));
    if (!known) {
      // nothing to attach it to (another stack sharing the topic, or a bug upstream); dead-lettering would not help
      this.logger.warn({ ticketId: d.ticketId, deliveryId: d.deliveryId, eventId: event.eventId }, 'delivery event for an unknown ticket ignored');
      return;
    }
    await this.repo.addTimeline(this.ds.manager, {
      id: event.eventId,
      ticketId: d.ticketId,
      at: new Date(d.at),
      kind: 'delivery',
      type: event.type,
      actor: { kind: 'system', id: event.producer },
      summary: summaries.delivery(d),
      data: { ...d },
    });
  }
}

function isConsentCommand(cmd: TicketCommand | ConsentCommand | CustomerReplyCommand): cmd is ConsentCommand {
  return (CONSENT_COMMAND_TYPES as readonly string[]).includes(cmd.type);
}
