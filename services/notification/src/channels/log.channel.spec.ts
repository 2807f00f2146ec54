import type { ChannelLogger } from './channel';
import { LogChannel } from './log.channel';
import { createChatChannel, createSmsChannel, SlackChannel, TwilioSmsChannel } from './index';

function recordingLogger() {
  const lines: { level: string; obj: Record<string, unknown>; msg?: string }[] = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, obj: obj as Record<string, unknown>, msg });
    };
  const logger: ChannelLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

describe('LogChannel', () => {
  it('logs an SMS with the number masked, also inside the body', async () => {
    const { logger, lines } = recordingLogger();
    const outcome = await new LogChannel(logger).send({
      to: '+905551112233',
      body: 'Call the customer back on +905559998877',
      statusCallback: 'https://closeloop.example.com/twilio/status',
    });

    expect(outcome).toEqual({ kind: 'sent', providerId: expect.stringMatching(/^log-[0-9a-f-]{36}$/), status: 'sent' });
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', obj: expect.objectContaining({ to: '+90555***2233', body: 'Call the customer back on +90555***8877' }) }),
    ]);
    const everything = JSON.stringify(lines);
    expect(everything).not.toContain('5551112233');
    expect(everything).not.toContain('5559998877');
  });

  it('posts, threads and updates with Slack-shaped, unique ts values', async () => {
    const { logger, lines } = recordingLogger();
    const log = new LogChannel(logger);
    const first = await log.postMessage({ channel: 'C0CX', text: 'alert' });
    const second = await log.postMessage({ channel: 'C0CX', text: 'reply', threadTs: first.kind === 'sent' ? first.ts : undefined });

    expect(first).toEqual({ kind: 'sent', providerId: expect.stringMatching(/^log-/), channel: 'C0CX', ts: expect.stringMatching(/^\d{10}\.\d{6}$/) });
    expect(second.kind === 'sent' && second.ts).not.toBe(first.kind === 'sent' && first.ts);
    const ts = first.kind === 'sent' ? String(first.ts) : '';
    expect(await log.update({ channel: 'C0CX', ts, text: 'claimed' })).toMatchObject({ kind: 'sent', channel: 'C0CX', ts });
    expect(lines.map((l) => l.msg)).toEqual(['chat message (log channel)', 'chat thread reply (log channel)', 'chat message updated (log channel)']);
  });

  it('opens views and answers response_urls without logging the URL secret', async () => {
    const { logger, lines } = recordingLogger();
    const log = new LogChannel(logger);
    expect(await log.openView({ triggerId: 't', view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] } })).toMatchObject({
      kind: 'sent',
      providerId: expect.stringMatching(/^log-/),
    });
    expect(await log.respond('https://hooks.slack.com/actions/T0/123/SECRETsecret', { text: 'ok' })).toMatchObject({ kind: 'sent' });
    expect(JSON.stringify(lines)).not.toContain('SECRET');
  });
});

describe('channel selection', () => {
  it('never has an ambiguous post to reconcile', async () => {
    expect(await new LogChannel(recordingLogger().logger).findPostedMessage()).toEqual({ kind: 'not_found' });
  });

  it('uses the log channel when Slack or Twilio is not configured', () => {
    expect(createChatChannel({}).provider).toBe('log');
    expect(createSmsChannel({ accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 't' }).provider).toBe('log');
  });

  it('uses the real adapters when configured', () => {
    expect(createChatChannel({ botToken: 'xoxb-1' })).toBeInstanceOf(SlackChannel);
    expect(createSmsChannel({ accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 't', from: '+15005550006' })).toBeInstanceOf(TwilioSmsChannel);
  });
});
