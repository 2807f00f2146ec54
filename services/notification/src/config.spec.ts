import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@closeloop/platform';
import { routingYaml } from '../test/fixtures';
import { loadNotificationConfig, slackConfigured, twilioConfigured, twilioStatusCallbackUrl } from './config';

const dir = mkdtempSync(join(tmpdir(), 'closeloop-notification-config-'));
const routing = join(dir, 'closeloop.yaml');
writeFileSync(routing, routingYaml());
const base = { KAFKA_BROKERS: 'localhost:9092', DATABASE_URL: 'postgres://u@localhost:5432/db', CLOSELOOP_MASTER_KEY: 'Y2xvc2Vsb29wLWRldi1tYXN0ZXIta2V5LWNoYW5nZSE=', CLOSELOOP_CONFIG: routing };
const slack = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret' };
const twilio = { TWILIO_ACCOUNT_SID: 'AC0123456789abcdef', TWILIO_AUTH_TOKEN: 'token', TWILIO_FROM_NUMBER: '+15005550006' };

function problems(env: Record<string, string>): string[] {
  try {
    loadNotificationConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadNotificationConfig', () => {
  it('has working defaults: port 3003, schema notification, Slack/Twilio public URLs, log channels', () => {
    const cfg = loadNotificationConfig(base);
    expect(cfg).toMatchObject({
      http: { port: 3003, host: '127.0.0.1' },
      database: { schema: 'notification' },
      slack: { apiUrl: 'https://slack.com/api/' },
      twilio: { apiUrl: 'https://api.twilio.com' },
      consoleUrl: 'http://127.0.0.1:3000',
      delivery: { pollMs: 200, slackChannelIntervalMs: 1_000, maxAttempts: 20 },
    });
    expect(slackConfigured(cfg)).toBe(false);
    expect(twilioConfigured(cfg)).toBe(false);
    expect(twilioStatusCallbackUrl(cfg)).toBeUndefined();
  });

  it('reads a full configuration', () => {
    const cfg = loadNotificationConfig({ ...base, ...slack, ...twilio, NOTIFICATION_PORT: '4003', DATABASE_SCHEMA: 'notif_x', PUBLIC_BASE_URL: 'https://cl.example.com/n/', CONSOLE_URL: 'https://console.example.com/' });
    expect(slackConfigured(cfg)).toBe(true);
    expect(twilioConfigured(cfg)).toBe(true);
    expect(cfg.database.schema).toBe('notif_x');
    expect(cfg.consoleUrl).toBe('https://console.example.com');
    expect(twilioStatusCallbackUrl(cfg)).toBe('https://cl.example.com/n/twilio/status');
  });

  it.each([
    ['a Slack token without its signing secret', { SLACK_BOT_TOKEN: 'xoxb-1' }, ['SLACK_SIGNING_SECRET: required when any of SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET is set']],
    ['a signing secret without a token', { SLACK_SIGNING_SECRET: 's' }, ['SLACK_BOT_TOKEN: required when any of SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET is set']],
    [
      'half of Twilio',
      { TWILIO_ACCOUNT_SID: 'AC123' },
      [
        'TWILIO_AUTH_TOKEN: required when any of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER is set',
        'TWILIO_FROM_NUMBER: required when any of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER is set',
      ],
    ],
    ['an account SID not starting with AC', { ...twilio, TWILIO_ACCOUNT_SID: 'SK123' }, ['TWILIO_ACCOUNT_SID: must start with AC (a Twilio account SID)']],
    ['a sender that is neither E.164 nor a Messaging Service', { ...twilio, TWILIO_FROM_NUMBER: '05551112233' }, ['TWILIO_FROM_NUMBER: must be an E.164 number (+905551112233) or a Messaging Service SID (MG…)']],
    ['a schema that is not an identifier', { DATABASE_SCHEMA: 'x"; drop' }, ['DATABASE_SCHEMA: must be a lower-case SQL identifier (a-z, 0-9, _; at most 40 characters), got "x"; drop"']],
    ['bad URLs and numbers, all at once', { PUBLIC_BASE_URL: 'ftp://x', SLACK_API_URL: 'nope', DELIVERY_POLL_MS: 'soon' }, ['SLACK_API_URL: not a URL', 'PUBLIC_BASE_URL: must be an http(s) URL, got "ftp://x"', 'DELIVERY_POLL_MS: must be an integer from 10 to 60000, got "soon"']],
  ])('refuses %s, naming every problem', (_name, env, expected) => {
    expect(problems({ ...base, ...env })).toEqual(expected);
  });

  it('lists a half-configured provider together with every other problem', () => {
    expect(problems({ CLOSELOOP_CONFIG: routing, SLACK_BOT_TOKEN: 'xoxb-1', TWILIO_ACCOUNT_SID: 'bad', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM_NUMBER: '+15005550006' })).toEqual([
      'KAFKA_BROKERS: required (comma-separated)',
      'DATABASE_URL: required',
      'CLOSELOOP_MASTER_KEY: required (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)',
      'SLACK_SIGNING_SECRET: required when any of SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET is set',
      'TWILIO_ACCOUNT_SID: must start with AC (a Twilio account SID)',
    ]);
  });

  it('accepts a Messaging Service as sender', () => {
    expect(problems({ ...base, ...twilio, TWILIO_FROM_NUMBER: 'MG0123456789abcdef' })).toEqual([]);
  });
});
