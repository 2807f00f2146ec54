import { silentLogger, type ChannelLogger, type ChatChannel, type EmailChannel, type SmsChannel } from './channel';
import { SmtpEmailChannel } from './email.channel';
import { LogChannel } from './log.channel';
import { SlackChannel } from './slack.channel';
import { TwilioSmsChannel } from './twilio-sms.channel';

export * from './channel';
export * from './provider-errors';
export * from './redact';
export * from './response-url';
export * from './twilio-status';
export { parseSmtpUrl, smtpErrorOutcome, SmtpEmailChannel, type SmtpEmailChannelOptions } from './email.channel';
export { LogChannel } from './log.channel';
export { DEFAULT_SLACK_API_URL, SlackChannel, type SlackChannelOptions } from './slack.channel';
export { DEFAULT_TWILIO_API_URL, TwilioHttpClient, TwilioSmsChannel, type TwilioSmsChannelOptions } from './twilio-sms.channel';

/** Slack when a bot token is configured, else the log channel (SPEC §3). */
export function createChatChannel(options: { botToken?: string; apiUrl?: string; timeoutMs?: number; logger?: ChannelLogger }): ChatChannel {
  const logger = options.logger ?? silentLogger;
  if (!options.botToken) return new LogChannel(logger);
  return new SlackChannel({ botToken: options.botToken, apiUrl: options.apiUrl, timeoutMs: options.timeoutMs, logger });
}

/** Twilio when account, token and sender are all configured, else the log channel (SPEC §3). */
export function createSmsChannel(options: {
  accountSid?: string;
  authToken?: string;
  from?: string;
  apiUrl?: string;
  timeoutMs?: number;
  logger?: ChannelLogger;
}): SmsChannel {
  const logger = options.logger ?? silentLogger;
  if (!options.accountSid || !options.authToken || !options.from) return new LogChannel(logger);
  return new TwilioSmsChannel({
    accountSid: options.accountSid,
    authToken: options.authToken,
    from: options.from,
    apiUrl: options.apiUrl,
    timeoutMs: options.timeoutMs,
    logger,
  });
}

/** SMTP when `SMTP_URL` is set, else the log channel (SPEC §3). */
export function createEmailChannel(options: { url?: string; from: string; timeoutMs?: number; logger?: ChannelLogger }): EmailChannel {
  const logger = options.logger ?? silentLogger;
  if (!options.url) return new LogChannel(logger);
  return new SmtpEmailChannel({ url: options.url, from: options.from, timeoutMs: options.timeoutMs, logger });
}
