import { E164 } from '@closeloop/contracts';
import { checkSaslComplete, databaseEnv, env, httpEnv, kafkaEnv, loadConfig, logEnv, routingEnv } from '@closeloop/platform';
import { DEFAULT_SLACK_API_URL, DEFAULT_TWILIO_API_URL } from './channels';

export const SERVICE = 'notification';
/** Default schema; `DATABASE_SCHEMA` overrides it (tests isolate in unique schemas). */
export const SCHEMA = 'notification';

/** `DATABASE_SCHEMA` (default `notification`): the schema of this service's tables. */
export const databaseSchemaEnv = () =>
  env.custom('DATABASE_SCHEMA', (v) => {
    if (v !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(v)) throw new Error(`must be a lower-case SQL identifier (a-z, 0-9, _), got "${v}"`);
    return v ?? SCHEMA;
  });

const trimSlash = (url: string | undefined) => url?.replace(/\/+$/, '');

export function loadNotificationConfig(source: NodeJS.ProcessEnv = process.env) {
  return loadConfig(
    {
      http: httpEnv('NOTIFICATION_PORT', 3003),
      kafka: kafkaEnv(),
      database: {
        ...databaseEnv(),
        schema: databaseSchemaEnv(),
      },
      log: logEnv(),
      routing: routingEnv(),
      slack: {
        botToken: env.string('SLACK_BOT_TOKEN'),
        signingSecret: env.string('SLACK_SIGNING_SECRET'),
        apiUrl: env.url('SLACK_API_URL', { default: DEFAULT_SLACK_API_URL, protocols: ['http', 'https'] }),
      },
      twilio: {
        accountSid: env.custom('TWILIO_ACCOUNT_SID', (v) => {
          if (v !== undefined && !/^AC[0-9a-zA-Z]{2,}$/.test(v)) throw new Error('must start with AC (a Twilio account SID)');
          return v;
        }),
        authToken: env.string('TWILIO_AUTH_TOKEN'),
        fromNumber: env.custom('TWILIO_FROM_NUMBER', (v) => {
          if (v !== undefined && !E164.test(v) && !/^MG[0-9a-zA-Z]+$/.test(v)) throw new Error(`must be an E.164 number (+905551112233) or a Messaging Service SID (MG…)`);
          return v;
        }),
        apiUrl: env.url('TWILIO_API_URL', { default: DEFAULT_TWILIO_API_URL, protocols: ['http', 'https'] }),
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
        batchSize: env.int('DELIVERY_BATCH_SIZE', 10, { min: 1, max: 500 }),
      },
    },
    source,
    SERVICE,
    (c) => [...checkSaslComplete(c.kafka), ...checkProvidersComplete(c)],
  );
}
export type NotificationConfig = ReturnType<typeof loadNotificationConfig>;

/**
 * Slack and Twilio are each all-or-nothing: a half-configured provider would silently fall back to the log
 * channel (or, for Slack, post alerts whose buttons can never be verified), so it is a start-up error instead.
 */
function checkProvidersComplete(c: {
  slack: { botToken?: string; signingSecret?: string };
  twilio: { accountSid?: string; authToken?: string; fromNumber?: string };
  delivery: { backoffBaseMs: number; backoffMaxMs: number };
}): string[] {
  const problems: string[] = [];
  const slack = { SLACK_BOT_TOKEN: c.slack.botToken, SLACK_SIGNING_SECRET: c.slack.signingSecret };
  if (Object.values(slack).some(Boolean)) {
    for (const [name, v] of Object.entries(slack)) if (!v) problems.push(`${name}: required when any of ${Object.keys(slack).join(', ')} is set`);
  }
  const twilio = { TWILIO_ACCOUNT_SID: c.twilio.accountSid, TWILIO_AUTH_TOKEN: c.twilio.authToken, TWILIO_FROM_NUMBER: c.twilio.fromNumber };
  if (Object.values(twilio).some(Boolean)) {
    for (const [name, v] of Object.entries(twilio)) if (!v) problems.push(`${name}: required when any of ${Object.keys(twilio).join(', ')} is set`);
  }
  if (c.delivery.backoffMaxMs < c.delivery.backoffBaseMs) problems.push('DELIVERY_BACKOFF_MAX_MS: must not be below DELIVERY_BACKOFF_BASE_MS');
  return problems;
}

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
