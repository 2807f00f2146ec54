import { openTicket } from './ticket';
import { translator } from '@closeloop/contracts';
import { type Summary, summaries, truncate } from './timeline';

const t = openTicket({
  id: 't', team: 'cx', now: new Date('2026-11-23T10:00:00Z'), sla: { firstResponse: 3_600_000, resolve: 7_200_000 },
  feedback: { customer: { id: 'c' }, touchpoint: 'checkout', metric: 'nps', score: 2, severity: 'critical' },
});
const ayse = { kind: 'agent' as const, id: 'ayse', name: 'Ayşe Yılmaz' };

/** What the console shows for an entry: its parts in the agent's language, joined. */
const shown = (s: Summary, locale: 'tr' | 'he' | 'zh') => s.parts.map((p) => translator(locale).t(p.key, p.args)).join('');

describe('timeline summaries', () => {
  it.each<[Summary, string]>([
    [summaries.opened(t), 'Ticket opened: nps 2 at checkout (critical)'],
    [summaries.feedbackAttached({ ...t, feedbackCount: 2 }, 'normal'), 'Feedback attached: nps 2 at checkout; severity normal → critical (2 in total)'],
    [summaries.feedbackRevised(t, 2), 'Feedback revised by the customer (revision 2): nps 2 at checkout'],
    [summaries.feedbackRevised(t, 3, 'normal'), 'Feedback revised by the customer (revision 3): nps 2 at checkout; severity normal → critical'],
    [summaries.claimed(ayse, 'api'), 'Claimed by Ayşe Yılmaz'],
    [summaries.claimed({ kind: 'agent', id: 'noa' }, 'slack'), 'Claimed by noa via slack'],
    [summaries.resolved({ ...t, rootCause: 'billing', customerContacted: true }, ayse, 'api', true), 'Claimed and resolved by Ayşe Yılmaz: root cause billing, customer contacted'],
    [summaries.resolved({ ...t, rootCause: 'other' }, ayse, 'slack'), 'Resolved by Ayşe Yılmaz via slack: root cause other'],
    [summaries.reopened(ayse, 'still\nwaiting'), 'Reopened by Ayşe Yılmaz: still waiting'],
    [summaries.slaBreached(t, 'firstResponse'), 'First-response SLA breached: not claimed by 2026-11-23T11:00:00.000Z'],
    [summaries.slaBreached(t, 'resolve'), 'Resolve SLA breached: not resolved by 2026-11-23T12:00:00.000Z'],
    [summaries.commandRejected('Claim', ayse, 'the ticket is resolved', 'slack'), 'Claim by Ayşe Yılmaz via slack rejected: the ticket is resolved'],
    [summaries.delivery({ channel: 'sms', purpose: 'sms', recipient: '+90555***2233', status: 'failed', error: 'unsubscribed (21610)', attempts: 1 }), 'SMS sms to +90555***2233: failed (unsubscribed (21610))'],
    [summaries.delivery({ channel: 'sms', purpose: 'customer_sms', recipient: '+90555***4567', status: 'delivered', attempts: 1 }), 'SMS message to the customer (+90555***4567): delivered'],
    [summaries.delivery({ channel: 'slack', purpose: 'thread_reply', recipient: 'C0CX', status: 'retrying', attempts: 3 }), 'Slack thread reply to C0CX: retrying after 3 attempt(s)'],
  ])('%s', (actual, expected) => expect(actual.text).toBe(expected));

  it('truncate keeps one line within the limit', () => {
    expect(truncate('a  b\n c', 10)).toBe('a b c');
    expect(truncate('x'.repeat(20), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('keeps the catalog parts its English text is made of, so the console shows it in the agent\'s language', () => {
    const claimed = summaries.claimed({ kind: 'agent', id: 'noa', name: 'Noa Levi' }, 'slack');
    expect(claimed.parts).toEqual([{ key: 'timeline.claimed', args: { who: 'Noa Levi', via: 'slack' } }]);
    expect(shown(claimed, 'tr')).toBe('Noa Levi üstlendi (slack üzerinden)');
    // in Hebrew the Latin name keeps its own direction (FSI…PDI); `via` also chooses a branch, so it is never wrapped
    expect(shown(claimed, 'he')).toBe('נלקחה על ידי \u2068Noa Levi\u2069 (דרך slack)');
    expect(shown(summaries.opened(t), 'tr')).toBe('Kayıt açıldı: checkout noktasında nps 2 (kritik)');
    const retrying = summaries.delivery({ channel: 'slack', purpose: 'thread_reply', recipient: 'C0CX', status: 'retrying', error: 'ratelimited', attempts: 3 });
    expect(retrying.parts.map((p) => p.key)).toEqual(['timeline.delivery', 'timeline.deliveryError', 'timeline.deliveryAttempts']);
    expect(shown(retrying, 'zh')).toBe('Slack回复 发给 C0CX：重试中（ratelimited），已尝试 3 次');
  });
});
