import { translator } from '@closeloop/contracts';
import { snapshot, TICKET_ID } from '../../test/fixtures';
import { renderSms } from './sms-text';

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
