import { say, truncate } from '../domain/timeline';
import type { StoredMessage } from './message.repository';


export const messageSummaries = {
  requested: (agentName: string, body: string, subject?: string) =>
    subject === undefined ? say('timeline.texted', { agent: agentName, body: truncate(body, 200) }) : say('timeline.emailed', { agent: agentName, subject: truncate(subject, 200) }),
  replied: (body: string) => say('timeline.replied', { body: truncate(body, 200) }),
  optedOut: (channel: string, reason: string) =>
    channel === 'email' ? say('timeline.unsubscribedEmail') : say('timeline.optedOutSms', { reason: reason === 'stop_reply' ? 'stop_reply' : 'twilio_21610' }),
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
