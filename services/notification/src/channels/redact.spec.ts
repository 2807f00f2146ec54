import { maskPhoneNumber, maskPhoneNumbersIn, redactUrl } from './redact';

describe('maskPhoneNumber', () => {
  it.each([
    ['+905551112233', '+90555***2233'],
    ['+15551234567', '+1555***4567'],
    ['+4420712345', '+442***2345'],
    ['+3312345', '+33***45'],
    ['12', '***'],
    ['', '***'],
  ])('%s → %s', (input, masked) => {
    expect(maskPhoneNumber(input)).toBe(masked);
  });

  it('always hides at least three digits', () => {
    for (let n = 1; n <= 15; n++) {
      const phone = `+${'7'.repeat(n)}`;
      const shown = maskPhoneNumber(phone).replace(/\D/g, '').length;
      expect(n - shown).toBeGreaterThanOrEqual(Math.min(3, n));
    }
  });
});

it('maskPhoneNumbersIn masks every E.164 number in text and leaves the rest', () => {
  expect(maskPhoneNumbersIn('On-call +905551112233, customer +15551234567; ticket 1234567')).toBe('On-call +90555***2233, customer +1555***4567; ticket 1234567');
});

it('redactUrl keeps only the origin', () => {
  expect(redactUrl('https://hooks.slack.com/actions/T0/1/abc')).toBe('https://hooks.slack.com/…');
  expect(redactUrl('not a url')).toBe('(invalid url)');
});
