import { E164 } from '@closeloop/contracts';
import { checkSaslComplete, databaseEnv, env, httpEnv, kafkaEnv, loadConfig, logEnv, routingEnv, type Env, privacyEnv } from '@closeloop/platform';
import { DEFAULT_SLACK_API_URL, DEFAULT_TWILIO_API_URL, parseSmtpUrl } from './channels';

export const SERVICE = 'notification';
/** Default schema; `DATABASE_SCHEMA` overrides it (tests isolate in unique schemas). */
export const SCHEMA = 'notification';

const SLACK_VARS = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'];
const TWILIO_VARS = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM_NUMBER'];

/**
 * One variable of a provider that is all-or-nothing: a half-configured Slack or Twilio would silently fall back to
 * the log channel (or post buttons whose presses can never be verified), so a missing companion is a start-up
 * error, reported with every other problem in the one message.
 */
function providerEnv(name: string, group: string[], validate?: (value: string) => void) {
  return (e: Env): { value: string | undefined } | { error: string } => {
    const set = (n: string) => (e[n] ?? '').trim() !== '';
    const value = set(name) ? (e[name] as string).trim() : undefined;
    if (value === undefined) {
      return group.some(set) ? { error: `${name}: required when any of ${group.join(', ')} is set` } : { value: undefined };
    }
    try {
      validate?.(value);
    } catch (err) {
      return { error: `${name}: ${(err as Error).message}` };
    }
    return { value };
  };
}

const trimSlash = (url: string | undefined) => url?.replace(/\/+$/, '');

export function loadNotificationConfig(source: NodeJS.ProcessEnv = process.env) {
  return loadConfig(
    {
      http: httpEnv('NOTIFICATION_PORT', 3003),
      kafka: kafkaEnv(),
      database: databaseEnv(SCHEMA),
      privacy: privacyEnv(),
      log: logEnv(),
      routing: routingEnv(),
      slack: {
        botToken: providerEnv('SLACK_BOT_TOKEN', SLACK_VARS),
        signingSecret: providerEnv('SLACK_SIGNING_SECRET', SLACK_VARS),
        apiUrl: env.url('SLACK_API_URL', { default: DEFAULT_SLACK_API_URL, protocols: ['http', 'https'] }),
      },
      twilio: {
        accountSid: providerEnv('TWILIO_ACCOUNT_SID', TWILIO_VARS, (v) => {
          if (!/^AC[0-9a-zA-Z]{2,}$/.test(v)) throw new Error('must start with AC (a Twilio account SID)');
        }),
        authToken: providerEnv('TWILIO_AUTH_TOKEN', TWILIO_VARS),
        fromNumber: providerEnv('TWILIO_FROM_NUMBER', TWILIO_VARS, (v) => {
          if (!E164.test(v) && !/^MG[0-9a-zA-Z]+$/.test(v)) throw new Error(`must be an E.164 number (+905551112233) or a Messaging Service SID (MG…)`);
        }),
        apiUrl: env.url('TWILIO_API_URL', { default: DEFAULT_TWILIO_API_URL, protocols: ['http', 'https'] }),
      },
      email: {
        /** `SMTP_URL`; unset → email goes to the log channel (SPEC §3). */
        smtpUrl: env.custom('SMTP_URL', (v) => {
          if (v === undefined || v.trim() === '') return undefined;
          if (!URL.canParse(v)) throw new Error('must be a URL like smtp://user:pass@host:587');
          parseSmtpUrl(v);
          return v.trim();
        }),
        /** `EMAIL_FROM`: the sender, `Name <address>` or a bare address; its domain names our Message-IDs. */
        from: env.custom('EMAIL_FROM', (v) => {
          const from = (v ?? 'Closeloop <closeloop@localhost>').trim();
          if (emailDomainOf(from) === undefined) throw new Error(`must be an address like "Closeloop <closeloop@example.com>", got "${from}"`);
          return from;
        }),
      },
      /** How Twilio (status callbacks) and Slack reach this service from outside. */
      publicBaseUrl: env.custom('PUBLIC_BASE_URL', (v) => {
        if (v === undefined) return undefined;
        if (!URL.canParse(v) || !/^https?:$/.test(new URL(v).protocol)) throw new Error(`must be an http(s) URL, got "${v}"`);
        return trimSlash(v);
      }),
      consoleUrl: env.custom('CONSOLE_URL', (v) => {
        const url = v ?? 'http://127.0.0.1:3000';
        if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new Error(`must be an http(s) URL, got "${url}"`);
        return trimSlash(url) as string;
      }),
      delivery: {
        /** How often the worker looks for due deliveries (it is also woken at once by new ones). */
        pollMs: env.int('DELIVERY_POLL_MS', 200, { min: 10, max: 60_000 }),
        /** Minimum spacing of messages posted to one Slack channel, across every instance (Slack allows ≈1/s). */
        slackChannelIntervalMs: env.int('SLACK_CHANNEL_INTERVAL_MS', 1_000, { min: 0, max: 60_000 }),
        /** Retryable failures are retried this many times in all, then recorded `failed`. */
        maxAttempts: env.int('DELIVERY_MAX_ATTEMPTS', 20, { min: 1, max: 1_000 }),
        backoffBaseMs: env.int('DELIVERY_BACKOFF_BASE_MS', 1_000, { min: 1, max: 3_600_000 }),
        backoffMaxMs: env.int('DELIVERY_BACKOFF_MAX_MS', 300_000, { min: 1, max: 86_400_000 }),
        /** Per provider request; a hung Slack/Twilio call never blocks a delivery longer than this. */
        providerTimeoutMs: env.int('PROVIDER_TIMEOUT_MS', 10_000, { min: 100, max: 120_000 }),
        /**
         * Recipient queues in flight per instance. Most of a delivery's time is spent waiting (its statements, the
         * provider), so a burst of alerts to many channels needs many at once: in the bench (200 channels, a busy
         * 2-core machine, while the pipeline ran) 10 sent 60–90 alerts/s, 40 sent 75–135/s.
         */
        batchSize: env.int('DELIVERY_BATCH_SIZE', 40, { min: 1, max: 500 }),
      },
      /** Finished deliveries, idle ticket snapshots and Slack commands are deleted after this many days (the inbox after 14). */
      retentionDays: env.int('NOTIFICATION_RETENTION_DAYS', 30, { min: 1, max: 3_650 }),
    },
    source,
    SERVICE,
    (c) => [...checkSaslComplete(c.kafka), ...(c.delivery.backoffMaxMs < c.delivery.backoffBaseMs ? ['DELIVERY_BACKOFF_MAX_MS: must not be below DELIVERY_BACKOFF_BASE_MS'] : [])],
  );
}
export type NotificationConfig = ReturnType<typeof loadNotificationConfig>;

/** Whether the real providers are configured (else the log channel stands in, SPEC §3). */
export function slackConfigured(cfg: Pick<NotificationConfig, 'slack'>): boolean {
  return Boolean(cfg.slack.botToken && cfg.slack.signingSecret);
}
export function twilioConfigured(cfg: Pick<NotificationConfig, 'twilio'>): boolean {
  return Boolean(cfg.twilio.accountSid && cfg.twilio.authToken && cfg.twilio.fromNumber);
}

/** The StatusCallback sent with each SMS, and the URL its signature is checked against. */
export function twilioStatusCallbackUrl(cfg: Pick<NotificationConfig, 'publicBaseUrl'>): string | undefined {
  return cfg.publicBaseUrl ? `${cfg.publicBaseUrl}/twilio/status` : undefined;
}

/** The domain of `EMAIL_FROM` (`Closeloop <cx@example.com>` → `example.com`), or undefined when it holds no address. */
export function emailDomainOf(from: string): string | undefined {
  const address = /<([^<>\s]+)>\s*$/.exec(from)?.[1] ?? from;
  const m = /^[^@\s<>]+@([A-Za-z0-9.-]+)$/.exec(address.trim());
  return m?.[1]?.toLowerCase();
}
