import { Inject, Injectable } from '@nestjs/common';
import { deterministicId, type CustomerMessageDto, type RoutingConfig } from '@closeloop/contracts';
import { SERVICE, TicketsConfig } from '../config';
import type { Actor } from '../domain/timeline';
import { ContactRepository } from '../messages/contact.repository';
import { CustomerMessageService } from '../messages/customer-message.service';
import { composeMessage } from '../messages/message-rules';
import { TicketRepository } from '../persistence/ticket.repository';
import { ROUTING, TICKETS_CONFIG } from '../tokens';
import { TicketService } from '../tickets/ticket.service';
import type { Tx } from '../tickets/tx';
import { RecheckRepository, type RecheckSchedule } from './recheck.repository';
import { RECHECK_TEMPLATE, newRecheckLink, recheckBlocker, recheckSummaries, skipOfRefusal, withoutToken, type RecheckSkip } from './recheck-rules';

const SYSTEM: Actor = { kind: 'system', id: SERVICE };

export type RecheckOutcome = { scheduleId: string; ticketId: string } & ({ sent: true } | { sent: false; reason: RecheckSkip });

/** The message id of a schedule's recheck: one per schedule, whichever attempt commits. */
export const recheckMessageId = (scheduleId: string) => deterministicId('recheck-message', scheduleId);

/**
 * Due rechecks (SPEC §11, ADR 0018): each schedule row is done once, in the transaction that either publishes the
 * recheck message (`ticket.customer_message_requested` with its link, through the outbox) or records on the timeline
 * why none was sent. Rows are locked FOR UPDATE SKIP LOCKED, so instances share the work and never double it.
 */
@Injectable()
export class RecheckService {
  constructor(
    private readonly schedules: RecheckRepository,
    private readonly tickets: TicketRepository,
    private readonly contacts: ContactRepository,
    private readonly messages: CustomerMessageService,
    private readonly ticketService: TicketService,
    @Inject(ROUTING) private readonly routing: RoutingConfig,
    @Inject(TICKETS_CONFIG) private readonly cfg: Pick<TicketsConfig, 'publicBaseUrl'>,
  ) {}

  async sendDue(tx: Tx, now: Date, batch: number): Promise<{ schedules: number; outcomes: RecheckOutcome[] }> {
    const due = await this.schedules.lockDue(tx.m, now, batch);
    const outcomes: RecheckOutcome[] = [];
    for (const s of due) outcomes.push(await this.sendOne(tx, s, now));
    return { schedules: due.length, outcomes };
  }

  private async sendOne(tx: Tx, s: RecheckSchedule, now: Date): Promise<RecheckOutcome> {
    // the ticket's row lock orders us with a reopen happening right now
    const t = await this.tickets.find(tx.m, s.ticketId, { forUpdate: true });
    if (!t) throw new Error(`recheck schedule ${s.id} names ticket ${s.ticketId}, which does not exist`);
    const blocker = recheckBlocker({ status: t.status, resolvedAt: t.resolvedAt, scheduledResolvedAt: s.resolvedAt, publicBaseUrl: this.cfg.publicBaseUrl });
    if (blocker) return this.skip(tx, s, blocker, now);
    const link = newRecheckLink(this.cfg.publicBaseUrl as string, now);
    const contact = await this.contacts.find(tx.m, t.customerId);
    const composed = composeMessage({
      request: { channel: 'sms', template: RECHECK_TEMPLATE }, ticket: t, contact, agentName: this.ticketService.nameOf(s.agentId),
      templates: this.routing.templates, recheckUrl: link.url,
    });
    if (!composed.ok) return this.skip(tx, s, skipOfRefusal(composed.refusal), now, composed.refusal.status === 400 ? composed.refusal.reason : undefined);
    const c = composed.message;
    const dto: CustomerMessageDto = {
      id: recheckMessageId(s.id), channel: 'sms', body: c.body, template: RECHECK_TEMPLATE, ...(c.locale ? { locale: c.locale } : {}),
      recipient: c.recipient, recheck: this.messages.recheckDto(link, t, c.locale),
    };
    await this.messages.record(tx, t, SYSTEM, dto, now, { summary: recheckSummaries.sent(), body: withoutToken(c.body, link) });
    await this.schedules.finish(tx.m, s.id, 'sent', null, now);
    return { scheduleId: s.id, ticketId: t.id, sent: true };
  }

  private async skip(tx: Tx, s: RecheckSchedule, reason: RecheckSkip, now: Date, detail?: string): Promise<RecheckOutcome> {
    await this.tickets.addTimeline(tx.m, {
      id: deterministicId('recheck.skipped', s.id), ticketId: s.ticketId, at: now, kind: 'event', type: 'recheck.skipped', actor: SYSTEM,
      summary: recheckSummaries.skipped(reason, detail), data: { scheduleId: s.id, reason },
    });
    await this.schedules.finish(tx.m, s.id, 'skipped', reason, now);
    return { scheduleId: s.id, ticketId: s.ticketId, sent: false, reason };
  }
}
