import { AsyncLocalStorage } from 'node:async_hooks';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';
import { silentLogger, type ChannelLogger, type DeleteSmsOutcome, type DeliveryOutcome, type FindSmsOutcome, type FindSmsQuery, type SmsChannel, type SmsMessage } from './channel';
import { parseRetryAfter, twilioErrorOutcome } from './provider-errors';
import { maskPhoneNumber } from './redact';
import { fromTwilioStatus } from './twilio-status';

export const DEFAULT_TWILIO_API_URL = 'https://api.twilio.com';

export interface TwilioSmsChannelOptions {
  /** Must start with `AC` (the SDK refuses anything else). */
  accountSid: string;
  authToken: string;
  /** `TWILIO_FROM_NUMBER`: an E.164 number, or a Messaging Service SID (`MG…`). */
  from: string;
  /** `TWILIO_API_URL`; defaults to Twilio's own. */
  apiUrl?: string;
  timeoutMs?: number;
  logger?: ChannelLogger;
}

/** Per-call scratchpad: the SDK's RestException drops response headers, so Retry-After is captured here. */
interface CallContext {
  retryAfter?: string;
}

/**
 * The Twilio SDK has no base-URL option; its supported extension point is the HTTP client. This one sends requests
 * meant for https://api.twilio.com to `apiUrl` instead and remembers Retry-After for the call in progress.
 */
export class TwilioHttpClient extends twilio.RequestClient {
  constructor(
    private readonly apiUrl: string,
    private readonly calls: AsyncLocalStorage<CallContext>,
    options: RequestClient.RequestClientOptions,
  ) {
    super(options);
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    const base = this.apiUrl.replace(/\/+$/, '');
    const uri = base !== DEFAULT_TWILIO_API_URL && opts.uri.startsWith(`${DEFAULT_TWILIO_API_URL}/`) ? base + opts.uri.slice(DEFAULT_TWILIO_API_URL.length) : opts.uri;
    const res = await super.request<TData>({ ...opts, uri });
    const retryAfter: unknown = res.headers?.['retry-after'];
    const call = this.calls.getStore();
    if (call && typeof retryAfter === 'string') call.retryAfter = retryAfter;
    return res;
  }
}

/**
 * Twilio SMS adapter. The SDK's autoRetry stays off: the delivery worker owns retries, so a 429 comes back as
 * `retry` with the provider's Retry-After.
 */
export class TwilioSmsChannel implements SmsChannel {
  readonly provider = 'twilio' as const;
  private readonly client: twilio.Twilio;
  private readonly calls = new AsyncLocalStorage<CallContext>();
  private readonly log: ChannelLogger;
  private readonly from: { from: string } | { messagingServiceSid: string };

  constructor(options: TwilioSmsChannelOptions) {
    this.log = options.logger ?? silentLogger;
    this.from = options.from.startsWith('MG') ? { messagingServiceSid: options.from } : { from: options.from };
    const timeout = options.timeoutMs ?? 10_000;
    this.client = twilio(options.accountSid, options.authToken, {
      httpClient: new TwilioHttpClient(options.apiUrl ?? DEFAULT_TWILIO_API_URL, this.calls, { timeout, autoRetry: false }),
    });
  }

  async send(sms: SmsMessage): Promise<DeliveryOutcome> {
    const call: CallContext = {};
    let outcome: DeliveryOutcome;
    try {
      const message = await this.calls.run(call, () =>
        this.client.messages.create({
          to: sms.to,
          body: sms.body,
          ...this.from,
          ...(sms.statusCallback ? { statusCallback: sms.statusCallback } : {}),
        }),
      );
      outcome = { kind: 'sent', providerId: message.sid, status: fromTwilioStatus(message.status) ?? 'queued' };
    } catch (err) {
      outcome = twilioErrorOutcome(err, parseRetryAfter(call.retryAfter));
    }
    const fields = { provider: 'twilio', to: maskPhoneNumber(sms.to), ...outcome };
    if (outcome.kind === 'sent') this.log.debug(fields, 'sms accepted by twilio');
    else if (outcome.kind === 'retry') this.log.warn(fields, 'sms failed, will be retried');
    else this.log.error(fields, 'sms failed permanently');
    return outcome;
  }

  /**
   * One page (the newest 50) of the messages sent to `to` — from our number, or through our Messaging Service —
   * filtered here by body and creation time. Bounded: a possibly-sent SMS is reconciled within minutes, and one
   * on-call number does not get 50 SMS from us in that time.
   */
  async findSent(query: FindSmsQuery): Promise<FindSmsOutcome> {
    const call: CallContext = {};
    let outcome: FindSmsOutcome;
    try {
      const page = await this.calls.run(call, () =>
        this.client.messages.page({ to: query.to, ...('from' in this.from ? { from: this.from.from } : {}), pageSize: 50 }),
      );
      const ours = page.instances.filter(
        (m) =>
          m.body === query.body &&
          m.dateCreated instanceof Date &&
          m.dateCreated.getTime() >= query.since.getTime() &&
          ('messagingServiceSid' in this.from ? m.messagingServiceSid === this.from.messagingServiceSid : true),
      );
      outcome = ours.length ? { kind: 'found', messages: ours.map((m) => ({ providerId: m.sid, status: fromTwilioStatus(m.status) ?? 'queued' })) } : { kind: 'not_found' };
    } catch (err) {
      outcome = twilioErrorOutcome(err, parseRetryAfter(call.retryAfter));
    }
    const fields = { provider: 'twilio', method: 'messages.list', to: maskPhoneNumber(query.to), result: outcome.kind };
    if (outcome.kind === 'found' || outcome.kind === 'not_found') this.log.debug(fields, 'twilio messages searched');
    else this.log.warn({ ...fields, reason: outcome.reason, code: outcome.code }, 'twilio message search failed');
    return outcome;
  }

  /**
   * `client.messages(sid).remove()`: Twilio's "Delete a Message resource" (`DELETE …/Messages/{Sid}.json`, 204;
   * https://www.twilio.com/docs/messaging/api/message-resource#delete-a-message-resource). A 404 (20404: unknown or
   * already deleted) means there is nothing left to delete. Other errors go through the one table of Twilio errors.
   */
  async deleteMessage(providerId: string): Promise<DeleteSmsOutcome> {
    const call: CallContext = {};
    let outcome: DeleteSmsOutcome;
    try {
      await this.calls.run(call, () => this.client.messages(providerId).remove());
      outcome = { kind: 'deleted' };
    } catch (err) {
      const e = err as { status?: unknown; isAxiosError?: unknown } | null;
      const code = (err as { code?: unknown } | null)?.code;
      outcome =
        e && e.isAxiosError !== true && e.status === 404 ? { kind: 'not_found' }
        // "Cannot delete this resource before it is complete": a message just sent; Twilio says to wait minutes and
        // try again (https://www.twilio.com/docs/api/errors/20009)
        : code === 20009 ? { kind: 'retry', reason: 'Twilio cannot delete a message still in progress', code: '20009' }
        : twilioErrorOutcome(err, parseRetryAfter(call.retryAfter));
    }
    const fields = { provider: 'twilio', method: 'messages.remove', messageSid: providerId, result: outcome.kind };
    if (outcome.kind === 'deleted' || outcome.kind === 'not_found') this.log.debug(fields, 'twilio message record deleted');
    else this.log.warn({ ...fields, reason: outcome.reason, code: outcome.code }, 'twilio message record not deleted');
    return outcome;
  }
}
