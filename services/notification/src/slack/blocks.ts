import type { ActionsBlock, Button, ContextBlock, KnownBlock, ModalView, PlainTextOption, SectionBlock, StaticSelect } from '@slack/web-api';
import { METRIC_SCALES, type Severity, type TicketCommandType, type TicketEscalatedData, type TicketEventData, type TicketEventType, type TicketSnapshot } from '@closeloop/contracts';

/**
 * Block Kit for the one top-level alert of a ticket, its thread replies and the resolve modal. Pure: everything
 * shown comes from the ticket snapshot (and `now`, to say whether an SLA is overdue), so a re-render of the same
 * snapshot is the same payload and tests assert it exactly.
 */

/** Slack's limits (https://api.slack.com/reference/block-kit/blocks, chat.postMessage). */
export const SLACK_LIMITS = {
  /** `text` of chat.postMessage / chat.update: Slack truncates beyond 40,000, but recommends ≤ 4,000. */
  messageText: 4_000,
  headerText: 150,
  sectionText: 3_000,
  fieldText: 2_000,
  buttonText: 75,
  buttonValue: 2_000,
  modalTitle: 24,
  privateMetadata: 3_000,
} as const;

/** The comment is quoted in full up to this many characters (escaped), well under the section limit. */
const COMMENT_LIMIT = 2_800;
/** The fallback `text` (notifications, screen readers) carries a shorter excerpt. */
const FALLBACK_COMMENT_LIMIT = 300;

export const ACTION_CLAIM = 'claim';
export const ACTION_RESOLVE = 'resolve';
export const ACTION_OPEN_CONSOLE = 'open_console';
export const ACTION_MESSAGE_CUSTOMER = 'message_customer';
/**
 * The **Assign** menu (SPEC §12): a `static_select` whose options are the team's agents and leads. A select reports the
 * chosen option (`actions[].selected_option.value`), not a `value` of its own, so each option's value carries both
 * the ticket and the agent: `<ticketId>:<agentId>` (ticket ids are UUIDs, no colon). Shapes: Slack's select menu
 * element reference (https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element#static_select) and
 * the block_actions payload of a static select (https://docs.slack.dev/tools/bolt-js/reference/interfaces/StaticSelectAction).
 */
export const ACTION_ASSIGN = 'assign';
/** Slack caps an option's `value` at 150 characters and a static_select at 100 options. */
const OPTION_VALUE_LIMIT = 150;
const SELECT_OPTIONS_LIMIT = 100;

export function assignValue(ticketId: string, agentId: string): string {
  return `${ticketId}:${agentId}`;
}

export function parseAssignValue(value: string): { ticketId: string; agentId: string } | undefined {
  const i = value.indexOf(':');
  if (i <= 0 || i === value.length - 1) return undefined;
  return { ticketId: value.slice(0, i), agentId: value.slice(i + 1) };
}
export const RESOLVE_CALLBACK_ID = 'closeloop_resolve';
/** Block and action ids of the resolve modal's inputs (Slack returns values under `state.values[block][action]`). */
export const RESOLVE_INPUTS = {
  rootCause: { block: 'root_cause', action: 'root_cause_select' },
  note: { block: 'note', action: 'note_input' },
  customerContacted: { block: 'customer_contacted', action: 'customer_contacted_check' },
} as const;
export const CUSTOMER_CONTACTED_VALUE = 'contacted';
/** The resolve modal's second checkbox: resolve with `recheck: true` (SPEC §11, ADR 0018). */
export const RECHECK_VALUE = 'recheck';

/** Metadata put on the top-level post so an ambiguous post can be found again (conversations.history). */
export const ALERT_METADATA_EVENT_TYPE = 'closeloop_alert';
/** Metadata put on a thread reply (naming its delivery) so an ambiguous reply can be found again (conversations.replies). */
export const REPLY_METADATA_EVENT_TYPE = 'closeloop_reply';

export interface RenderOptions {
  /** `CONSOLE_URL`, without a trailing slash. */
  consoleUrl: string;
  /** Decides "overdue"; the worker passes the time of sending. */
  now: Date;
  /** Who the **Assign** menu offers: the ticket team's agents and leads, in routing-file order; no menu when empty. */
  assignees?: readonly { id: string; name: string }[];
}

export interface RenderedMessage {
  text: string;
  blocks: KnownBlock[];
}

const SEVERITY_LABEL: Record<Severity, string> = { critical: '🔴 Critical', high: '🟠 High', normal: '🟡 Normal' };

export function consoleTicketUrl(consoleUrl: string, ticketId: string): string {
  return `${consoleUrl}/tickets/${encodeURIComponent(ticketId)}`;
}

/** `NPS 2/10` */
export function scoreLabel(t: Pick<TicketSnapshot, 'metric' | 'score'>): string {
  return `${t.metric.toUpperCase()} ${t.score}/${METRIC_SCALES[t.metric].max}`;
}

export function customerLabel(t: Pick<TicketSnapshot, 'customerId' | 'customerName'>): string {
  return t.customerName ? `${t.customerName} (${t.customerId})` : t.customerId;
}

/** The top-level alert, as posted and as every later `chat.update` re-renders it. */
export function renderAlert(t: TicketSnapshot, o: RenderOptions): RenderedMessage {
  const url = consoleTicketUrl(o.consoleUrl, t.id);
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(`${SEVERITY_LABEL[t.severity]} · ${scoreLabel(t)} · ${t.touchpoint}`, SLACK_LIMITS.headerText), emoji: true },
    },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Customer*\n${escapeMrkdwn(truncate(customerLabel(t), 500))}` },
        { type: 'mrkdwn', text: `*Touchpoint*\n${escapeMrkdwn(t.touchpoint)}` },
        { type: 'mrkdwn', text: `*Score*\n${scoreLabel(t)}` },
        { type: 'mrkdwn', text: `*Feedback*\n${t.feedbackCount} ${t.feedbackCount === 1 ? 'response' : 'responses'}` },
      ],
    },
    commentBlock(t),
    statusContext(t, o.now),
    actionsBlock(t, url, o.assignees ?? []),
  ];
  return { text: fallbackText(t), blocks };
}

function commentBlock(t: TicketSnapshot): SectionBlock {
  if (!t.comment || t.comment.trim() === '') return { type: 'section', text: { type: 'mrkdwn', text: '_No comment._' } };
  const lang = t.locale ? ` _(${escapeMrkdwn(t.locale)})_` : '';
  return { type: 'section', text: { type: 'mrkdwn', text: `${quote(truncateEscaped(t.comment, COMMENT_LIMIT))}${lang}` } };
}

function statusContext(t: TicketSnapshot, now: Date): ContextBlock {
  const parts: string[] = [];
  const who = t.assigneeName ?? t.assigneeId;
  if (t.status === 'open') parts.push(who ? `*Open* · 👤 assigned to *${escapeMrkdwn(who)}*, not claimed yet` : '*Open* · not claimed yet');
  else if (t.status === 'claimed') parts.push(`🙋 *Claimed by ${escapeMrkdwn(who ?? 'an agent')}*`);
  else parts.push(`✅ *Resolved*${who ? ` by ${escapeMrkdwn(who)}` : ''}${t.rootCause ? ` · root cause: ${escapeMrkdwn(t.rootCause)}` : ''}`);
  if (t.status === 'open') parts.push(slaText('First response', t.firstResponseDue, now));
  if (t.status !== 'resolved') parts.push(slaText('Resolve', t.resolveDue, now));
  return { type: 'context', elements: [{ type: 'mrkdwn', text: parts.join('  ·  ') }] };
}

function slaText(what: string, dueIso: string, now: Date): string {
  const due = new Date(dueIso);
  const when = `<!date^${Math.floor(due.getTime() / 1000)}^{date_short_pretty} {time}|${dueIso}>`;
  return due.getTime() <= now.getTime() ? `⏰ *${what} overdue* (due ${when})` : `${what} due ${when}`;
}

function assignMenu(t: TicketSnapshot, assignees: readonly { id: string; name: string }[]): StaticSelect | undefined {
  const options: PlainTextOption[] = assignees
    .filter((a) => assignValue(t.id, a.id).length <= OPTION_VALUE_LIMIT)
    .slice(0, SELECT_OPTIONS_LIMIT)
    .map((a) => ({ text: { type: 'plain_text', text: truncate(a.name, SLACK_LIMITS.buttonText) }, value: assignValue(t.id, a.id) }));
  if (options.length === 0) return undefined;
  const current = options.find((o) => o.value === assignValue(t.id, t.assigneeId ?? ''));
  return {
    type: 'static_select', action_id: ACTION_ASSIGN, placeholder: { type: 'plain_text', text: 'Assign' }, options, ...(current ? { initial_option: current } : {}),
  };
}

function actionsBlock(t: TicketSnapshot, consoleUrl: string, assignees: readonly { id: string; name: string }[]): ActionsBlock {
  const open: Button = { type: 'button', action_id: ACTION_OPEN_CONSOLE, text: { type: 'plain_text', text: 'Open in console' }, url: consoleUrl };
  const claim: Button = { type: 'button', action_id: ACTION_CLAIM, text: { type: 'plain_text', text: 'Claim' }, value: t.id, style: 'primary' };
  const resolve: Button = { type: 'button', action_id: ACTION_RESOLVE, text: { type: 'plain_text', text: 'Resolve' }, value: t.id };
  // SPEC §11: closing the loop with the customer, before and after the resolution (an apology, then "it is fixed")
  const message: Button = { type: 'button', action_id: ACTION_MESSAGE_CUSTOMER, text: { type: 'plain_text', text: 'Message customer' }, value: t.id };
  const assign = t.status === 'resolved' ? undefined : assignMenu(t, assignees);
  const menu = assign ? [assign] : [];
  const elements = t.status === 'open' ? [claim, resolve, ...menu, message, open] : t.status === 'claimed' ? [resolve, ...menu, message, open] : [message, open];
  return { type: 'actions', block_id: 'ticket_actions', elements };
}

/** The message's `text` (notifications, screen readers). Slack formats it as mrkdwn too, so it is escaped like the blocks. */
function fallbackText(t: TicketSnapshot): string {
  const status = t.status === 'open' ? '' : t.status === 'claimed' ? ` [claimed by ${t.assigneeName ?? t.assigneeId ?? 'an agent'}]` : ' [resolved]';
  const comment = t.comment ? `: “${truncate(t.comment, FALLBACK_COMMENT_LIMIT)}”` : '';
  return truncateEscaped(`${SEVERITY_LABEL[t.severity]} ${scoreLabel(t)} at ${t.touchpoint} — ${customerLabel(t)}${comment}${status}`, SLACK_LIMITS.messageText);
}

/** The thread reply that tells what changed; `undefined` for events that add nothing to the thread. */
export function renderThreadReply(type: TicketEventType, data: TicketEventData): string | undefined {
  const t = data.ticket;
  const actor = escapeMrkdwn(data.actor.name ?? (data.actor.kind === 'system' ? 'Closeloop' : (data.actor.id ?? 'someone')));
  switch (type) {
    case 'ticket.feedback_attached': {
      const rose = data.previousSeverity && data.previousSeverity !== t.severity ? ` · severity raised from ${data.previousSeverity} to *${t.severity}*` : '';
      const comment = t.comment ? `\n${quote(truncateEscaped(t.comment, 1_000))}` : '';
      return `➕ More feedback from this customer (${t.feedbackCount} in all, latest ${scoreLabel(t)})${rose}${comment}`;
    }
    case 'ticket.feedback_revised': {
      const rose = data.previousSeverity && data.previousSeverity !== t.severity ? ` · severity raised from ${data.previousSeverity} to *${t.severity}*` : '';
      const comment = t.comment ? `\n${quote(truncateEscaped(t.comment, 1_000))}` : '';
      return `✏️ The customer changed their feedback (now ${scoreLabel(t)})${rose}${comment}`;
    }
    case 'ticket.claimed':
      return `🙋 Claimed by *${escapeMrkdwn(t.assigneeName ?? data.actor.name ?? t.assigneeId ?? 'an agent')}*`;
    case 'ticket.assigned':
      return `👤 Assigned to *${escapeMrkdwn(t.assigneeName ?? t.assigneeId ?? 'an agent')}* by ${actor}`;
    case 'ticket.resolved':
      return `✅ Resolved by *${actor}*${t.rootCause ? ` · root cause: ${escapeMrkdwn(t.rootCause)}` : ''}${data.customerContacted ? ' · customer contacted' : ''}`;
    case 'ticket.reopened':
      return `↩️ Reopened by *${actor}*${data.reason ? `: ${escapeMrkdwn(truncate(data.reason, 500))}` : ''}`;
    case 'ticket.sla_breached':
      return data.breach === 'resolve' ? '⏰ SLA breached: the ticket was not resolved in time' : '⏰ SLA breached: nobody responded in time';
    case 'ticket.escalated': {
      const e = (data as TicketEscalatedData).escalation;
      return `⏫ Escalated (step ${e.step} of ${e.of}): nobody has claimed this ticket ${humanDuration(e.after)} after it ${t.openedAt === e.from ? 'opened' : 'was reopened'}`;
    }
    default:
      return undefined;
  }
}

/** `PT1H30M` → "1 h 30 min"; anything unusual is shown as written. */
export function humanDuration(iso: string): string {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!m) return iso;
  const parts = [[m[1], 'd'], [m[2], 'h'], [m[3], 'min'], [m[4], 's']].filter(([n]) => n !== undefined && Number(n) > 0).map(([n, u]) => `${Number(n)} ${u}`);
  return parts.length ? parts.join(' ') : iso;
}

/** What the Slack user who pressed a button is told when tickets refused the command (ephemeral). */
export function renderCommandRejected(commandType: TicketCommandType | undefined, reason: string | undefined): string {
  const what = commandType === 'ticket.claim' ? 'claim this ticket' : commandType === 'ticket.resolve' ? 'resolve this ticket'
    : commandType === 'ticket.assign' ? 'assign this ticket' : commandType === 'ticket.message_customer' ? "message this ticket's customer" : 'change this ticket';
  return `You can't ${what}: ${escapeMrkdwn(reason ?? 'the request was refused')}`;
}

export const UNKNOWN_SLACK_USER_TEXT = "Your Slack user isn't linked to a Closeloop agent, so nothing was changed. Ask an admin to add your Slack user id to the routing file.";

/** What the resolve modal carries from the button press to the submission. */
export interface ResolveModalContext {
  ticketId: string;
  /** The button's response_url, so a refused resolve can still be answered in the channel. */
  responseUrl?: string;
}

/**
 * The resolve modal. `opts.recheckAfter` (the team's, when the routing file has a `recheck` template) adds a checkbox
 * that resolves with `recheck: true`.
 */
export function resolveModal(ctx: ResolveModalContext, rootCauses: readonly string[], ticket?: TicketSnapshot, opts: { recheckAfter?: string } = {}): ModalView {
  const summary = ticket ? `${SEVERITY_LABEL[ticket.severity]} · ${scoreLabel(ticket)} · ${escapeMrkdwn(ticket.touchpoint)} · ${escapeMrkdwn(customerLabel(ticket))}` : `Ticket ${ctx.ticketId}`;
  return {
    type: 'modal',
    callback_id: RESOLVE_CALLBACK_ID,
    private_metadata: encodeModalContext(ctx),
    title: { type: 'plain_text', text: 'Resolve ticket' },
    submit: { type: 'plain_text', text: 'Resolve' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: truncate(summary, SLACK_LIMITS.sectionText) } },
      {
        type: 'input',
        block_id: RESOLVE_INPUTS.rootCause.block,
        label: { type: 'plain_text', text: 'Root cause' },
        element: {
          type: 'static_select',
          action_id: RESOLVE_INPUTS.rootCause.action,
          placeholder: { type: 'plain_text', text: 'Pick the root cause' },
          // Slack allows 100 options; the routing file's list is a handful.
          options: rootCauses.slice(0, 100).map((c) => ({ text: { type: 'plain_text', text: truncate(humanize(c), 75) }, value: c })),
        },
      },
      {
        type: 'input',
        block_id: RESOLVE_INPUTS.note.block,
        optional: true,
        label: { type: 'plain_text', text: 'Resolution note' },
        element: { type: 'plain_text_input', action_id: RESOLVE_INPUTS.note.action, multiline: true, max_length: 3_000 },
      },
      {
        type: 'input',
        block_id: RESOLVE_INPUTS.customerContacted.block,
        optional: true,
        label: { type: 'plain_text', text: 'Customer' },
        element: {
          type: 'checkboxes',
          action_id: RESOLVE_INPUTS.customerContacted.action,
          options: [
            { text: { type: 'plain_text', text: 'Customer contacted' }, value: CUSTOMER_CONTACTED_VALUE },
            ...(opts.recheckAfter
              ? [{ text: { type: 'plain_text' as const, text: truncate(`Ask them again after ${opts.recheckAfter} (recheck)`, 75) }, value: RECHECK_VALUE }]
              : []),
          ],
        },
      },
    ],
  };
}

export function encodeModalContext(ctx: ResolveModalContext): string {
  const full = JSON.stringify(ctx);
  // a response_url is far shorter than the limit; never send metadata Slack would reject
  return full.length <= SLACK_LIMITS.privateMetadata ? full : JSON.stringify({ ticketId: ctx.ticketId });
}

export function decodeModalContext(raw: unknown): ResolveModalContext | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined;
  try {
    const v = JSON.parse(raw) as Partial<ResolveModalContext>;
    if (typeof v.ticketId !== 'string' || v.ticketId === '') return undefined;
    return { ticketId: v.ticketId, ...(typeof v.responseUrl === 'string' ? { responseUrl: v.responseUrl } : {}) };
  } catch {
    return undefined;
  }
}

/** `staff-behaviour` → `Staff behaviour` */
export function humanize(slug: string): string {
  const words = slug.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Slack mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function quote(escaped: string): string {
  return escaped
    .split(/\r?\n/)
    .map((line) => `>${line}`)
    .join('\n');
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Cuts to at most `max` UTF-16 units, on a grapheme boundary (never half an emoji, a surrogate pair or a letter
 * with its combining mark), ending in "…" when anything was cut.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    if (out.length + segment.length > max - 1) break;
    out += segment;
  }
  return `${out}…`;
}

/** Escapes for mrkdwn and truncates so the ESCAPED text fits `max`, without cutting an entity or a grapheme. */
export function truncateEscaped(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    const piece = escapeMrkdwn(segment);
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out}…`;
}
