import { createTransport, type Transporter } from 'nodemailer';
import { silentLogger, type ChannelLogger, type DeliveryOutcome, type EmailChannel, type EmailMessage } from './channel';

export interface SmtpEmailChannelOptions {
  /** `SMTP_URL`: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465` (TLS from the start). */
  url: string;
  /** `EMAIL_FROM`: `Closeloop <closeloop@example.com>`. */
  from: string;
  /** Connect, greeting and socket timeouts: a hung server never blocks a delivery longer than this. */
  timeoutMs?: number;
  logger?: ChannelLogger;
}

/** The parts of `SMTP_URL` nodemailer needs; credentials are URL-decoded. Throws on anything but smtp/smtps. */
export function parseSmtpUrl(url: string): { host: string; port: number; secure: boolean; auth?: { user: string; pass: string } } {
  const u = new URL(url);
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new Error(`must be an smtp:// or smtps:// URL, got "${u.protocol}"`);
  if (!u.hostname) throw new Error('has no host');
  const secure = u.protocol === 'smtps:';
  const user = decodeURIComponent(u.username);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    ...(user ? { auth: { user, pass: decodeURIComponent(u.password) } } : {}),
  };
}

/** SMTP commands after which the server may already hold the message: a failure then is ambiguous. */
const BEFORE_DATA = new Set(['CONN', 'GREETING', 'EHLO', 'HELO', 'LHLO', 'STARTTLS', 'AUTH PLAIN', 'AUTH LOGIN', 'AUTH XOAUTH2', 'AUTH CRAM-MD5', 'MAIL FROM', 'RCPT TO']);

/**
 * A nodemailer error → what the delivery worker does next. An SMTP reply code decides when there is one
 * (RFC 5321 §4.2.1: 4yz = try again later, 5yz = permanent); without one it is the connection: refused or reset
 * before DATA → not sent, retried; a reset during or after DATA, or any timeout → maybe sent.
 */
export function smtpErrorOutcome(err: unknown): Exclude<DeliveryOutcome, { kind: 'sent' }> {
  const e = (err ?? {}) as { code?: unknown; responseCode?: unknown; command?: unknown; message?: unknown };
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const command = typeof e.command === 'string' ? e.command.toUpperCase() : undefined;
  if (code === 'EAUTH') return { kind: 'failed', reason: 'the mail server refused the SMTP_URL credentials', code: 'smtp_auth' };
  if (responseCode !== undefined && responseCode >= 500) {
    return { kind: 'failed', reason: `the mail server refused the message (${responseCode})`, code: `smtp_${responseCode}` };
  }
  if (responseCode !== undefined && responseCode >= 400) {
    return { kind: 'retry', reason: `the mail server asked to try again later (${responseCode})`, code: `smtp_${responseCode}`, maybeDelivered: false };
  }
  const beforeData = command !== undefined && BEFORE_DATA.has(command);
  // nodemailer names every socket timeout `CONN`, wherever the conversation was: a timeout may be after DATA
  if (code === 'ETIMEDOUT') return { kind: 'retry', reason: 'the mail server did not answer in time', code: 'timeout', maybeDelivered: true };
  if (code === 'ECONNECTION' || code === 'ESOCKET' || code === 'EDNS' || code === 'ETLS' || code === 'EPROTOCOL') {
    return { kind: 'retry', reason: 'could not reach the mail server', code: code.toLowerCase(), maybeDelivered: !beforeData };
  }
  if (code === 'EENVELOPE' || code === 'EMESSAGE') return { kind: 'failed', reason: 'the message could not be built or addressed', code: code.toLowerCase() };
  return { kind: 'retry', reason: 'sending the email failed', code: code?.toLowerCase() ?? 'smtp_error', maybeDelivered: true };
}

/** Email through SMTP (nodemailer). One transport; no pooling: alert email is a trickle, and each send stands alone. */
export class SmtpEmailChannel implements EmailChannel {
  readonly provider = 'smtp' as const;
  private readonly transport: Transporter;
  private readonly log: ChannelLogger;

  constructor(private readonly options: SmtpEmailChannelOptions) {
    this.log = options.logger ?? silentLogger;
    const timeout = options.timeoutMs ?? 10_000;
    this.transport = createTransport({ ...parseSmtpUrl(options.url), connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout, disableFileAccess: true, disableUrlAccess: true });
  }

  async sendEmail(email: EmailMessage): Promise<DeliveryOutcome> {
    let outcome: DeliveryOutcome;
    try {
      const info = await this.transport.sendMail({
        from: this.options.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        messageId: email.messageId,
        ...(email.inReplyTo ? { inReplyTo: email.inReplyTo, references: [email.inReplyTo] } : {}),
        ...(email.headers ? { headers: email.headers } : {}),
      });
      outcome = { kind: 'sent', providerId: String(info.messageId ?? email.messageId), status: 'sent' };
    } catch (err) {
      outcome = smtpErrorOutcome(err);
    }
    // never the body or the subject: they carry the customer's words
    const fields = { provider: 'smtp', messageId: email.messageId, recipients: email.to.length, ...outcome };
    if (outcome.kind === 'sent') this.log.debug(fields, 'email sent');
    else if (outcome.kind === 'retry') this.log.warn(fields, 'email failed, will be retried');
    else this.log.error(fields, 'email failed permanently');
    return outcome;
  }
}
