import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { Topic, deterministicId, makeEnvelope, teamById, teamFor, type CustomerReplyCommand, type RoutingConfig } from '@closeloop/contracts';
import { Outbox } from '@closeloop/messaging';
import { chatTarget } from '../alerts/alert-planner';
import { teamTranslator } from '../alerts/team-language';
import { maskPhoneNumber } from '../channels';
import { SERVICE, slackConfigured, type NotificationConfig } from '../config';
import { DeliveryWorker } from '../delivery/delivery-worker';
import type { HttpResponse, RawRequest } from '../http';
import { NotificationRepository } from '../persistence/notification.repository';
import { escapeMrkdwn } from '../slack/blocks';
import { LOGGER, NOTIFICATION_CONFIG, ROUTING } from '../tokens';
import { verifyTwilioSignature } from '../twilio/signature';
import { optOutCommand } from './customer-consent';
import { EMPTY_TWIML, isOptOut, parseInboundSms, type InboundSms } from './inbound-sms';
import { OutreachRepository } from './outreach.repository';

/**
 * `POST /twilio/inbound` (SPEC §11): Twilio's incoming-message webhook for our number. Signed like `/twilio/status`
 * (against `PUBLIC_BASE_URL + '/twilio/inbound'`, else 403). The message answers the ticket last texted to its number:
 * an opt-out word → `ticket.customer_opt_out`; anything else → `ticket.customer_replied` (tickets' timeline) and a
 * reply in the alert's thread. Ids derive from the MessageSid, so a webhook Twilio retries has its effect once.
 */
@Controller('twilio')
export class TwilioInboundController {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: NotificationRepository,
    private readonly outreach: OutreachRepository,
    private readonly outbox: Outbox,
    private readonly worker: DeliveryWorker,
    @Inject(ROUTING) private readonly routing: RoutingConfig,
    @Inject(NOTIFICATION_CONFIG) private readonly cfg: NotificationConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  @Post('inbound')
  async inbound(@Req() req: RawRequest, @Res() res: HttpResponse): Promise<void> {
    const params = Object.fromEntries(new URLSearchParams(req.rawBody?.toString('utf8') ?? ''));
    const q = req.originalUrl.indexOf('?');
    const check = this.cfg.publicBaseUrl
      ? verifyTwilioSignature({
        authToken: this.cfg.twilio.authToken ?? '', signature: req.headers['x-twilio-signature'],
        url: `${this.cfg.publicBaseUrl}/twilio/inbound${q >= 0 ? req.originalUrl.slice(q) : ''}`, params,
      })
      : ({ ok: false, reason: 'not_configured' } as const);
    if (!check.ok) {
      this.log.warn({ reason: check.reason }, 'twilio inbound message refused: bad signature');
      res.status(403).json({ error: 'invalid_signature' });
      return;
    }
    const sms = parseInboundSms(params);
    if (!sms) {
      res.status(400).json({ error: 'invalid_message', detail: 'MessageSid and an E.164 From are required' });
      return;
    }
    const outcome = await this.ds.transaction((m) => this.record(m, sms));
    if (outcome === 'reply' || outcome === 'opt_out') this.worker.wake();
    // numbers masked, texts never logged: both are the customer's
    this.log.info({ messageSid: sms.providerId, from: maskPhoneNumber(sms.from), outcome }, 'twilio inbound message');
    res.status(200).type('text/xml').send(EMPTY_TWIML);
  }

  private async record(m: EntityManager, sms: InboundSms): Promise<'reply' | 'opt_out' | 'duplicate' | 'unknown_number'> {
    const ticketId = await this.outreach.ticketLastTexted(m, sms.from);
    if (!ticketId) return 'unknown_number';
    await this.outreach.recordInbound(m, sms.providerId, ticketId);
    const optOut = isOptOut(sms.body);
    const eventId = deterministicId('twilio.inbound', sms.providerId);
    // the thread reply row is the marker of "handled": a retried webhook inserts nothing and sends nothing again
    const snapshot = await this.repo.latestSnapshot(m, ticketId);
    const team = snapshot ? (teamById(this.routing, snapshot.team) ?? teamFor(this.routing, snapshot.touchpoint)) : undefined;
    if (team && snapshot) {
      const chat = chatTarget(team, slackConfigured(this.cfg) ? 'slack' : 'log');
      // the team reads what happened in its language; the customer's words are quoted as written
      const i18n = teamTranslator(team);
      const text = optOut ? i18n.t('thread.customerStopped') : `${i18n.t('thread.customerReplied')}\n>${escapeMrkdwn(sms.body).replace(/\n/g, '\n>')}`;
      const inserted = await this.repo.insertDeliveries(m, eventId, 'twilio.inbound', snapshot, [
        { channel: chat.channel, recipient: chat.recipient, purpose: 'thread_reply', status: 'pending', notBefore: new Date(), critical: false, payload: { kind: 'thread_reply', text } },
      ]);
      if (inserted.length === 0) return 'duplicate';
    }
    const at = new Date();
    const command = optOut
      ? optOutCommand(ticketId, 'stop_reply', at, eventId)
      : (makeEnvelope('ticket.customer_replied', {
        ticketId, channel: 'sms', body: sms.body.slice(0, 1_600), providerId: sms.providerId, at: at.toISOString(),
        // whose key encrypts the text (ADR 0024)
        ...(snapshot ? { customerId: snapshot.customerId } : {}),
      }, SERVICE, {
        eventId, occurredAt: at,
      }) as CustomerReplyCommand);
    await this.outbox.add(m, Topic.TicketCommands, ticketId, command);
    return optOut ? 'opt_out' : 'reply';
  }
}
