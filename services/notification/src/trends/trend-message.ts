import type { KnownBlock } from '@slack/types';
import type { TrendEventData, Translator } from '@closeloop/contracts';
import { type RenderedMessage, SLACK_LIMITS, consoleTicketUrl, escapeMrkdwn, humanDuration, truncate } from '../slack/blocks';

/** Ticket links shown in the message; the console link lists them all. */
export const TREND_TICKETS_SHOWN = 20;

/** The console's ticket list filtered to the trend's tickets: what the lead opens to see them all. */
export function consoleTrendUrl(consoleUrl: string, t: Pick<TrendEventData, 'ticketIds'>): string {
  return `${consoleUrl}/tickets?ids=${t.ticketIds.map(encodeURIComponent).join(',')}`;
}

function groupLabel(t: TrendEventData): string {
  return Object.entries(t.group).map(([k, v]) => (k === 'touchpoint' ? v : `${k.replace(/^attributes\./, '')}: ${v}`)).join(' · ');
}

/**
 * The trend's one top-level message, as posted and as every `chat.update` re-renders it (SPEC §12), in the team's
 * language: the window as a localised duration, dates in the team's time zone.
 */
export function renderTrend(t: TrendEventData, o: { consoleUrl: string; i18n: Translator }): RenderedMessage {
  const { i18n } = o;
  const window = humanDuration(t.window, i18n);
  const group = escapeMrkdwn(groupLabel(t));
  const head = t.status === 'open'
    ? i18n.t('trend.head.open', { count: t.count, window, group: groupLabel(t) })
    : i18n.t('trend.head.ended', { group: groupLabel(t), peak: t.peak, window });
  const shown = t.ticketIds.slice(0, TREND_TICKETS_SHOWN).map((id) => `<${consoleTicketUrl(o.consoleUrl, id)}|${id.slice(0, 8)}>`);
  const more = t.ticketIds.length > shown.length ? ` ${i18n.t('trend.more', { count: t.ticketIds.length - shown.length })}` : '';
  const field = (label: string, value: string) => ({ type: 'mrkdwn' as const, text: `*${label}*\n${value}` });
  const state = t.status === 'open' ? i18n.t('trend.ongoing') : i18n.t('trend.ended', { at: t.endedAt ? i18n.dateTime(t.endedAt) : '' });
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(head, SLACK_LIMITS.headerText), emoji: true } },
    {
      type: 'section',
      fields: [
        field(i18n.t('trend.field.group'), group),
        field(i18n.t('trend.field.now'), i18n.t('trend.now', { count: t.count, window, baseline: i18n.number(t.baseline, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) })),
        field(i18n.t('trend.field.peak'), String(t.peak)),
        field(i18n.t('trend.field.tickets'), String(t.ticketIds.length)),
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: shown.length ? `${shown.join(' · ')}${more}` : `_${i18n.t('trend.noTickets')}_` } },
    {
      type: 'context',
      elements: [{
        type: 'mrkdwn',
        text: [state, i18n.t('trend.since', { at: i18n.dateTime(t.openedAt) }), `<${consoleTrendUrl(o.consoleUrl, t)}|${i18n.t('trend.openAll', { count: t.ticketIds.length })}>`].join(' · '),
      }],
    },
  ];
  return { text: head, blocks };
}
