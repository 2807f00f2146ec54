import type { ActionsBlock, Button, ContextBlock, KnownBlock, ModalView, PlainTextOption, SectionBlock, StaticSelect } from '@slack/web-api';
import { METRIC_SCALES, checkIsoDuration, type RefusalCode, type Severity, type TicketCommandType, type Translator, type TicketEscalatedData, type TicketEventData, type TicketEventType, type TicketSnapshot } from '@closeloop/contracts';

/**
 * Block Kit for the one top-level alert of a ticket, its thread replies and the resolve modal. Pure: everything
 * shown comes from the ticket snapshot (and `now`, to say whether an SLA is overdue), so a re-render of the same
 * snapshot is the same payload and tests assert it exactly. Every word comes from the alerts catalog in the team's
 * language (SPEC §14, the `i18n` translator); the customer's comment is quoted as written.
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
  /** An input block's `label` and a select's `placeholder`. */
  inputLabel: 2_000,
  placeholder: 150,
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
  /** The team's language and time zone (alerts/team-language.ts). */
  i18n: Translator;
}

export interface RenderedMessage {
  text: string;
  blocks: KnownBlock[];
}

/** `🔴 Critical` in the team's language: the header's and the fallback's severity. */
export function severityLabel(severity: Severity, i18n: Translator): string {
  return i18n.t('alert.severity', { severity });
}

/** `critical` in the team's language, inside a sentence. */
export function severityName(severity: Severity, i18n: Translator): string {
  return i18n.t('alert.severityName', { severity });
}

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
  const { i18n } = o;
  const url = consoleTicketUrl(o.consoleUrl, t.id);
  const field = (label: string, value: string) => ({ type: 'mrkdwn' as const, text: `*${label}*\n${value}` });
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(i18n.t('alert.header', { severity: severityLabel(t.severity, i18n), score: scoreLabel(t), touchpoint: t.touchpoint }), SLACK_LIMITS.headerText), emoji: true },
    },
    {
      type: 'section',
      fields: [
        field(i18n.t('alert.field.customer'), escapeMrkdwn(truncate(customerLabel(t), 500))),
        field(i18n.t('alert.field.touchpoint'), escapeMrkdwn(t.touchpoint)),
        field(i18n.t('alert.field.score'), scoreLabel(t)),
        field(i18n.t('alert.field.feedback'), i18n.t('alert.responses', { count: t.feedbackCount })),
      ],
    },
    commentBlock(t, i18n),
    statusContext(t, o.now, i18n),
    actionsBlock(t, url, o.assignees ?? [], i18n),
  ];
  return { text: fallbackText(t, i18n), blocks };
}

function commentBlock(t: TicketSnapshot, i18n: Translator): SectionBlock {
  if (!t.comment || t.comment.trim() === '') return { type: 'section', text: { type: 'mrkdwn', text: `_${i18n.t('alert.noComment')}_` } };
  const lang = t.locale ? ` _(${escapeMrkdwn(t.locale)})_` : '';
  return { type: 'section', text: { type: 'mrkdwn', text: `${quote(truncateEscaped(t.comment, COMMENT_LIMIT))}${lang}` } };
}

function statusContext(t: TicketSnapshot, now: Date, i18n: Translator): ContextBlock {
  const parts: string[] = [];
  const who = t.assigneeName ?? t.assigneeId;
  if (t.status === 'open') parts.push(who ? i18n.t('alert.status.openAssigned', { name: escapeMrkdwn(who) }) : i18n.t('alert.status.open'));
  else if (t.status === 'claimed') parts.push(`🙋 *${i18n.t('alert.claimedBy', { name: escapeMrkdwn(who ?? i18n.t('alert.anAgent')) })}*`);
  else {
    const resolved = who ? i18n.t('alert.status.resolvedBy', { name: escapeMrkdwn(who) }) : i18n.t('alert.status.resolved');
    parts.push(t.rootCause ? `${resolved} · ${i18n.t('alert.rootCause', { cause: escapeMrkdwn(t.rootCause) })}` : resolved);
  }
  if (t.status === 'open') parts.push(slaText('firstResponse', t.firstResponseDue, now, i18n));
  if (t.status !== 'resolved') parts.push(slaText('resolve', t.resolveDue, now, i18n));
  return { type: 'context', elements: [{ type: 'mrkdwn', text: parts.join('  ·  ') }] };
}

const SLA_KEYS = {
  firstResponse: { due: 'alert.sla.firstResponseDue', overdue: 'alert.sla.firstResponseOverdue' },
  resolve: { due: 'alert.sla.resolveDue', overdue: 'alert.sla.resolveOverdue' },
} as const;

/** Slack shows the date token in each reader's own time zone; the fallback after `|` is the team's date and time. */
function slaText(what: keyof typeof SLA_KEYS, dueIso: string, now: Date, i18n: Translator): string {
  const due = new Date(dueIso);
  const when = `<!date^${Math.floor(due.getTime() / 1000)}^{date_short_pretty} {time}|${i18n.dateTime(due)}>`;
  return i18n.t(due.getTime() <= now.getTime() ? SLA_KEYS[what].overdue : SLA_KEYS[what].due, { due: when });
}

function assignMenu(t: TicketSnapshot, assignees: readonly { id: string; name: string }[], i18n: Translator): StaticSelect | undefined {
  const options: PlainTextOption[] = assignees
    .filter((a) => assignValue(t.id, a.id).length <= OPTION_VALUE_LIMIT)
    .slice(0, SELECT_OPTIONS_LIMIT)
    .map((a) => ({ text: { type: 'plain_text', text: truncate(a.name, SLACK_LIMITS.buttonText) }, value: assignValue(t.id, a.id) }));
  if (options.length === 0) return undefined;
  const current = options.find((o) => o.value === assignValue(t.id, t.assigneeId ?? ''));
  return {
    type: 'static_select', action_id: ACTION_ASSIGN, placeholder: { type: 'plain_text', text: i18n.t('alert.button.assign') }, options, ...(current ? { initial_option: current } : {}),
  };
}

function actionsBlock(t: TicketSnapshot, consoleUrl: string, assignees: readonly { id: string; name: string }[], i18n: Translator): ActionsBlock {
  const label = (key: 'alert.button.openConsole' | 'alert.button.claim' | 'alert.button.resolve' | 'alert.button.messageCustomer') => ({
    type: 'plain_text' as const, text: truncate(i18n.t(key), SLACK_LIMITS.buttonText),
  });
  const open: Button = { type: 'button', action_id: ACTION_OPEN_CONSOLE, text: label('alert.button.openConsole'), url: consoleUrl };
  const claim: Button = { type: 'button', action_id: ACTION_CLAIM, text: label('alert.button.claim'), value: t.id, style: 'primary' };
  const resolve: Button = { type: 'button', action_id: ACTION_RESOLVE, text: label('alert.button.resolve'), value: t.id };
  // SPEC §11: closing the loop with the customer, before and after the resolution (an apology, then "it is fixed")
  const message: Button = { type: 'button', action_id: ACTION_MESSAGE_CUSTOMER, text: label('alert.button.messageCustomer'), value: t.id };
  const assign = t.status === 'resolved' ? undefined : assignMenu(t, assignees, i18n);
  const menu = assign ? [assign] : [];
  const elements = t.status === 'open' ? [claim, resolve, ...menu, message, open] : t.status === 'claimed' ? [resolve, ...menu, message, open] : [message, open];
  return { type: 'actions', block_id: 'ticket_actions', elements };
}

/** The message's `text` (notifications, screen readers). Slack formats it as mrkdwn too, so it is escaped like the blocks. */
function fallbackText(t: TicketSnapshot, i18n: Translator): string {
  const who = t.assigneeName ?? t.assigneeId ?? i18n.t('alert.anAgent');
  const status = t.status === 'open' ? '' : t.status === 'claimed' ? ` ${i18n.t('alert.fallback.claimed', { name: who })}` : ` ${i18n.t('alert.fallback.resolved')}`;
  const comment = t.comment ? `: “${truncate(t.comment, FALLBACK_COMMENT_LIMIT)}”` : '';
  const head = i18n.t('alert.fallback', { severity: severityLabel(t.severity, i18n), score: scoreLabel(t), touchpoint: t.touchpoint, customer: customerLabel(t) });
  return truncateEscaped(`${head}${comment}${status}`, SLACK_LIMITS.messageText);
}

/** ` · severity raised from normal to *critical*` when an attach or a revision raised it; else nothing. */
function severityRaised(data: TicketEventData, i18n: Translator): string {
  const t = data.ticket;
  if (!data.previousSeverity || data.previousSeverity === t.severity) return '';
  return ` · ${i18n.t('thread.severityRaised', { from: severityName(data.previousSeverity, i18n), to: severityName(t.severity, i18n) })}`;
}

/** The thread reply that tells what changed; `undefined` for events that add nothing to the thread. */
export function renderThreadReply(type: TicketEventType, data: TicketEventData, i18n: Translator): string | undefined {
  const t = data.ticket;
  const actor = escapeMrkdwn(data.actor.name ?? (data.actor.kind === 'system' ? 'Closeloop' : (data.actor.id ?? i18n.t('thread.someone'))));
  const comment = t.comment ? `\n${quote(truncateEscaped(t.comment, 1_000))}` : '';
  const anAgent = i18n.t('alert.anAgent');
  switch (type) {
    case 'ticket.feedback_attached':
      return `${i18n.t('thread.moreFeedback', { count: t.feedbackCount, score: scoreLabel(t) })}${severityRaised(data, i18n)}${comment}`;
    case 'ticket.feedback_revised':
      return `${i18n.t('thread.changedFeedback', { score: scoreLabel(t) })}${severityRaised(data, i18n)}${comment}`;
    case 'ticket.claimed':
      return i18n.t('thread.claimed', { name: escapeMrkdwn(t.assigneeName ?? data.actor.name ?? t.assigneeId ?? anAgent) });
    case 'ticket.assigned':
      return i18n.t('thread.assigned', { name: escapeMrkdwn(t.assigneeName ?? t.assigneeId ?? anAgent), actor });
    case 'ticket.resolved':
      return [
        i18n.t('thread.resolved', { actor }),
        ...(t.rootCause ? [i18n.t('alert.rootCause', { cause: escapeMrkdwn(t.rootCause) })] : []),
        ...(data.customerContacted ? [i18n.t('thread.customerContacted')] : []),
      ].join(' · ');
    case 'ticket.reopened':
      return data.reason ? i18n.t('thread.reopenedBecause', { actor, reason: escapeMrkdwn(truncate(data.reason, 500)) }) : i18n.t('thread.reopened', { actor });
    case 'ticket.sla_breached':
      return i18n.t(data.breach === 'resolve' ? 'thread.slaBreached.resolve' : 'thread.slaBreached.firstResponse');
    case 'ticket.escalated': {
      const e = (data as TicketEscalatedData).escalation;
      return i18n.t('thread.escalated', { step: e.step, of: e.of, after: humanDuration(e.after, i18n), since: t.openedAt === e.from ? 'opened' : 'reopened' });
    }
    default:
      return undefined;
  }
}

/** `PT1H30M` → "1 hr 30 min" in the reader's language, read as the routing file reads durations; anything else as written. */
export function humanDuration(iso: string, i18n: Translator): string {
  const d = checkIsoDuration(iso);
  return d.ok ? i18n.duration(d.ms) : iso;
}

const REJECTED_COMMAND: Record<TicketCommandType, string> = {
  'ticket.claim': 'claim', 'ticket.resolve': 'resolve', 'ticket.assign': 'assign', 'ticket.message_customer': 'message',
};

/** Why tickets refused, as it said it: a code (said in the reader's language) and its English text (said as written otherwise). */
export interface RejectionReason {
  reason?: string;
  reasonCode?: RefusalCode;
  /** who holds the ticket (`already_claimed`) and whose it is (`forbidden_team`): from the refused ticket's snapshot */
  assignee?: string;
  team?: string;
}

/** What the Slack user who pressed a button is told when tickets refused the command (ephemeral). */
export function renderCommandRejected(commandType: TicketCommandType | undefined, why: RejectionReason, i18n: Translator): string {
  const command = commandType ? REJECTED_COMMAND[commandType] : 'other';
  const english = why.reason ?? i18n.t('slack.rejected.noReason');
  const reason = why.reasonCode
    ? i18n.t('slack.rejected.reason', { code: why.reasonCode, assignee: why.assignee ?? '?', team: why.team ?? '?', reason: english })
    : english;
  return i18n.t('slack.rejected', { command, reason: escapeMrkdwn(reason) });
}

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
export function resolveModal(
  ctx: ResolveModalContext, rootCauses: readonly string[], ticket: TicketSnapshot | undefined, opts: { recheckAfter?: string; i18n: Translator },
): ModalView {
  const { i18n } = opts;
  const summary = ticket
    ? i18n.t('alert.summary', {
      severity: severityLabel(ticket.severity, i18n), score: scoreLabel(ticket), touchpoint: escapeMrkdwn(ticket.touchpoint), customer: escapeMrkdwn(customerLabel(ticket)),
    })
    : i18n.t('modal.ticket', { id: ctx.ticketId });
  const plain = (text: string, max: number = SLACK_LIMITS.buttonText) => ({ type: 'plain_text' as const, text: truncate(text, max) });
  return {
    type: 'modal',
    callback_id: RESOLVE_CALLBACK_ID,
    private_metadata: encodeModalContext(ctx),
    title: plain(i18n.t('modal.resolve.title'), SLACK_LIMITS.modalTitle),
    submit: plain(i18n.t('alert.button.resolve'), SLACK_LIMITS.modalTitle),
    close: plain(i18n.t('modal.cancel'), SLACK_LIMITS.modalTitle),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: truncate(summary, SLACK_LIMITS.sectionText) } },
      {
        type: 'input',
        block_id: RESOLVE_INPUTS.rootCause.block,
        label: plain(i18n.t('modal.resolve.rootCause'), SLACK_LIMITS.inputLabel),
        element: {
          type: 'static_select',
          action_id: RESOLVE_INPUTS.rootCause.action,
          placeholder: plain(i18n.t('modal.resolve.pickRootCause'), SLACK_LIMITS.placeholder),
          // Slack allows 100 options; the routing file's list is a handful.
          options: rootCauses.slice(0, 100).map((c) => ({ text: { type: 'plain_text', text: truncate(humanize(c), 75) }, value: c })),
        },
      },
      {
        type: 'input',
        block_id: RESOLVE_INPUTS.note.block,
        optional: true,
        label: plain(i18n.t('modal.resolve.note'), SLACK_LIMITS.inputLabel),
        element: { type: 'plain_text_input', action_id: RESOLVE_INPUTS.note.action, multiline: true, max_length: 3_000 },
      },
      {
        type: 'input',
        block_id: RESOLVE_INPUTS.customerContacted.block,
        optional: true,
        label: plain(i18n.t('alert.field.customer'), SLACK_LIMITS.inputLabel),
        element: {
          type: 'checkboxes',
          action_id: RESOLVE_INPUTS.customerContacted.action,
          options: [
            { text: plain(i18n.t('modal.resolve.contacted')), value: CUSTOMER_CONTACTED_VALUE },
            ...(opts.recheckAfter ? [{ text: plain(i18n.t('modal.resolve.recheck', { after: humanDuration(opts.recheckAfter, i18n) })), value: RECHECK_VALUE }] : []),
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
