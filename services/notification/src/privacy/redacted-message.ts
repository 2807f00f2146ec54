import type { KnownBlock } from '@slack/web-api';
import type { Translator } from '@closeloop/contracts';
import { consoleTicketUrl, type RenderedMessage } from '../slack/blocks';

/**
 * What a Slack message about an erased customer becomes (SPEC §13): the team's language says it was erased at the
 * customer's request, and the ticket's id and link stay, so the channel's history still makes sense; no name,
 * comment, contact or button. `alert` for the ticket's top-level message, `reply` for a thread reply.
 */
export function renderRedacted(role: 'alert' | 'reply', ticketId: string, consoleUrl: string, i18n: Translator): RenderedMessage {
  const said = i18n.t(role === 'alert' ? 'erasure.alertRedacted' : 'erasure.replyRedacted');
  // the link is Slack markup, outside the sentence: a right-to-left catalog isolates its arguments, which would break it
  const ticket = `${i18n.t('erasure.ticket')} <${consoleTicketUrl(consoleUrl, ticketId)}|${ticketId.slice(0, 8)}>`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: said } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: ticket }] },
  ];
  return { text: said, blocks };
}
