import { smsSegments, translator } from '@closeloop/contracts';
import { snapshot, TICKET_ID } from '../../test/fixtures';
import { renderSms, SMS_ALERT_MAX_SEGMENTS } from './sms-text';

const url = `http://c.test/tickets/${TICKET_ID}`;

describe('renderSms', () => {
  it.each([
    ['critical_opened', {}, `Closeloop CRITICAL: NPS 3/10 at dine-in, Deniz (c-42), unclaimed. "Garsonlar çok kaba, yemek 40 dakika sürdü" ${url}`],
    ['raised_to_critical', { severity: 'critical', status: 'claimed', assigneeName: 'Ayşe Yılmaz' }, `Closeloop: ticket raised to CRITICAL: NPS 3/10 at dine-in, Deniz (c-42), claimed by Ayşe Yılmaz. "Garsonlar çok kaba, yemek 40 dakika sürdü" ${url}`],
    ['sla_breached_first_response', { severity: 'high', comment: undefined }, `Closeloop SLA breach, nobody responded (high): NPS 3/10 at dine-in, Deniz (c-42), unclaimed. ${url}`],
    ['sla_breached_resolve', { customerName: undefined, comment: 'Call me on +905551234567\nnow' }, `Closeloop SLA breach, not resolved in time (normal): NPS 3/10 at dine-in, c-42, unclaimed. "Call me on +90555***4567 now" ${url}`],
  ] as const)('%s', (reason, over, expected) => {
    expect(renderSms(reason, snapshot(over as object), 'http://c.test', translator('en'))).toBe(expected);
  });

  it('keeps a long comment to an excerpt', () => {
    const body = renderSms('critical_opened', snapshot({ comment: 'x'.repeat(1_000) }), 'http://c.test', translator('en'));
    expect(body).toContain(`"${'x'.repeat(79)}…"`);
    expect(body.length).toBeLessThan(250);
  });
});

describe('renderSms in the team\'s language (SPEC §14)', () => {
  const long = 'Garsonlar çok kaba, yemek 40 dakika sürdü ve kimse özür dilemedi; hesapta da yanlış ürün vardı, çok üzüldüm.';
  it.each([
    ['tr', 'Closeloop KRİTİK: NPS 3/10, dine-in, Deniz (c-42), üstlenilmedi.'],
    ['zh', 'Closeloop 严重：NPS 3/10，dine-in，Deniz (c-42)，未认领。'],
    ['he', '\u2068Closeloop קריטי\u2069: \u2068NPS 3/10\u2069 ב\u2068dine-in\u2069, \u2068Deniz (c-42)\u2069, לא נלקח.'],
    ['id', 'Closeloop KRITIS: NPS 3/10 di dine-in, Deniz (c-42), belum diambil.'],
  ] as const)('%s: the text, and a long comment cut to fit the SMS limit', (locale, head) => {
    const body = renderSms('critical_opened', snapshot({ comment: long }), 'http://c.test', translator(locale));
    expect(body.startsWith(`${head} "`)).toBe(true);
    expect(body.endsWith(` ${url}`)).toBe(true);
    expect(smsSegments(body).segments).toBeLessThanOrEqual(SMS_ALERT_MAX_SEGMENTS);
  });

  it('drops the excerpt rather than go over the limit', () => {
    const touchpoint = '店'.repeat(150);
    const body = renderSms('sla_breached_resolve', snapshot({ touchpoint, comment: '退款'.repeat(100) }), 'http://c.test', translator('zh'));
    expect(body).toBe(`Closeloop SLA 超时，未按时解决（普通）：NPS 3/10，${touchpoint}，Deniz (c-42)，未认领。 ${url}`);
    expect(smsSegments(body).segments).toBeLessThanOrEqual(SMS_ALERT_MAX_SEGMENTS);
  });
});
