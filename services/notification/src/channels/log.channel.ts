import { randomUUID } from 'node:crypto';
import type {
  ChannelLogger,
  ChatChannel,
  ChatMessage,
  ChatMessageUpdate,
  DeleteSmsOutcome,
  DeliveryOutcome,
  EmailChannel,
  EmailMessage,
  FindMessageOutcome,
  FindSmsOutcome,
  OpenViewRequest,
  ResponseUrlBody,
  SmsChannel,
  SmsMessage,
} from './channel';
import { maskPhoneNumber, maskPhoneNumbersIn, redactUrl } from './redact';

/**
 * Stands in for Slack and/or Twilio when they are not configured: every alert still goes through the same
 * planning, recording and console path, and shows up in the logs instead. Always succeeds.
 */
export class LogChannel implements ChatChannel, SmsChannel, EmailChannel {
  readonly provider = 'log' as const;
  private seq = 0;

  constructor(private readonly log: ChannelLogger) {}

  async postMessage(message: ChatMessage): Promise<DeliveryOutcome> {
    const ts = this.nextTs();
    const id = `log-${randomUUID()}`;
    this.log.info(
      { channel: 'log', providerId: id, target: message.channel, ts, threadTs: message.threadTs, text: message.text, blocks: message.blocks?.length ?? 0 },
      message.threadTs ? 'chat thread reply (log channel)' : 'chat message (log channel)',
    );
    return { kind: 'sent', providerId: id, channel: message.channel, ts };
  }

  /** An email (no `SMTP_URL`): its envelope and text in the log, like a chat message. */
  async sendEmail(email: EmailMessage): Promise<DeliveryOutcome> {
    this.log.info(
      { channel: 'log', providerId: email.messageId, to: email.to, subject: email.subject, inReplyTo: email.inReplyTo, text: email.text },
      email.inReplyTo ? 'email reply (log channel)' : 'email (log channel)',
    );
    return { kind: 'sent', providerId: email.messageId, status: 'sent' };
  }

  async update(message: ChatMessageUpdate): Promise<DeliveryOutcome> {
    const id = `log-${randomUUID()}`;
    this.log.info({ channel: 'log', providerId: id, target: message.channel, ts: message.ts, text: message.text }, 'chat message updated (log channel)');
    return { kind: 'sent', providerId: id, channel: message.channel, ts: message.ts };
  }

  async openView(request: OpenViewRequest): Promise<DeliveryOutcome> {
    const id = `log-${randomUUID()}`;
    this.log.info({ channel: 'log', viewId: id, callbackId: request.view.callback_id }, 'modal opened (log channel)');
    return { kind: 'sent', providerId: id };
  }

  async respond(responseUrl: string, body: ResponseUrlBody): Promise<DeliveryOutcome> {
    this.log.info({ channel: 'log', responseUrl: redactUrl(responseUrl), text: body.text }, 'interaction response (log channel)');
    return { kind: 'sent', providerId: `log-${randomUUID()}` };
  }

  /** A log "post" never times out, so there is never anything to reconcile. */
  async findPostedMessage(): Promise<FindMessageOutcome> {
    return { kind: 'not_found' };
  }

  /** The log keeps no record to search: a log "SMS" whose result was not recorded is logged again (harmless). */
  async findSent(): Promise<FindSmsOutcome> {
    return { kind: 'not_found' };
  }

  /** A log "SMS" has no record at any provider: nothing to delete. */
  async deleteMessage(): Promise<DeleteSmsOutcome> {
    return { kind: 'not_found' };
  }

  async send(sms: SmsMessage): Promise<DeliveryOutcome> {
    const id = `log-${randomUUID()}`;
    this.log.info(
      { channel: 'log', providerId: id, to: maskPhoneNumber(sms.to), body: maskPhoneNumbersIn(sms.body), statusCallback: sms.statusCallback !== undefined },
      'sms (log channel)',
    );
    return { kind: 'sent', providerId: id, status: 'sent' };
  }

  /** Slack-shaped `ts` ("1700000000.000100"), unique within this process so updates and threads still line up. */
  private nextTs(): string {
    this.seq = (this.seq + 1) % 1_000_000;
    return `${Math.floor(Date.now() / 1000)}.${String(this.seq).padStart(6, '0')}`;
  }
}
