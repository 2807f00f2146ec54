import { LogLevel, WebClient, type Logger as SlackLogger } from '@slack/web-api';
import {
  silentLogger,
  type ChannelLogger,
  type ChatChannel,
  type ChatMessage,
  type ChatMessageUpdate,
  type DeliveryOutcome,
  type FindMessageOutcome,
  type FindMessageQuery,
  type OpenViewRequest,
  type ResponseUrlBody,
} from './channel';
import { httpStatusOutcome, networkErrorOutcome, parseRetryAfter, slackErrorOutcome, slackPlatformErrorOutcome } from './provider-errors';
import { isAllowedResponseUrl, responseUrlOrigins } from './response-url';

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

export interface SlackChannelOptions {
  botToken: string;
  /** `SLACK_API_URL`; defaults to Slack's own. */
  apiUrl?: string;
  /** Per-request timeout. Slack's SDK has none by default, so a hung connection would block a delivery forever. */
  timeoutMs?: number;
  logger?: ChannelLogger;
}

/**
 * Slack adapter. One long-lived WebClient; the SDK's own retries are off (it would otherwise retry for ~30 minutes
 * inside one call) and rate limits are surfaced, so the delivery worker owns every retry and its schedule.
 */
export class SlackChannel implements ChatChannel {
  readonly provider = 'slack' as const;
  private readonly client: WebClient;
  private readonly log: ChannelLogger;
  private readonly timeoutMs: number;
  private readonly responseOrigins: string[];

  constructor(options: SlackChannelOptions) {
    this.log = options.logger ?? silentLogger;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.responseOrigins = responseUrlOrigins(options.apiUrl ?? DEFAULT_SLACK_API_URL);
    this.client = new WebClient(options.botToken, {
      slackApiUrl: options.apiUrl ?? DEFAULT_SLACK_API_URL,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: this.timeoutMs,
      logger: bridgeSlackLogger(this.log),
    });
  }

  async postMessage(message: ChatMessage): Promise<DeliveryOutcome> {
    return this.call('chat.postMessage', message.channel, async () => {
      const res = await this.client.chat.postMessage({
        channel: message.channel,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks } : {}),
        ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
        ...(message.metadata ? { metadata: { event_type: message.metadata.eventType, event_payload: message.metadata.payload as never } } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      const ts = res.ts ?? '';
      return { kind: 'sent', providerId: ts, channel: res.channel ?? message.channel, ts };
    });
  }

  async update(message: ChatMessageUpdate): Promise<DeliveryOutcome> {
    return this.call('chat.update', message.channel, async () => {
      const res = await this.client.chat.update({
        channel: message.channel,
        ts: message.ts,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks } : {}),
      });
      const ts = res.ts ?? message.ts;
      return { kind: 'sent', providerId: ts, channel: res.channel ?? message.channel, ts };
    });
  }

  async openView(request: OpenViewRequest): Promise<DeliveryOutcome> {
    return this.call('views.open', undefined, async () => {
      const res = await this.client.views.open({ trigger_id: request.triggerId, view: request.view });
      return { kind: 'sent', providerId: res.view?.id ?? '' };
    });
  }

  /**
   * Pages through `conversations.history` (top-level messages), or `conversations.replies` when `threadTs` is given
   * (a thread: its parent, then the replies, oldest first) — both need the `channels:history`/`groups:history`
   * scope — from `oldest` on, looking for our metadata. Bounded: a message is reconciled minutes after it was sent,
   * and a channel or a thread rarely holds more than a few hundred messages in that time.
   */
  async findPostedMessage(query: FindMessageQuery): Promise<FindMessageOutcome> {
    const maxPages = 5;
    const method = query.threadTs ? 'conversations.replies' : 'conversations.history';
    let outcome: FindMessageOutcome = { kind: 'not_found' };
    try {
      let cursor: string | undefined;
      for (let page = 0; page < maxPages; page++) {
        const args = {
          channel: query.channel,
          include_all_metadata: true,
          limit: 200,
          ...(query.oldest ? { oldest: query.oldest } : {}),
          ...(cursor ? { cursor } : {}),
        };
        const res = query.threadTs
          ? await this.client.conversations.replies({ ...args, ts: query.threadTs })
          : await this.client.conversations.history(args);
        const hit = (res.messages ?? []).find((m) => {
          const meta = (m as { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }).metadata;
          return meta?.event_type === query.eventType && Object.entries(query.payload).every(([k, v]) => meta.event_payload?.[k] === v);
        });
        if (hit?.ts) {
          outcome = { kind: 'found', ts: hit.ts };
          break;
        }
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!res.has_more || !cursor) break;
      }
    } catch (err) {
      outcome = slackErrorOutcome(err);
    }
    if (outcome.kind === 'found' || outcome.kind === 'not_found') this.log.debug({ provider: 'slack', method, channel: query.channel, result: outcome.kind }, 'slack history searched');
    else this.logOutcome(method, query.channel, outcome);
    return outcome;
  }

  /**
   * `response_url` is a plain webhook: JSON in, no token, answered with `ok` or an error status. It arrives in
   * events and payloads, so only Slack's hooks host (see response-url.ts) is ever called; anything else fails for good.
   */
  async respond(responseUrl: string, body: ResponseUrlBody): Promise<DeliveryOutcome> {
    if (!isAllowedResponseUrl(responseUrl, this.responseOrigins)) {
      const refused: DeliveryOutcome = { kind: 'failed', reason: `response_url is not on ${this.responseOrigins.join(' or ')}`, code: 'response_url_not_allowed' };
      this.logOutcome('response_url', undefined, refused);
      return refused;
    }
    let outcome: DeliveryOutcome;
    try {
      const res = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.text();
      outcome = res.ok ? { kind: 'sent', providerId: 'response_url' } : responseUrlError(res.status, text, res.headers.get('retry-after'));
    } catch (err) {
      outcome = networkErrorOutcome(err, 'Slack');
    }
    this.logOutcome('response_url', undefined, outcome);
    return outcome;
  }

  private async call(method: string, channel: string | undefined, send: () => Promise<DeliveryOutcome>): Promise<DeliveryOutcome> {
    let outcome: DeliveryOutcome;
    try {
      outcome = await send();
    } catch (err) {
      outcome = slackErrorOutcome(err);
    }
    this.logOutcome(method, channel, outcome);
    return outcome;
  }

  private logOutcome(method: string, channel: string | undefined, outcome: DeliveryOutcome): void {
    const fields = { provider: 'slack', method, channel, ...outcome };
    if (outcome.kind === 'sent') this.log.debug(fields, 'slack call succeeded');
    else if (outcome.kind === 'retry') this.log.warn(fields, 'slack call failed, will be retried');
    else this.log.error(fields, 'slack call failed permanently');
  }
}

function responseUrlError(status: number, text: string, retryAfter: string | null): DeliveryOutcome {
  let error: string | undefined;
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') error = parsed.error;
  } catch {
    // Slack answers some response_url errors with a bare word such as `expired_url`.
    if (/^[a-z_]+$/.test(text.trim())) error = text.trim();
  }
  if (status === 429 || status >= 500 || error === undefined) return httpStatusOutcome(status, parseRetryAfter(retryAfter), 'Slack');
  return slackPlatformErrorOutcome(error);
}

/**
 * The SDK logs through its own Logger interface. Debug lines carry request bodies (customer comments), so they are
 * dropped; outcomes are logged by the adapter itself.
 */
function bridgeSlackLogger(log: ChannelLogger): SlackLogger {
  let level = LogLevel.INFO;
  const line = (parts: unknown[]) => parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
  return {
    debug: () => {},
    info: (...msg: unknown[]) => log.info({ component: 'slack-web-api' }, line(msg)),
    warn: (...msg: unknown[]) => log.warn({ component: 'slack-web-api' }, line(msg)),
    error: (...msg: unknown[]) => log.error({ component: 'slack-web-api' }, line(msg)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
