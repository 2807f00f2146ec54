import { getExpectedTwilioSignature } from 'twilio';
import { verifyTwilioSignature } from './signature';

const authToken = '12345678901234567890123456789012';
const url = 'https://closeloop.example.com/twilio/status?delivery=d-1';
const params = {
  AccountSid: 'AC0123456789abcdef0123456789abcdef',
  ApiVersion: '2010-04-01',
  MessageSid: 'SM0123456789abcdef0123456789abcdef',
  MessageStatus: 'delivered',
  SmsSid: 'SM0123456789abcdef0123456789abcdef',
  SmsStatus: 'delivered',
  To: '+905551112233',
  From: '+15005550006',
};

describe('verifyTwilioSignature', () => {
  it('accepts a callback signed by Twilio', () => {
    const signature = getExpectedTwilioSignature(authToken, url, params);
    expect(verifyTwilioSignature({ authToken, signature, url, params })).toEqual({ ok: true });
  });

  it('accepts a signature computed over the URL with an explicit default port', () => {
    const signature = getExpectedTwilioSignature(authToken, 'https://closeloop.example.com:443/twilio/status?delivery=d-1', params);
    expect(verifyTwilioSignature({ authToken, signature, url, params })).toEqual({ ok: true });
  });

  it.each([
    ['wrong token', { signature: getExpectedTwilioSignature('another-token', url, params) }],
    ['changed status', { params: { ...params, MessageStatus: 'failed' } }],
    ['extra param', { params: { ...params, ErrorCode: '30003' } }],
    ['different URL (query dropped)', { url: 'https://closeloop.example.com/twilio/status' }],
    ['different scheme', { url: url.replace('https', 'http') }],
    ['garbage signature', { signature: 'bm90IGEgc2lnbmF0dXJl' }],
  ])('rejects a bad signature: %s', (_name, override) => {
    const input = { authToken, signature: getExpectedTwilioSignature(authToken, url, params), url, params, ...override };
    expect(verifyTwilioSignature(input)).toEqual({ ok: false, reason: 'signature_mismatch' });
  });

  it.each([
    ['missing header', { signature: undefined }, 'missing_signature'],
    ['empty header', { signature: '' }, 'missing_signature'],
    ['repeated header', { signature: ['a', 'b'] }, 'missing_signature'],
    ['no auth token configured', { authToken: '' }, 'not_configured'],
    ['unparseable URL', { url: '/twilio/status' }, 'invalid_url'],
  ])('rejects: %s', (_name, override, reason) => {
    const input = { authToken, signature: getExpectedTwilioSignature(authToken, url, params), url, params, ...override };
    expect(verifyTwilioSignature(input)).toEqual({ ok: false, reason });
  });
});
