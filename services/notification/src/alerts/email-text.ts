import type { TicketEventData, TicketEventType, TicketSnapshot, Translator } from '@closeloop/contracts';
import { consoleTicketUrl, customerLabel, renderThreadReply, scoreLabel, severityName } from '../slack/blocks';

/**
 * The alert by email (SPEC §11): one thread per ticket and team mailbox. The first message's `Message-ID` is derived
 * from the ticket alone, so every later message can name it in `In-Reply-To`/`References` without asking anyone;
 * each later message's own id is derived from the ticket event, so every attempt of one delivery carries the same id.
 * The subject never changes (mail clients thread on it too); what changed is in the body. Plain text (ADR 0014), in
 * the team's language with dates in the team's time zone (SPEC §14).
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

export function alertEmailSubject(t: Pick<TicketSnapshot, 'id' | 'touchpoint' | 'team'>, i18n: Translator): string {
  return i18n.t('email.subject', { touchpoint: t.touchpoint, id: t.id.slice(0, 8), team: t.team });
}

/** RFC 3676 signature separator, then the footer. */
const footer = (i18n: Translator) => `-- \n${i18n.t('email.footer')}`;

/** The thread's first message: the ticket as it was opened. */
export function openedEmail(t: TicketSnapshot, consoleUrl: string, domain: string, i18n: Translator): AlertEmail {
  const lines = [
    i18n.t('email.opened', { severity: severityName(t.severity, i18n), touchpoint: t.touchpoint, team: t.team }),
    '',
    i18n.t('email.score', { score: scoreLabel(t) }),
    i18n.t('email.customer', { customer: customerLabel(t) }),
    ...(t.comment ? [i18n.t('email.comment'), ...quote(t.comment)] : []),
    '',
    i18n.t('email.firstResponseDue', { due: i18n.dateTime(t.firstResponseDue) }),
    i18n.t('email.resolveDue', { due: i18n.dateTime(t.resolveDue) }),
    '',
    i18n.t('email.openInConsole', { url: consoleTicketUrl(consoleUrl, t.id) }),
    '',
    footer(i18n),
  ];
  return { subject: alertEmailSubject(t, i18n), text: lines.join('\n'), messageId: threadMessageId(t.id, domain) };
}

/** A reply in the thread for a change of the ticket, or undefined when the change is not told (an internal note). */
export function changeEmail(type: TicketEventType, data: TicketEventData, eventId: string, consoleUrl: string, domain: string, i18n: Translator): AlertEmail | undefined {
  const said = renderThreadReply(type, data, i18n);
  if (said === undefined) return undefined;
  const t = data.ticket;
  const now = { status: t.status, severity: severityName(t.severity, i18n) };
  const lines = [
    plain(said),
    '',
    `${t.assigneeName ? i18n.t('email.nowWith', { ...now, name: t.assigneeName }) : i18n.t('email.now', now)} · ${scoreLabel(t)}`,
    i18n.t('email.openInConsole', { url: consoleTicketUrl(consoleUrl, t.id) }),
    '',
    footer(i18n),
  ];
  // "Re: " is the mail convention (RFC 5322 §3.6.5) every client threads on, whatever the language
  return { subject: `Re: ${alertEmailSubject(t, i18n)}`, text: lines.join('\n'), messageId: replyMessageId(t.id, eventId, domain), inReplyTo: threadMessageId(t.id, domain) };
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
