import type { TicketEventType } from '@closeloop/contracts';
import { testRouting, ticketEvent, TICKET_ID } from '../../test/fixtures';
import { planAlerts, RESPONSE_URL_RECIPIENT, type PlanOptions } from './alert-planner';

const routing = testRouting();
const DAY = new Date('2026-11-23T10:05:00Z'); // 13:05 in Istanbul: not quiet
const NIGHT = new Date('2026-11-23T21:00:00Z'); // 00:00 in Istanbul: quiet until 07:00 (04:00Z)
const QUIET_END = new Date('2026-11-24T04:00:00Z');
const CONSOLE = 'http://console.test';
const slack: PlanOptions = { chat: 'slack', sms: 'sms', email: 'email', emailDomain: 'closeloop.example', consoleUrl: CONSOLE };
const logOnly: PlanOptions = { chat: 'log', sms: 'log', email: 'log', emailDomain: 'closeloop.example', consoleUrl: CONSOLE };
const LEADS = 'leads@example.com, ops@example.com';
const atTable = { team: 'leads', touchpoint: 'table' } as const;

/** A compact view of a plan: `purpose channel→recipient status[ critical]`. */
function summary(plan: ReturnType<typeof planAlerts>): string[] {
  return plan.deliveries.map((d) => `${d.purpose} ${d.channel}→${d.recipient} ${d.status}${d.critical ? ' critical' : ''}`);
}

describe('planAlerts', () => {
  const CX_SMS = ['+905551112233', '+905551112244'];

  it.each<[string, TicketEventType, Parameters<typeof ticketEvent>[1], Date, PlanOptions, string[]]>([
    ['opened, normal: one top-level alert, no SMS', 'ticket.opened', {}, DAY, slack, ['alert slack→C0CX pending']],
    ['opened, high: still no SMS', 'ticket.opened', { ticket: { severity: 'high' } }, DAY, slack, ['alert slack→C0CX pending']],
    [
      'opened, critical: alert + SMS to every on-call',
      'ticket.opened',
      { ticket: { severity: 'critical' } },
      DAY,
      slack,
      ['alert slack→C0CX pending critical', ...CX_SMS.map((p) => `sms sms→${p} pending critical`)],
    ],
    [
      'opened, critical, in quiet hours: critical bypasses them',
      'ticket.opened',
      { ticket: { severity: 'critical' } },
      NIGHT,
      slack,
      ['alert slack→C0CX pending critical', ...CX_SMS.map((p) => `sms sms→${p} pending critical`)],
    ],
    ['opened, Slack unconfigured: the log channel', 'ticket.opened', {}, DAY, logOnly, ['alert log→#cx pending']],
    ['opened, team without a Slack channel: the log channel', 'ticket.opened', { ticket: { team: 'quiet', touchpoint: 'kiosk' } }, DAY, slack, ['alert log→#quiet pending']],
    [
      'opened, critical, Twilio unconfigured: SMS through the log channel',
      'ticket.opened',
      { ticket: { severity: 'critical' } },
      DAY,
      { ...slack, sms: 'log' },
      ['alert slack→C0CX pending critical', ...CX_SMS.map((p) => `sms log→${p} pending critical`)],
    ],
    ['claimed: update + thread reply', 'ticket.claimed', { ticket: { status: 'claimed', assigneeId: 'ayse', assigneeName: 'Ayşe Yılmaz', version: 2 } }, DAY, slack, ['update slack→C0CX pending', 'thread_reply slack→C0CX pending']],
    ['resolved: update + thread reply', 'ticket.resolved', { ticket: { status: 'resolved', rootCause: 'billing', version: 3 } }, DAY, slack, ['update slack→C0CX pending', 'thread_reply slack→C0CX pending']],
    ['reopened: update + thread reply', 'ticket.reopened', { reason: 'customer called again', ticket: { version: 4 } }, DAY, slack, ['update slack→C0CX pending', 'thread_reply slack→C0CX pending']],
    ['feedback attached, same severity: update + reply, no SMS', 'ticket.feedback_attached', { ticket: { feedbackCount: 2, version: 2 } }, DAY, slack, ['update slack→C0CX pending', 'thread_reply slack→C0CX pending']],
    [
      'feedback attached raising to critical: + SMS to on-call, even at night',
      'ticket.feedback_attached',
      { previousSeverity: 'normal', ticket: { severity: 'critical', feedbackCount: 2, version: 2 } },
      NIGHT,
      slack,
      ['update slack→C0CX pending critical', 'thread_reply slack→C0CX pending critical', ...CX_SMS.map((p) => `sms sms→${p} pending critical`)],
    ],
    ['feedback revised, same severity: the same alert updated + reply, no SMS', 'ticket.feedback_revised', { revision: 2, ticket: { version: 2 } }, DAY, slack, ['update slack→C0CX pending', 'thread_reply slack→C0CX pending']],
    [
      'feedback revised raising to critical: + SMS to on-call, as an attach does',
      'ticket.feedback_revised',
      { revision: 3, previousSeverity: 'high', ticket: { severity: 'critical', version: 3 } },
      NIGHT,
      slack,
      ['update slack→C0CX pending critical', 'thread_reply slack→C0CX pending critical', ...CX_SMS.map((p) => `sms sms→${p} pending critical`)],
    ],
    [
      'feedback attached to an already critical ticket: no second SMS',
      'ticket.feedback_attached',
      { ticket: { severity: 'critical', feedbackCount: 3, version: 3 } },
      DAY,
      slack,
      ['update slack→C0CX pending critical', 'thread_reply slack→C0CX pending critical'],
    ],
    [
      'SLA breached, normal, by day: update + reply + SMS now',
      'ticket.sla_breached',
      { breach: 'firstResponse' },
      DAY,
      slack,
      ['update slack→C0CX pending', 'thread_reply slack→C0CX pending', ...CX_SMS.map((p) => `sms sms→${p} pending`)],
    ],
    [
      'SLA breached, normal, in quiet hours: SMS held',
      'ticket.sla_breached',
      { breach: 'resolve' },
      NIGHT,
      slack,
      ['update slack→C0CX pending', 'thread_reply slack→C0CX pending', ...CX_SMS.map((p) => `sms sms→${p} held`)],
    ],
    [
      'SLA breached, critical, in quiet hours: SMS not held',
      'ticket.sla_breached',
      { breach: 'firstResponse', ticket: { severity: 'critical' } },
      NIGHT,
      slack,
      ['update slack→C0CX pending critical', 'thread_reply slack→C0CX pending critical', ...CX_SMS.map((p) => `sms sms→${p} pending critical`)],
    ],
    [
      'SLA breached, team without quiet hours at night: sent now',
      'ticket.sla_breached',
      { breach: 'firstResponse', ticket: { team: 'support', touchpoint: 'checkout' } },
      NIGHT,
      slack,
      ['update slack→C0SUPPORT pending', 'thread_reply slack→C0SUPPORT pending', 'sms sms→+972501234567 pending'],
    ],
    [
      'escalated, step 1 (oncall-sms): update + reply + SMS to every on-call',
      'ticket.escalated',
      { escalation: { step: 1, of: 2, after: 'PT15M', from: '2026-11-23T10:00:00.000Z', notify: ['oncall-sms'] }, ticket: { version: 2 } } as never,
      DAY,
      slack,
      ['update slack→C0CX pending', 'thread_reply slack→C0CX pending', ...CX_SMS.map((p) => `sms sms→${p} pending`)],
    ],
    [
      'escalated, step 2 (lead-sms, lead-email, channel-mention) at night: the lead SMS held like a breach SMS, the email not',
      'ticket.escalated',
      { escalation: { step: 2, of: 2, after: 'PT45M', from: '2026-11-23T10:00:00.000Z', notify: ['lead-sms', 'lead-email', 'channel-mention'] }, ticket: { version: 3 } } as never,
      NIGHT,
      slack,
      ['update slack→C0CX pending', 'thread_reply slack→C0CX pending', 'sms sms→+905550000009 held', 'email email→lale@example.com pending'],
    ],
    [
      'escalated, critical, at night: SMS bypass quiet hours',
      'ticket.escalated',
      { escalation: { step: 1, of: 2, after: 'PT15M', from: '2026-11-23T10:00:00.000Z', notify: ['oncall-sms', 'lead-sms'] }, ticket: { severity: 'critical', version: 2 } } as never,
      NIGHT,
      slack,
      ['update slack→C0CX pending critical', 'thread_reply slack→C0CX pending critical', ...[...CX_SMS, '+905550000009'].map((p) => `sms sms→${p} pending critical`)],
    ],
    ['SLA breached, team without on-call: no SMS', 'ticket.sla_breached', { breach: 'firstResponse', ticket: { team: 'quiet', touchpoint: 'kiosk' } }, DAY, slack, ['update log→#quiet pending', 'thread_reply log→#quiet pending']],
    ['note added: internal, nothing sent', 'ticket.note_added', { note: 'called the customer' }, DAY, slack, []],
    [
      'command rejected with a response_url: one ephemeral answer',
      'ticket.command_rejected',
      { reason: 'ticket is already resolved', statusCode: 409, responseUrl: 'https://hooks.slack.com/actions/T/1/abc' },
      DAY,
      slack,
      [`ephemeral slack→${RESPONSE_URL_RECIPIENT} pending`],
    ],
    ['command rejected without a response_url (console/API): nothing', 'ticket.command_rejected', { reason: 'x', statusCode: 409 }, DAY, slack, []],
    ['opened, team with a mailbox: the alert + one email to every address', 'ticket.opened', { ticket: atTable }, DAY, slack, ['alert slack→C0LEADS pending', `email email→${LEADS} pending`]],
    ['opened, mailbox, SMTP unconfigured: the email through the log channel', 'ticket.opened', { ticket: atTable }, DAY, logOnly, ['alert log→#leads pending', `email log→${LEADS} pending`]],
    ['claimed, mailbox: update + reply + an email reply', 'ticket.claimed', { ticket: { ...atTable, status: 'claimed', assigneeName: 'Ayşe Yılmaz', version: 2 } }, DAY, slack, ['update slack→C0LEADS pending', 'thread_reply slack→C0LEADS pending', `email email→${LEADS} pending`]],
    [
      'SLA breached, critical, mailbox at night: email too, not held',
      'ticket.sla_breached',
      { breach: 'resolve', ticket: { ...atTable, severity: 'critical' } },
      NIGHT,
      slack,
      ['update slack→C0LEADS pending critical', 'thread_reply slack→C0LEADS pending critical', `email email→${LEADS} pending critical`],
    ],
    ['note added, mailbox: internal, no email either', 'ticket.note_added', { note: 'x', ticket: atTable }, DAY, slack, []],
  ])('%s', (_name, type, data, now, options, expected) => {
    expect(summary(planAlerts(ticketEvent(type, data), routing, now, options))).toEqual(expected);
  });

  it('ticket.opened names the alert message (ticket, channel) and nothing else does', () => {
    expect(planAlerts(ticketEvent('ticket.opened'), routing, DAY, slack).alert).toEqual({ channel: 'C0CX', provider: 'slack' });
    expect(planAlerts(ticketEvent('ticket.opened'), routing, DAY, logOnly).alert).toEqual({ channel: '#cx', provider: 'log' });
    for (const type of ['ticket.claimed', 'ticket.resolved', 'ticket.reopened', 'ticket.feedback_attached', 'ticket.feedback_revised', 'ticket.sla_breached'] as const) {
      expect(planAlerts(ticketEvent(type), routing, DAY, slack).alert).toBeUndefined();
    }
  });

  it('holds a non-critical SMS until the quiet hours end, and sends the rest at once', () => {
    const held = planAlerts(ticketEvent('ticket.sla_breached', { breach: 'resolve' }), routing, NIGHT, slack).deliveries.filter((d) => d.purpose === 'sms');
    expect(held.map((d) => d.notBefore)).toEqual([QUIET_END, QUIET_END]);
    const now = planAlerts(ticketEvent('ticket.sla_breached', { breach: 'resolve' }), routing, DAY, slack).deliveries;
    expect(now.every((d) => d.notBefore === DAY)).toBe(true);
  });

  it('renders the payloads: alert/update later, reply/SMS/ephemeral now', () => {
    const opened = planAlerts(ticketEvent('ticket.opened', { ticket: { severity: 'critical' } }), routing, DAY, slack).deliveries;
    expect(opened[0].payload).toEqual({ kind: 'alert' });
    expect(opened[1].payload).toEqual({
      kind: 'sms',
      body: `Closeloop CRITICAL: NPS 3/10 at dine-in, Deniz (c-42), unclaimed. "Garsonlar çok kaba, yemek 40 dakika sürdü" ${CONSOLE}/tickets/${TICKET_ID}`,
    });
    const claimed = planAlerts(ticketEvent('ticket.claimed', { ticket: { status: 'claimed', assigneeName: 'Ayşe Yılmaz' } }), routing, DAY, slack).deliveries;
    expect(claimed.map((d) => d.payload)).toEqual([{ kind: 'update' }, { kind: 'thread_reply', text: '🙋 Claimed by *Ayşe Yılmaz*' }]);
    const rejected = planAlerts(
      ticketEvent('ticket.command_rejected', { reason: 'ticket is already resolved', responseUrl: 'https://hooks.slack.com/actions/x' }),
      routing,
      DAY,
      { ...slack, rejectedCommandType: 'ticket.resolve' },
    ).deliveries;
    expect(rejected[0].payload).toEqual({ kind: 'ephemeral', responseUrl: 'https://hooks.slack.com/actions/x', text: "You can't resolve this ticket: ticket is already resolved" });
  });

  it('renders alert emails as one thread: the first names the ticket, each reply its event and the first', () => {
    const opened = planAlerts(ticketEvent('ticket.opened', { ticket: atTable }), routing, DAY, slack).deliveries.find((d) => d.purpose === 'email');
    expect(opened?.payload).toMatchObject({
      kind: 'email',
      messageId: `<ticket.${TICKET_ID}@closeloop.example>`,
      subject: `[Closeloop] table · ticket ${TICKET_ID.slice(0, 8)} (leads)`,
    });
    expect(opened?.payload).not.toHaveProperty('inReplyTo');
    const claimedEvent = ticketEvent('ticket.claimed', { ticket: { ...atTable, status: 'claimed', assigneeName: 'Ayşe Yılmaz', version: 2 } });
    const reply = planAlerts(claimedEvent, routing, DAY, slack).deliveries.find((d) => d.purpose === 'email');
    expect(reply?.payload).toMatchObject({
      kind: 'email',
      messageId: `<ticket.${TICKET_ID}.${claimedEvent.eventId}@closeloop.example>`,
      inReplyTo: `<ticket.${TICKET_ID}@closeloop.example>`,
      subject: `Re: [Closeloop] table · ticket ${TICKET_ID.slice(0, 8)} (leads)`,
    });
    expect(reply?.payload.kind === 'email' && reply.payload.text.split('\n')[0]).toBe('🙋 Claimed by Ayşe Yılmaz');
  });

  it('sends one SMS per number even when the routing file lists a number twice', () => {
    const dup = { ...routing, teams: routing.teams.map((t) => (t.id === 'cx' ? { ...t, onCall: ['+905551112233', '+905551112233'] } : t)) };
    const plan = planAlerts(ticketEvent('ticket.opened', { ticket: { severity: 'critical' } }), dup, DAY, slack);
    expect(plan.deliveries.filter((d) => d.purpose === 'sms')).toHaveLength(1);
  });

  it("falls back to the touchpoint's team when the ticket's team is no longer in the file", () => {
    const plan = planAlerts(ticketEvent('ticket.opened', { ticket: { team: 'gone', touchpoint: 'checkout' } }), routing, DAY, slack);
    expect(plan.alert).toEqual({ channel: 'C0SUPPORT', provider: 'slack' });
  });

  describe('ticket.escalated', () => {
    const escalated = (notify: string[], ticket: Record<string, unknown> = {}) =>
      ticketEvent('ticket.escalated', { escalation: { step: 2, of: 2, after: 'PT45M', from: '2026-11-23T10:00:00.000Z', notify }, ticket: { version: 3, ...ticket } } as never);

    it('channel-mention: the thread reply mentions the leads by Slack id, or the team user group', () => {
      const cx = planAlerts(escalated(['channel-mention']), routing, DAY, slack).deliveries.find((d) => d.purpose === 'thread_reply');
      expect(cx?.payload).toEqual({ kind: 'thread_reply', text: '⏫ Escalated (step 2 of 2): nobody has claimed this ticket 45 min after it opened\n<@U0LALE> please take a look' });
      const support = planAlerts(escalated(['channel-mention'], { team: 'support', touchpoint: 'checkout' }), routing, DAY, slack).deliveries.find((d) => d.purpose === 'thread_reply');
      expect(support?.payload).toMatchObject({ text: expect.stringMatching(/\n<!subteam\^S0SUPPORT> please take a look$/) });
    });

    it('without channel-mention the reply mentions nobody; a reopened ticket says so', () => {
      const reply = planAlerts(ticketEvent('ticket.escalated', {
        escalation: { step: 1, of: 2, after: 'PT15M', from: '2026-11-24T08:00:00.000Z', notify: ['oncall-sms'] }, ticket: { version: 5 },
      } as never), routing, DAY, slack).deliveries.find((d) => d.purpose === 'thread_reply');
      expect(reply?.payload).toEqual({ kind: 'thread_reply', text: '⏫ Escalated (step 1 of 2): nobody has claimed this ticket 15 min after it was reopened' });
    });

    it('lead-email: a reply in the ticket thread, to the leads', () => {
      const event = escalated(['lead-email']);
      const email = planAlerts(event, routing, DAY, slack).deliveries.find((d) => d.purpose === 'email');
      expect(email).toMatchObject({
        recipient: 'lale@example.com',
        payload: {
          kind: 'email', subject: `Re: [Closeloop] dine-in · ticket ${TICKET_ID.slice(0, 8)} (cx)`,
          messageId: `<ticket.${TICKET_ID}.${event.eventId}@closeloop.example>`, inReplyTo: `<ticket.${TICKET_ID}@closeloop.example>`,
        },
      });
    });

    it('a number that is both on call and a lead gets one SMS', () => {
      const r = testRouting();
      r.agents = r.agents.map((a) => (a.id === 'lale' ? { ...a, phone: '+905551112233' } : a));
      const phones = planAlerts(escalated(['oncall-sms', 'lead-sms']), r, DAY, slack).deliveries.filter((d) => d.purpose === 'sms').map((d) => d.recipient);
      expect(phones).toEqual(CX_SMS);
    });
  });
});
