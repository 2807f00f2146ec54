import { createHmac } from 'node:crypto';
import { signSlackRequest, verifySlackSignature } from './signature';

// The worked example from Slack's "Verifying requests from Slack" guide.
const SLACK_DOC = {
  signingSecret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: '1531420618',
  rawBody:
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};

const secret = 'signing-secret-for-tests';
const now = Date.parse('2026-11-23T10:00:00Z');
const ts = String(Math.floor(now / 1000));
const body = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0AYSE' }, actions: [{ action_id: 'claim', value: 'tkt_42' }] }))}`;
const sign = (t: string, b: string, s = secret) => `v0=${createHmac('sha256', s).update(`v0:${t}:${b}`).digest('hex')}`;

describe('verifySlackSignature', () => {
  it("accepts Slack's documented example", () => {
    expect(verifySlackSignature({ ...SLACK_DOC, now: Number(SLACK_DOC.timestamp) * 1000 + 10_000 })).toEqual({ ok: true });
  });

  it('accepts a good signature over a string or a Buffer body (non-ASCII included)', () => {
    const unicode = `${body}&text=${'Garsonlar çok kaba 律師'}`;
    expect(verifySlackSignature({ signingSecret: secret, timestamp: ts, signature: sign(ts, body), rawBody: body, now })).toEqual({ ok: true });
    expect(verifySlackSignature({ signingSecret: secret, timestamp: ts, signature: sign(ts, unicode), rawBody: Buffer.from(unicode), now })).toEqual({ ok: true });
  });

  it('signSlackRequest produces what verification expects', () => {
    expect(verifySlackSignature({ signingSecret: secret, timestamp: ts, signature: signSlackRequest(secret, ts, body), rawBody: body, now })).toEqual({ ok: true });
  });

  it.each([
    ['wrong secret', { signature: sign(ts, body, 'other-secret') }],
    ['tampered body', { rawBody: body.replace('claim', 'resolve') }],
    ['signature of another timestamp', { signature: sign(String(Number(ts) - 1), body) }],
  ])('rejects a bad signature: %s', (_name, override) => {
    expect(verifySlackSignature({ signingSecret: secret, timestamp: ts, signature: sign(ts, body), rawBody: body, now, ...override })).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it.each([
    [-301, 'stale_timestamp'],
    [301, 'future_timestamp'],
    [-3600, 'stale_timestamp'],
    [86_400, 'future_timestamp'],
  ])('rejects a correctly signed request %i s away (%s)', (offset, reason) => {
    const t = String(Number(ts) + offset);
    expect(verifySlackSignature({ signingSecret: secret, timestamp: t, signature: sign(t, body), rawBody: body, now })).toEqual({ ok: false, reason });
  });

  it.each([-300, 300])('accepts exactly %i s away', (offset) => {
    const t = String(Number(ts) + offset);
    expect(verifySlackSignature({ signingSecret: secret, timestamp: t, signature: sign(t, body), rawBody: body, now })).toEqual({ ok: true });
  });

  it.each([
    ['missing timestamp', { timestamp: undefined }, 'missing_headers'],
    ['missing signature', { signature: undefined }, 'missing_headers'],
    ['non-numeric timestamp', { timestamp: '17e8' }, 'malformed_timestamp'],
    ['empty timestamp', { timestamp: '' }, 'malformed_timestamp'],
    ['negative timestamp', { timestamp: '-1' }, 'malformed_timestamp'],
    ['repeated timestamp header', { timestamp: [ts, ts] }, 'malformed_timestamp'],
    ['other version', { signature: sign(ts, body).replace('v0=', 'v1=') }, 'malformed_signature'],
    ['truncated', { signature: sign(ts, body).slice(0, 40) }, 'malformed_signature'],
    ['uppercase hex', { signature: `v0=${sign(ts, body).slice(3).toUpperCase()}` }, 'malformed_signature'],
    ['not hex', { signature: `v0=${'z'.repeat(64)}` }, 'malformed_signature'],
    ['repeated signature header', { signature: [sign(ts, body), sign(ts, body)] }, 'malformed_signature'],
    ['no signing secret', { signingSecret: '' }, 'not_configured'],
  ])('rejects malformed input: %s', (_name, override, reason) => {
    expect(verifySlackSignature({ signingSecret: secret, timestamp: ts, signature: sign(ts, body), rawBody: body, now, ...override })).toEqual({ ok: false, reason });
  });

  it('defaults now to the clock', () => {
    const t = String(Math.floor(Date.now() / 1000));
    expect(verifySlackSignature({ signingSecret: secret, timestamp: t, signature: sign(t, body), rawBody: body })).toEqual({ ok: true });
  });
});
