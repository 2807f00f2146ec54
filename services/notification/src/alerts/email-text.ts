import type { TicketEventData, TicketEventType, TicketSnapshot } from '@closeloop/contracts';
import { consoleTicketUrl, customerLabel, renderThreadReply, scoreLabel } from '../slack/blocks';

/**
 * The alert by email (SPEC §11): one thread per ticket and team mailbox. The first message's `Message-ID` is derived
 * from the ticket alone, so every later message can name it in `In-Reply-To`/`References` without asking anyone;
 * each later message's own id is derived from the ticket event, so every attempt of one delivery carries the same id.
 * The subject never changes (mail clients thread on it too); what changed is in the body. Plain text (ADR 0014).
 */
export interface AlertEmail {
  subject: string;
  text: string;
  messageId: string;
  inReplyTo?: string;
}

export function threadMessageId(ticketId: string, domain: string): string {
  return `<ticket.${ticketId}@${domain}>`;
}

export function replyMessageId(ticketId: string, eventId: string, domain: string): string {
  return `<ticket.${ticketId}.${eventId}@${domain}>`;
}

export function alertEmailSubject(t: Pick<TicketSnapshot, 'id' | 'touchpoint' | 'team'>): string {
  return `[Closeloop] ${t.touchpoint} · ticket ${t.id.slice(0, 8)} (${t.team})`;
}

const FOOTER = '-- \nA Closeloop alert. Replies to this email are not read: claim and resolve in the console or in Slack.';

/** The thread's first message: the ticket as it was opened. */
export function openedEmail(t: TicketSnapshot, consoleUrl: string, domain: string): AlertEmail {
  const lines = [
    `A ${t.severity} ticket was opened for ${t.touchpoint} (team ${t.team}).`,
    '',
    `Score: ${scoreLabel(t)}`,
    `Customer: ${customerLabel(t)}`,
    ...(t.comment ? ['Comment:', ...quote(t.comment)] : []),
    '',
    `First response due: ${t.firstResponseDue}`,
    `Resolve due: ${t.resolveDue}`,
    '',
    `Open in the console: ${consoleTicketUrl(consoleUrl, t.id)}`,
    '',
    FOOTER,
  ];
  return { subject: alertEmailSubject(t), text: lines.join('\n'), messageId: threadMessageId(t.id, domain) };
}

/** A reply in the thread for a change of the ticket, or undefined when the change is not told (an internal note). */
export function changeEmail(type: TicketEventType, data: TicketEventData, eventId: string, consoleUrl: string, domain: string): AlertEmail | undefined {
  const said = renderThreadReply(type, data);
  if (said === undefined) return undefined;
  const t = data.ticket;
  const lines = [
    plain(said),
    '',
    `Now: ${t.status}, ${t.severity}${t.assigneeName ? `, with ${t.assigneeName}` : ''} · ${scoreLabel(t)}`,
    `Open in the console: ${consoleTicketUrl(consoleUrl, t.id)}`,
    '',
    FOOTER,
  ];
  return { subject: `Re: ${alertEmailSubject(t)}`, text: lines.join('\n'), messageId: replyMessageId(t.id, eventId, domain), inReplyTo: threadMessageId(t.id, domain) };
}

function quote(text: string): string[] {
  return text.split(/\r?\n/).map((l) => `> ${l}`);
}

/** Slack mrkdwn (as the thread reply is written) → plain text: `*bold*` marks dropped, entities and quotes undone. */
export function plain(mrkdwn: string): string {
  return mrkdwn
    .replace(/\*(\S(?:[^*\n]*\S)?)\*/g, '$1')
    .split('\n')
    .map((l) => (l.startsWith('>') ? `> ${l.slice(1)}` : l))
    .join('\n')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
