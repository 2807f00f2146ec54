import { makeEnvelope, translator, type TicketChangeEvent, type TicketEventData } from '@closeloop/contracts';
import type { DeliveryPayload, PlannedDelivery } from '../alerts/alert-planner';
import { customerMessageReply, planCustomerMessage } from './customer-message-planner';

const now = new Date('2026-11-30T21:00:00Z');
const chat = (purpose: 'thread_reply', payload: DeliveryPayload): PlannedDelivery => ({
  channel: 'slack', recipient: 'C0CX', purpose, status: 'pending', notBefore: now, critical: false, payload,
});
const event = (message: Partial<NonNullable<TicketEventData['message']>> | undefined, actorName: string | undefined = 'Ayşe Yılmaz'): TicketChangeEvent =>
  makeEnvelope('ticket.customer_message_requested', {
    ticket: { id: 't1' },
    actor: { kind: 'agent', id: 'ayse', ...(actorName ? { name: actorName } : {}) },
    ...(message ? { message: { id: 'm1', channel: 'sms', body: 'Merhaba Deniz', recipient: { customerId: 'c1', phone: '+905551234567' }, ...message } } : {}),
  } as unknown as TicketEventData, 'tickets') as TicketChangeEvent;

describe('planCustomerMessage (SPEC §11)', () => {
  it.each<[string, TicketChangeEvent, 'sms' | 'log', [string, string, string, string | undefined][]]>([
    ['an SMS to the customer and a reply in the alert thread', event({}), 'sms', [
      ['sms', '+905551234567', 'customer_sms', 'Merhaba Deniz'],
      ['slack', 'C0CX', 'thread_reply', '💬 *Ayşe Yılmaz* texted the customer:\n>Merhaba Deniz'],
    ]],
    ['Twilio unset: the log channel', event({}), 'log', [
      ['log', '+905551234567', 'customer_sms', 'Merhaba Deniz'],
      ['slack', 'C0CX', 'thread_reply', '💬 *Ayşe Yılmaz* texted the customer:\n>Merhaba Deniz'],
    ]],
    ['no message: nothing', event(undefined), 'sms', []],
    ['no phone: nothing', event({ recipient: { customerId: 'c1' } }), 'sms', []],
    ['email: one email to the customer, the subject in the thread', event({ channel: 'email', subject: 'Özür dileriz', recipient: { customerId: 'c1', email: 'd@example.com' } }), 'sms', [
      ['email', 'd@example.com', 'customer_email', 'Merhaba Deniz'],
      ['slack', 'C0CX', 'thread_reply', '✉️ *Ayşe Yılmaz* emailed the customer: *Özür dileriz*'],
    ]],
    ['email without an address: nothing', event({ channel: 'email', recipient: { customerId: 'c1' } }), 'sms', []],
  ])('%s', (_, ev, sms, expected) => {
    const planned = planCustomerMessage(ev, now, { sms: sms as 'sms' | 'log', email: 'email', emailDomain: 'cx.example' }, chat, translator('en'));
    expect(planned.map((d) => [d.channel, d.recipient, d.purpose, d.payload.kind === 'sms' ? d.payload.body : d.payload.kind === 'thread_reply' ? d.payload.text : d.payload.kind === 'email' ? d.payload.text : undefined])).toEqual(expected);
    // an agent chose to send it now: never held by the team's quiet hours, never critical
    expect(planned.every((d) => d.status === 'pending' && !d.critical && d.notBefore === now)).toBe(true);
  });

  it.each<[string, string, string]>([
    ['<@U0BOSS> & *you*', 'Noa', '💬 *Noa* texted the customer:\n>&lt;@U0BOSS&gt; &amp; *you*'],
    ['line 1\nline 2', 'Noa', '💬 *Noa* texted the customer:\n>line 1\n>line 2'],
    ['x'.repeat(1_200), 'Noa', `💬 *Noa* texted the customer:\n>${'x'.repeat(999)}…`],
  ])('reply for %j is escaped and quoted', (body, agent, text) => expect(customerMessageReply(agent, body, translator('en'))).toBe(text));
});
