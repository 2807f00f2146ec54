import type { TicketChangeEvent, Translator } from '@closeloop/contracts';
import type { DeliveryPayload, PlannedDelivery, PlanOptions } from '../alerts/alert-planner';
import { escapeMrkdwn } from '../slack/blocks';

/** A thread reply quotes this much of the message; the whole text is on the ticket's timeline. */
const REPLY_BODY_LIMIT = 1_000;

/**
 * `ticket.customer_message_requested` → the SMS to the customer (purpose `customer_sms`: not the on-call `sms`, so it
 * is never held by the team's quiet hours — an agent chose to send it now) and a reply in the alert's thread saying
 * who texted what; an email (purpose `customer_email`) likewise. Pure. An event without a message or an address for
 * its channel plans nothing: tickets refuses those before they exist. The reply is in the team's language (`i18n`);
 * what the agent wrote is quoted as written.
 */
export function planCustomerMessage(
  event: TicketChangeEvent,
  now: Date,
  options: Pick<PlanOptions, 'sms' | 'email' | 'emailDomain'>,
  chatDelivery: (purpose: 'thread_reply', payload: DeliveryPayload) => PlannedDelivery,
  i18n: Translator,
): PlannedDelivery[] {
  const message = event.data.message;
  if (!message) return [];
  const agent = event.data.actor.name ?? event.data.actor.id ?? i18n.t('thread.anAgent');
  const phone = message.recipient.phone;
  if (message.channel === 'sms' && phone) {
    return [
      { channel: options.sms, recipient: phone, purpose: 'customer_sms', status: 'pending', notBefore: now, critical: false, payload: { kind: 'sms', body: message.body } },
      chatDelivery('thread_reply', { kind: 'thread_reply', text: customerMessageReply(agent, message.body, i18n) }),
    ];
  }
  const email = message.recipient.email;
  if (message.channel === 'email' && email) {
    // the unsubscribe link (footer and List-Unsubscribe) is added where the delivery is recorded: it needs a stored token
    const payload = { kind: 'email' as const, subject: message.subject ?? '', text: message.body, messageId: `<message.${message.id}@${options.emailDomain}>` };
    return [
      { channel: options.email, recipient: email, purpose: 'customer_email', status: 'pending', notBefore: now, critical: false, payload },
      chatDelivery('thread_reply', { kind: 'thread_reply', text: customerEmailReply(agent, message.subject ?? '', i18n) }),
    ];
  }
  return [];
}

/** "<agent> emailed the customer: <subject>" (the text is on the ticket's timeline). */
export function customerEmailReply(agentName: string, subject: string, i18n: Translator): string {
  return i18n.t('thread.customerEmailed', { agent: escapeMrkdwn(agentName), subject: escapeMrkdwn(subject) });
}

/** "<agent> texted the customer: <body>", mrkdwn-escaped (the text may carry the customer's name or anything the agent typed). */
export function customerMessageReply(agentName: string, body: string, i18n: Translator): string {
  const text = body.length > REPLY_BODY_LIMIT ? `${body.slice(0, REPLY_BODY_LIMIT - 1)}…` : body;
  return `${i18n.t('thread.customerTexted', { agent: escapeMrkdwn(agentName) })}\n>${escapeMrkdwn(text).replace(/\n/g, '\n>')}`;
}
