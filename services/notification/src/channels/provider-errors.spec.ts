import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';
import twilio from 'twilio';
import {
  SLACK_PERMANENT_ERRORS,
  TWILIO_PERMANENT_ERRORS,
  TWILIO_RETRYABLE_ERRORS,
  networkErrorOutcome,
  parseRetryAfter,
  slackErrorOutcome,
  twilioErrorOutcome,
} from './provider-errors';

describe('slackErrorOutcome (SDK error classes)', () => {
  it.each([
    ['rate limited', new WebAPIRateLimitedError(2), { kind: 'retry', code: 'ratelimited', retryAfterMs: 2000 }],
    ['channel_not_found', new WebAPIPlatformError({ ok: false, error: 'channel_not_found' }), { kind: 'failed', code: 'channel_not_found' }],
    ['unknown platform error', new WebAPIPlatformError({ ok: false, error: 'something_new' }), { kind: 'retry', code: 'something_new' }],
    ['HTTP 502', new WebAPIHTTPError(502, 'Bad Gateway', {}, ''), { kind: 'retry', code: 'http_502', maybeDelivered: true }],
    ['request error (timeout)', new WebAPIRequestError(Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' })), { kind: 'retry', code: 'timeout' }],
    ['a plain Error', new Error('Retry header did not contain a valid timeout'), { kind: 'retry' }],
  ])('%s', (_name, err, expected) => {
    expect(slackErrorOutcome(err)).toMatchObject(expected);
  });

  it('every permanent Slack code maps to failed with that code', () => {
    for (const code of Object.keys(SLACK_PERMANENT_ERRORS)) {
      expect(slackErrorOutcome(new WebAPIPlatformError({ ok: false, error: code }))).toEqual({ kind: 'failed', reason: SLACK_PERMANENT_ERRORS[code], code });
    }
  });
});

describe('twilioErrorOutcome (RestException)', () => {
  const rest = (status: number, code?: number) =>
    new twilio.RestException({ statusCode: status, body: code === undefined ? '<html/>' : { code, message: `m${code}`, more_info: '', status } });

  it('permanent and retryable codes do not overlap', () => {
    const overlap = Object.keys(TWILIO_PERMANENT_ERRORS).filter((c) => c in TWILIO_RETRYABLE_ERRORS);
    expect(overlap).toEqual([]);
  });

  it('masks a phone number Twilio quotes in its message (the reason is logged and published)', () => {
    const err = new twilio.RestException({ statusCode: 400, body: { code: 21211, message: "The 'To' number +905551234567 is not a valid phone number.", more_info: '', status: 400 } });
    expect(twilioErrorOutcome(err)).toEqual({ kind: 'failed', code: '21211', reason: expect.stringContaining("The 'To' number +90555***4567 is not") });
  });

  it.each([21610, 21211, 21614, 21612, 21408, 21606, 20003])('%i → failed', (code) => {
    expect(twilioErrorOutcome(rest(code === 20003 ? 401 : 400, code))).toMatchObject({ kind: 'failed', code: String(code) });
  });

  it.each([
    [429, 20429],
    [400, 21611],
    [500, 20500],
  ])('HTTP %i / %i → retry', (status, code) => {
    expect(twilioErrorOutcome(rest(status, code), 1500)).toMatchObject({ kind: 'retry', code: String(code), retryAfterMs: 1500 });
  });

  it('a bare 429 → retry; a bare 404 → failed', () => {
    expect(twilioErrorOutcome(rest(429))).toMatchObject({ kind: 'retry', code: 'http_429' });
    expect(twilioErrorOutcome(rest(404))).toMatchObject({ kind: 'failed', code: 'http_404' });
  });

  it('an RFC 9457 TwilioServiceException-shaped error is classified by its code', () => {
    expect(twilioErrorOutcome({ type: 'https://www.twilio.com/docs/errors/20429', title: 'Too Many Requests', status: 429, code: 20429 })).toMatchObject({
      kind: 'retry',
      code: '20429',
    });
  });

  it('an axios network error → retry', () => {
    expect(twilioErrorOutcome({ isAxiosError: true, code: 'ECONNRESET', message: 'socket hang up' })).toMatchObject({
      kind: 'retry',
      code: 'ECONNRESET',
      maybeDelivered: true,
    });
    expect(twilioErrorOutcome({ isAxiosError: true, code: 'ECONNABORTED', message: 'timeout of 300ms exceeded' })).toMatchObject({ kind: 'retry', code: 'timeout' });
  });
});

describe('networkErrorOutcome', () => {
  it('a real refused fetch → retry, known not delivered', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const err = await fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);

    expect(networkErrorOutcome(err, 'Slack')).toMatchObject({ kind: 'retry', code: 'ECONNREFUSED', maybeDelivered: false });
  });

  it('recognises a timeout re-wrapped as plain text', () => {
    expect(networkErrorOutcome(new Error('TimeoutError: The operation was aborted due to timeout'), 'Slack')).toMatchObject({ code: 'timeout', maybeDelivered: true });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-23T10:00:00Z');
  it.each([
    ['2', 2000],
    [' 30 ', 30000],
    ['0', 0],
    ['Mon, 23 Nov 2026 10:00:05 GMT', 5000],
    ['Mon, 23 Nov 2026 09:59:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
    [null, undefined],
  ])('%p → %p', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
