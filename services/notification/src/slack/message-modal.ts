import type { KnownBlock, ModalView } from '@slack/web-api';
import { renderTemplate, type Templates, type TicketSnapshot, type Translator } from '@closeloop/contracts';
import { customerLabel, escapeMrkdwn, SLACK_LIMITS, truncate } from './blocks';

/**
 * The **Message customer** modal (SPEC §11): pick a routing-file template — each shown as the customer will read it,
 * rendered in their language with this agent's name — or write a text. The submission becomes a
 * `ticket.message_customer` command; tickets decides (no number, opted out, …) and the agent is told if it refuses.
 * The modal's own words are the team's language (`i18n`); the previews are the customer's, as they will read them.
 */
export const MESSAGE_CALLBACK_ID = 'closeloop_message_customer';
export const MESSAGE_INPUTS = {
  template: { block: 'message_template', action: 'message_template_select' },
  body: { block: 'message_body', action: 'message_body_input' },
} as const;
/** The API's limit for a text (10 SMS segments of GSM-7). */
export const MESSAGE_BODY_MAX = 1_600;
/** Templates sent by Closeloop itself, not picked by agents: the recheck goes out when a ticket is resolved with it. */
const NOT_PICKABLE = new Set(['recheck']);

export interface MessageModalContext {
  ticketId: string;
  responseUrl?: string;
}

export function messageModal(ctx: MessageModalContext, templates: Templates, agentName: string, ticket: TicketSnapshot | undefined, i18n: Translator): ModalView {
  const previews = ticket ? pickableTemplates(templates, ticket, agentName) : [];
  const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: truncate(text, max) });
  const to = !ticket
    ? i18n.t('modal.ticket', { id: ctx.ticketId })
    : [
      i18n.t('modal.message.to', { customer: escapeMrkdwn(truncate(customerLabel(ticket), 200)) }),
      ...(ticket.locale ? [i18n.t('modal.message.language', { locale: escapeMrkdwn(ticket.locale) })] : []),
    ].join(' · ');
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: truncate(to, SLACK_LIMITS.sectionText) } }];
  if (previews.length > 0) {
    blocks.push({
      type: 'input',
      block_id: MESSAGE_INPUTS.template.block,
      optional: true,
      label: plain(i18n.t('modal.message.template'), SLACK_LIMITS.inputLabel),
      element: {
        type: 'static_select',
        action_id: MESSAGE_INPUTS.template.action,
        placeholder: plain(i18n.t('modal.message.pickTemplate'), SLACK_LIMITS.placeholder),
        options: previews.slice(0, 100).map((p) => ({ text: { type: 'plain_text', text: truncate(p.name, 75) }, value: p.name })),
      },
    });
    for (const p of previews.slice(0, 20)) {
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(`*${escapeMrkdwn(p.name)}* (${escapeMrkdwn(p.locale)}): ${escapeMrkdwn(p.text)}`, 3_000) }] });
    }
  }
  blocks.push({
    type: 'input',
    block_id: MESSAGE_INPUTS.body.block,
    optional: true,
    label: plain(i18n.t(previews.length > 0 ? 'modal.message.writeOwn' : 'modal.message.body'), SLACK_LIMITS.inputLabel),
    element: { type: 'plain_text_input', action_id: MESSAGE_INPUTS.body.action, multiline: true, max_length: MESSAGE_BODY_MAX },
  });
  return {
    type: 'modal',
    callback_id: MESSAGE_CALLBACK_ID,
    private_metadata: encodeMessageContext(ctx),
    title: plain(i18n.t('modal.message.title'), SLACK_LIMITS.modalTitle),
    submit: plain(i18n.t('modal.message.send'), SLACK_LIMITS.modalTitle),
    close: plain(i18n.t('modal.cancel'), SLACK_LIMITS.modalTitle),
    blocks,
  };
}

/** Every template an agent may pick that renders for this customer, as they will read it. */
export function pickableTemplates(templates: Templates, ticket: TicketSnapshot, agentName: string): { name: string; locale: string; text: string }[] {
  const values = { 'customer.name': ticket.customerName, 'agent.name': agentName, touchpoint: ticket.touchpoint, 'ticket.id': ticket.id };
  return Object.keys(templates)
    .filter((name) => !NOT_PICKABLE.has(name))
    .flatMap((name) => {
      const r = renderTemplate(templates, name, 'sms', ticket.locale, values);
      return r.ok ? [{ name, locale: r.message.locale, text: r.message.text }] : [];
    });
}

/** A submission → the command's request, or the block and message to show. */
export function readMessageSubmission(
  values: Record<string, Record<string, { selected_option?: { value?: string } | null; value?: string | null }>>,
  templates: Templates,
  i18n: Translator,
): { ok: true; template?: string; body?: string } | { ok: false; block: string; message: string } {
  const template = values[MESSAGE_INPUTS.template.block]?.[MESSAGE_INPUTS.template.action]?.selected_option?.value ?? undefined;
  const body = values[MESSAGE_INPUTS.body.block]?.[MESSAGE_INPUTS.body.action]?.value?.trim() || undefined;
  if (template && body) return { ok: false, block: MESSAGE_INPUTS.body.block, message: i18n.t('modal.message.notBoth') };
  if (!template && !body) return { ok: false, block: MESSAGE_INPUTS.body.block, message: i18n.t('modal.message.pickOne') };
  if (template && NOT_PICKABLE.has(template)) return { ok: false, block: MESSAGE_INPUTS.template.block, message: i18n.t('modal.message.recheckByResolve') };
  if (template && !Object.prototype.hasOwnProperty.call(templates, template)) {
    return { ok: false, block: MESSAGE_INPUTS.template.block, message: i18n.t('modal.message.templateGone') };
  }
  if (body && body.length > MESSAGE_BODY_MAX) return { ok: false, block: MESSAGE_INPUTS.body.block, message: i18n.t('modal.message.tooLong', { max: MESSAGE_BODY_MAX }) };
  return { ok: true, ...(template ? { template } : {}), ...(body ? { body } : {}) };
}

function encodeMessageContext(ctx: MessageModalContext): string {
  const full = JSON.stringify(ctx);
  return full.length <= SLACK_LIMITS.privateMetadata ? full : JSON.stringify({ ticketId: ctx.ticketId });
}
