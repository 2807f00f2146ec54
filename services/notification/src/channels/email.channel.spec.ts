import { createServer } from 'node:net';
import { startSmtpStub, type SmtpStub } from '@closeloop/testing';
import { parseSmtpUrl, SmtpEmailChannel, smtpErrorOutcome } from './email.channel';

describe('parseSmtpUrl', () => {
  it.each([
    ['smtp://mailpit:1025', { host: 'mailpit', port: 1025, secure: false }],
    ['smtp://relay.example.com', { host: 'relay.example.com', port: 587, secure: false }],
    ['smtps://cx%40example.com:p%3Ass@smtp.example.com', { host: 'smtp.example.com', port: 465, secure: true, auth: { user: 'cx@example.com', pass: 'p:ss' } }],
    ['smtp://[::1]:2525', { host: '::1', port: 2525, secure: false }],
  ])('%s', (url, expected) => {
    expect(parseSmtpUrl(url)).toEqual(expected);
  });

  it('refuses other schemes', () => {
    expect(() => parseSmtpUrl('https://smtp.example.com')).toThrow('must be an smtp:// or smtps:// URL');
  });
});

describe('smtpErrorOutcome (RFC 5321 reply codes, nodemailer error codes)', () => {
  it.each([
    ['550 mailbox unavailable', { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' }, { kind: 'failed', code: 'smtp_550' }],
    ['554 rejected at end of DATA', { code: 'EMESSAGE', responseCode: 554, command: 'DATA' }, { kind: 'failed', code: 'smtp_554' }],
    ['451 try again later', { code: 'EMESSAGE', responseCode: 451, command: 'DATA' }, { kind: 'retry', code: 'smtp_451', maybeDelivered: false }],
    ['421 service closing before MAIL', { code: 'EPROTOCOL', responseCode: 421, command: 'MAIL FROM' }, { kind: 'retry', code: 'smtp_421', maybeDelivered: false }],
    ['bad credentials', { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' }, { kind: 'failed', code: 'smtp_auth' }],
    ['connection refused', { code: 'ESOCKET', command: 'CONN' }, { kind: 'retry', code: 'esocket', maybeDelivered: false }],
    // nodemailer reports a socket timeout as command CONN wherever it happened (measured: no answer to the end of DATA)
    ['a timeout, wherever it happened', { code: 'ETIMEDOUT', command: 'CONN' }, { kind: 'retry', code: 'timeout', maybeDelivered: true }],
    ['connection lost after DATA', { code: 'ECONNECTION' }, { kind: 'retry', code: 'econnection', maybeDelivered: true }],
    ['anything else', new Error('boom'), { kind: 'retry', code: 'smtp_error', maybeDelivered: true }],
  ])('%s', (_name, err, expected) => {
    expect(smtpErrorOutcome(err)).toMatchObject(expected);
  });
});

describe('SmtpEmailChannel (nodemailer → a real SMTP server in the test)', () => {
  let smtp: SmtpStub;
  beforeAll(async () => {
    smtp = await startSmtpStub();
  });
  afterAll(() => smtp.close());
  beforeEach(() => smtp.reset());
  const channel = (timeoutMs = 2_000) => new SmtpEmailChannel({ url: smtp.url, from: 'Closeloop <alerts@cx.example>', timeoutMs });

  it('sends plain text with our Message-ID, threading headers and UTF-8 intact', async () => {
    const outcome = await channel().sendEmail({
      to: ['leads@example.com', 'ops@example.com'],
      subject: 'Re: [Closeloop] masa · ticket 7f2c1a9e (leads)',
      text: 'Garsonlar çok kaba — 服务员很粗鲁 — המלצר היה גס רוח',
      messageId: '<ticket.7f2c.e1@cx.example>',
      inReplyTo: '<ticket.7f2c@cx.example>',
    });
    expect(outcome).toEqual({ kind: 'sent', providerId: '<ticket.7f2c.e1@cx.example>', status: 'sent' });
    const [m] = await smtp.waitForMessages(1);
    expect(m).toMatchObject({
      mailFrom: 'alerts@cx.example',
      rcptTo: ['leads@example.com', 'ops@example.com'],
      messageId: '<ticket.7f2c.e1@cx.example>',
      inReplyTo: '<ticket.7f2c@cx.example>',
      references: ['<ticket.7f2c@cx.example>'],
      subject: 'Re: [Closeloop] masa · ticket 7f2c1a9e (leads)',
      user: 'closeloop',
    });
    expect(m.text.trim()).toBe('Garsonlar çok kaba — 服务员很粗鲁 — המלצר היה גס רוח');
  });

  it('550 → failed for good; 451 → retried, not sent', async () => {
    smtp.script({ reject: { code: 550, message: 'mailbox unavailable' } }, { reject: { code: 451, message: 'try later' } });
    const msg = { to: ['leads@example.com'], subject: 's', text: 't', messageId: '<a@cx.example>' };
    expect(await channel().sendEmail(msg)).toMatchObject({ kind: 'failed', code: 'smtp_550' });
    expect(await channel().sendEmail(msg)).toMatchObject({ kind: 'retry', code: 'smtp_451', maybeDelivered: false });
    expect(smtp.messages).toHaveLength(0);
  });

  it('no answer after DATA → retried as maybe delivered (the server has it)', async () => {
    smtp.script({ hang: true });
    const outcome = await channel(500).sendEmail({ to: ['leads@example.com'], subject: 's', text: 't', messageId: '<b@cx.example>' });
    expect(outcome).toMatchObject({ kind: 'retry', maybeDelivered: true });
    expect(smtp.messages.map((m) => m.messageId)).toEqual(['<b@cx.example>']);
  });

  it('nothing listening → retried, not delivered', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const outcome = await new SmtpEmailChannel({ url: `smtp://127.0.0.1:${port}`, from: 'a@cx.example', timeoutMs: 1_000 }).sendEmail({ to: ['x@example.com'], subject: 's', text: 't', messageId: '<c@cx.example>' });
    expect(outcome).toMatchObject({ kind: 'retry', maybeDelivered: false });
  });
});
