import { truncate } from '../domain/timeline';
import type { StoredMessage } from './message.repository';


export const messageSummaries = {
  requested: (agentName: string, body: string, subject?: string) =>
    subject === undefined ? `${agentName} texted the customer: ${truncate(body, 200)}` : `${agentName} emailed the customer: ${truncate(subject, 200)}`,
  replied: (body: string) => `The customer replied by SMS: ${truncate(body, 200)}`,
  optedOut: (channel: string, reason: string) =>
    channel === 'email'
      ? 'The customer unsubscribed from email (the link in an email); nothing more is emailed to them'
      : `The customer opted out of SMS (${reason === 'stop_reply' ? 'they replied STOP' : 'Twilio: the number unsubscribed, error 21610'}); nothing more is texted to them`,
};

/** The answer of POST /v1/tickets/:id/messages. */
export function toMessageJson(m: StoredMessage, duplicate: boolean) {
  return {
    messageId: m.id,
    duplicate,
    message: {
      id: m.id, ticketId: m.ticketId, channel: m.channel, template: m.template, locale: m.locale, body: m.body,
      author: m.agentId, createdAt: m.createdAt.toISOString(),
    },
  };
}
