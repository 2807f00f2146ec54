import type { KnownBlock } from '@slack/types';
import type { TrendEventData } from '@closeloop/contracts';
import { type RenderedMessage, consoleTicketUrl, escapeMrkdwn } from '../slack/blocks';

/** Ticket links shown in the message; the console link lists them all. */
export const TREND_TICKETS_SHOWN = 20;

/** The console's ticket list filtered to the trend's tickets: what the lead opens to see them all. */
export function consoleTrendUrl(consoleUrl: string, t: Pick<TrendEventData, 'ticketIds'>): string {
  return `${consoleUrl}/tickets?ids=${t.ticketIds.map(encodeURIComponent).join(',')}`;
}

function groupLabel(t: TrendEventData): string {
  return Object.entries(t.group).map(([k, v]) => (k === 'touchpoint' ? v : `${k.replace(/^attributes\./, '')}: ${v}`)).join(' · ');
}

/** The trend's one top-level message, as posted and as every `chat.update` re-renders it (SPEC §12). */
export function renderTrend(t: TrendEventData, o: { consoleUrl: string }): RenderedMessage {
  const group = escapeMrkdwn(groupLabel(t));
  const head = t.status === 'open'
    ? `📈 Trend: ${t.count} action-required in the last ${t.window} · ${groupLabel(t)}`
    : `Trend ended · ${groupLabel(t)} (peak ${t.peak} in ${t.window})`;
  const shown = t.ticketIds.slice(0, TREND_TICKETS_SHOWN).map((id) => `<${consoleTicketUrl(o.consoleUrl, id)}|${id.slice(0, 8)}>`);
  const more = t.ticketIds.length > shown.length ? ` and ${t.ticketIds.length - shown.length} more` : '';
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: head.slice(0, 150), emoji: true } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Group*\n${group}` },
        { type: 'mrkdwn', text: `*Now*\n${t.count} in ${t.window} (usual ${t.baseline.toFixed(1)})` },
        { type: 'mrkdwn', text: `*Peak*\n${t.peak}` },
        { type: 'mrkdwn', text: `*Tickets*\n${t.ticketIds.length}` },
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: shown.length ? `${shown.join(' · ')}${more}` : '_No tickets._' } },
    {
      type: 'context',
      elements: [{
        type: 'mrkdwn',
        text: `${t.status === 'open' ? '*Ongoing*' : `*Ended* ${t.endedAt ?? ''}`} · since ${t.openedAt} · <${consoleTrendUrl(o.consoleUrl, t)}|Open all ${t.ticketIds.length} in the console>`,
      }],
    },
  ];
  return { text: head, blocks };
}
