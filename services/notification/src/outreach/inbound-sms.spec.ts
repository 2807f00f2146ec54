import { TWILIO_INBOUND_SMS } from './fixtures/twilio-inbound-sms';
import { isOptOut, parseInboundSms } from './inbound-sms';

describe('inbound SMS (SPEC §11)', () => {
  it.each<[string, boolean]>([
    ['STOP', true], ['stop', true], ['  Stop \n', true], ['STOPALL', true], ['unsubscribe', true], ['Cancel', true], ['END', true], ['quit', true],
    ['Stop sending me coupons', false], ['STOP!', false], ['Teşekkürler', false], ['', false], ['START', false], ['HELP', false],
  ])('%j opts out: %s', (body, optOut) => expect(isOptOut(body)).toBe(optOut));

  it('reads the documented webhook parameters', () => {
    expect(parseInboundSms(TWILIO_INBOUND_SMS)).toEqual({ providerId: 'SM1f0e8d7c6b5a49382716f5e4d3c2b1a0', from: '+905551234567', body: 'Teşekkürler, iade geldi' });
  });

  it.each<[string, Record<string, string>, boolean]>([
    ['no MessageSid, SmsSid instead', { ...TWILIO_INBOUND_SMS, MessageSid: '' }, true],
    ['no MessageSid at all', { From: '+905551234567', Body: 'hi' }, false],
    ['no From', { MessageSid: 'SM1', Body: 'hi' }, false],
    ['From not E.164 (a short code or WhatsApp address)', { MessageSid: 'SM1', From: 'whatsapp:+905551234567', Body: 'hi' }, false],
    ['no Body (an MMS with media only) reads as empty', { MessageSid: 'SM1', From: '+905551234567' }, true],
  ])('%s → usable: %s', (_, params, usable) => expect(parseInboundSms(params) !== undefined).toBe(usable));
});
