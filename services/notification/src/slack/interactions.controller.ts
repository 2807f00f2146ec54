import { BeforeApplicationShutdown, Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { HttpResponse, RawRequest } from '../http';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { agentBySlackUserId, deterministicId, makeEnvelope, teamById, teamFor, Topic, type Agent, type RoutingConfig, type TicketCommandData, type TicketCommandType, type Translator } from '@closeloop/contracts';
import { Outbox } from '@closeloop/messaging';
import { CHAT_CHANNEL, type ChatChannel } from '../channels';
import { SERVICE, type NotificationConfig } from '../config';
import { slackInteractionsTotal } from '../metrics';
import { NotificationRepository } from '../persistence/notification.repository';
import { LOGGER, NOTIFICATION_CONFIG, ROUTING } from '../tokens';
import { ticketTranslator } from '../alerts/team-language';
import {
  ACTION_ASSIGN,
  ACTION_CLAIM,
  parseAssignValue,
  ACTION_MESSAGE_CUSTOMER,
  ACTION_RESOLVE,
  CUSTOMER_CONTACTED_VALUE,
  RECHECK_VALUE,
  decodeModalContext,
  RESOLVE_CALLBACK_ID,
  RESOLVE_INPUTS,
  resolveModal,
} from './blocks';
import { MESSAGE_CALLBACK_ID, messageModal, readMessageSubmission } from './message-modal';
import { verifySlackSignature } from './signature';

/** The parts of Slack's interaction payloads we read (https://api.slack.com/reference/interaction-payloads). */
interface InteractionPayload {
  type?: string;
  user?: { id?: string; username?: string };
  trigger_id?: string;
  response_url?: string;
  actions?: { action_id?: string; value?: string; action_ts?: string; selected_option?: { value?: string } }[];
  view?: {
    id?: string;
    hash?: string;
    callback_id?: string;
    private_metadata?: string;
    state?: { values?: Record<string, Record<string, { selected_option?: { value?: string } | null; value?: string | null; selected_options?: { value?: string }[] }>> };
  };
}

/** The contract's limit on a resolution note. */
const NOTE_MAX = 10_000;

/**
 * `POST /slack/interactions`: Slack buttons and the resolve modal. The signature is checked on the raw body before
 * anything is read. Button presses are acknowledged at once (Slack wants an answer within 3 s) and handled right
 * after; a modal submission is answered with its result, because only that answer can show errors in the modal.
 */
@Controller('slack')
export class SlackInteractionsController implements BeforeApplicationShutdown {
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly ds: DataSource,
    private readonly outbox: Outbox,
    private readonly repo: NotificationRepository,
    @Inject(CHAT_CHANNEL) private readonly chat: ChatChannel,
    @Inject(ROUTING) private readonly routing: RoutingConfig,
    @Inject(NOTIFICATION_CONFIG) private readonly cfg: NotificationConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  @Post('interactions')
  async interactions(@Req() req: RawRequest, @Res() res: HttpResponse): Promise<void> {
    const raw = req.rawBody ?? Buffer.alloc(0);
    const check = verifySlackSignature({
      signingSecret: this.cfg.slack.signingSecret ?? '',
      timestamp: req.headers['x-slack-request-timestamp'],
      signature: req.headers['x-slack-signature'],
      rawBody: raw,
    });
    if (!check.ok) {
      slackInteractionsTotal.inc({ type: 'unknown', outcome: 'rejected_signature' });
      this.log.warn({ reason: check.reason }, 'slack interaction refused: bad signature');
      res.status(401).json({ error: 'invalid_signature' });
      return;
    }

    const payload = parsePayload(raw);
    if (!payload) {
      slackInteractionsTotal.inc({ type: 'unknown', outcome: 'invalid' });
      res.status(400).json({ error: 'invalid_payload', detail: 'expected a form field "payload" holding a JSON object' });
      return;
    }

    if (payload.type === 'block_actions') {
      // A claim is recorded (one local transaction) before Slack hears 200, so a crash right after the answer cannot
      // lose the press; what needs a provider call (the resolve modal, a message through response_url) runs after it.
      const afterAnswer = await this.onBlockActions(payload);
      res.status(200).send();
      this.track(afterAnswer());
      return;
    }
    if (payload.type === 'view_submission' && payload.view?.callback_id === RESOLVE_CALLBACK_ID) {
      res.status(200).json(await this.onResolveSubmission(payload));
      return;
    }
    if (payload.type === 'view_submission' && payload.view?.callback_id === MESSAGE_CALLBACK_ID) {
      res.status(200).json(await this.onMessageSubmission(payload));
      return;
    }
    slackInteractionsTotal.inc({ type: payload.type ?? 'unknown', outcome: 'ignored' });
    res.status(200).send();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }

  private track(work: Promise<void>): void {
    const p = work.catch((err: unknown) => this.log.error({ err }, 'slack interaction failed after it was acknowledged'));
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /** Records what the press changes; returns the provider calls to make once Slack has its answer. */
  private async onBlockActions(p: InteractionPayload): Promise<() => Promise<void>> {
    const later: (() => Promise<void>)[] = [];
    for (const action of p.actions ?? []) {
      // The console link is a URL button; Slack reports its clicks too, and there is nothing to do.
      // the Assign menu (a static_select) reports the chosen option, not a `value`
      const value = action.action_id === ACTION_ASSIGN ? action.selected_option?.value : action.value;
      const known = [ACTION_CLAIM, ACTION_RESOLVE, ACTION_MESSAGE_CUSTOMER, ACTION_ASSIGN] as (string | undefined)[];
      if (!known.includes(action.action_id) || !value) {
        slackInteractionsTotal.inc({ type: 'block_actions', outcome: 'ignored' });
        continue;
      }
      const agent = this.agentFor(p);
      if (!agent) {
        slackInteractionsTotal.inc({ type: 'block_actions', outcome: 'unknown_user' });
        this.log.warn({ slackUserId: p.user?.id, action: action.action_id }, 'slack user is not linked to an agent; nothing changed');
        const about = action.action_id === ACTION_ASSIGN ? parseAssignValue(value)?.ticketId : value;
        later.push(async () => this.tell(p.response_url, (await this.i18nFor(about)).t('slack.unknownUser')));
        continue;
      }
      if (action.action_id === ACTION_ASSIGN) {
        const choice = parseAssignValue(value);
        if (!choice || !(await this.assign(p, choice.ticketId, choice.agentId, agent, action.action_ts))) {
          later.push(async () => this.tell(p.response_url, (await this.i18nFor(choice?.ticketId)).t('slack.assignFailed')));
        }
        continue;
      }
      const ticketId = value;
      if (action.action_id === ACTION_CLAIM) {
        if (!(await this.claim(p, ticketId, agent, action.action_ts))) {
          later.push(async () => this.tell(p.response_url, (await this.i18nFor(ticketId)).t('slack.claimFailed')));
        }
      } else if (action.action_id === ACTION_MESSAGE_CUSTOMER) {
        later.push(() => this.openMessageModal(p, ticketId, agent));
      } else {
        later.push(() => this.openResolveModal(p, ticketId));
      }
    }
    return async () => {
      for (const work of later) await work();
    };
  }

  /** Records the claim command; false when it could not be recorded (the agent is told after the answer). */
  private async claim(p: InteractionPayload, ticketId: string, agent: Agent, actionTs: string | undefined): Promise<boolean> {
    // One press is one command: the id is derived from the press, so a repeated handling never sends it twice.
    const commandId = deterministicId('slack-command', 'ticket.claim', ticketId, p.user?.id ?? '', actionTs ?? p.trigger_id ?? '');
    try {
      await this.sendCommand('ticket.claim', commandId, p.user?.id ?? '', { ticketId, agentId: agent.id, via: 'slack', ...(p.response_url ? { responseUrl: p.response_url } : {}) });
      slackInteractionsTotal.inc({ type: 'block_actions', outcome: 'command' });
      return true;
    } catch (err) {
      slackInteractionsTotal.inc({ type: 'block_actions', outcome: 'failed' });
      this.log.error({ err, ticketId }, 'could not record a claim from Slack');
      return false;
    }
  }

  /** The Assign menu → `ticket.assign` (SPEC §12); tickets judges the role and the assignee, a refusal comes back ephemeral. */
  private async assign(p: InteractionPayload, ticketId: string, assigneeId: string, agent: Agent, actionTs: string | undefined): Promise<boolean> {
    const commandId = deterministicId('slack-command', 'ticket.assign', ticketId, assigneeId, p.user?.id ?? '', actionTs ?? p.trigger_id ?? '');
    try {
      await this.sendCommand('ticket.assign', commandId, p.user?.id ?? '', {
        ticketId, agentId: agent.id, assigneeId, via: 'slack', ...(p.response_url ? { responseUrl: p.response_url } : {}),
      });
      slackInteractionsTotal.inc({ type: 'block_actions', outcome: 'command' });
      return true;
    } catch (err) {
      slackInteractionsTotal.inc({ type: 'block_actions', outcome: 'failed' });
      this.log.error({ err, ticketId }, 'could not record an assignment from Slack');
      return false;
    }
  }

  /**
   * What the person who pressed is told is in the language of the ticket's team (SPEC §14), like the alert they
   * pressed on; a ticket not known here yet speaks the default team's.
   */
  private async i18nFor(ticketId: string | undefined): Promise<Translator> {
    const ticket = ticketId ? await this.repo.latestSnapshot(this.ds, ticketId).catch(() => undefined) : undefined;
    return ticketTranslator(this.routing, ticket);
  }

  /** The team's recheckAfter as written in the routing file (the defaults' team when the ticket is not known yet). */
  private recheckAfterOf(ticket: { team: string; touchpoint: string } | undefined): string {
    const team = ticket ? teamById(this.routing, ticket.team) ?? teamFor(this.routing, ticket.touchpoint) : teamById(this.routing, this.routing.defaults.team);
    return team?.recheckAfter ?? 'P3D';
  }

  private async openResolveModal(p: InteractionPayload, ticketId: string): Promise<void> {
    if (!p.trigger_id) return;
    const ticket = await this.repo.latestSnapshot(this.ds, ticketId).catch(() => undefined);
    const i18n = ticketTranslator(this.routing, ticket);
    const outcome = await this.chat.openView({
      triggerId: p.trigger_id,
      view: resolveModal({ ticketId, ...(p.response_url ? { responseUrl: p.response_url } : {}) }, this.routing.rootCauses, ticket, {
        i18n,
        ...(this.routing.templates.recheck ? { recheckAfter: this.recheckAfterOf(ticket) } : {}),
      }),
    });
    slackInteractionsTotal.inc({ type: 'block_actions', outcome: outcome.kind === 'sent' ? 'modal' : 'failed' });
    if (outcome.kind !== 'sent') await this.tell(p.response_url, i18n.t('slack.resolveFormFailed', { reason: outcome.reason }));
  }

  /** The Message customer modal, with each template previewed in the customer's language (newest snapshot's `locale`). */
  private async openMessageModal(p: InteractionPayload, ticketId: string, agent: Agent): Promise<void> {
    if (!p.trigger_id) return;
    const ticket = await this.repo.latestSnapshot(this.ds, ticketId).catch(() => undefined);
    const i18n = ticketTranslator(this.routing, ticket);
    const outcome = await this.chat.openView({
      triggerId: p.trigger_id,
      view: messageModal({ ticketId, ...(p.response_url ? { responseUrl: p.response_url } : {}) }, this.routing.templates, agent.name, ticket, i18n),
    });
    slackInteractionsTotal.inc({ type: 'block_actions', outcome: outcome.kind === 'sent' ? 'modal' : 'failed' });
    if (outcome.kind !== 'sent') await this.tell(p.response_url, i18n.t('slack.messageFormFailed', { reason: outcome.reason }));
  }

  /** The Message customer submission → `ticket.message_customer`; tickets decides, and a refusal is told in the channel. */
  private async onMessageSubmission(p: InteractionPayload): Promise<Record<string, unknown>> {
    const errors = (block: string, message: string, outcome = 'invalid') => {
      slackInteractionsTotal.inc({ type: 'view_submission', outcome });
      return { response_action: 'errors', errors: { [block]: message } };
    };
    const ctx = decodeModalContext(p.view?.private_metadata);
    const i18n = await this.i18nFor(ctx?.ticketId);
    if (!ctx) return errors('message_body', i18n.t('slack.messageFormOutdated'));
    const agent = this.agentFor(p);
    if (!agent) return errors('message_body', i18n.t('slack.unknownUser'), 'unknown_user');
    const read = readMessageSubmission(p.view?.state?.values ?? {}, this.routing.templates, i18n);
    if (!read.ok) return errors(read.block, read.message);
    const commandId = deterministicId('slack-command', 'ticket.message_customer', ctx.ticketId, p.user?.id ?? '', p.view?.id ?? '', p.view?.hash ?? '');
    try {
      await this.sendCommand('ticket.message_customer', commandId, p.user?.id ?? '', {
        ticketId: ctx.ticketId,
        agentId: agent.id,
        via: 'slack',
        channel: 'sms',
        ...(read.template ? { template: read.template } : {}),
        ...(read.body ? { body: read.body } : {}),
        ...(ctx.responseUrl ? { responseUrl: ctx.responseUrl } : {}),
      });
    } catch (err) {
      this.log.error({ err, ticketId: ctx.ticketId }, 'could not record a customer message from Slack');
      return errors('message_body', i18n.t('slack.sendFailed'), 'failed');
    }
    slackInteractionsTotal.inc({ type: 'view_submission', outcome: 'command' });
    return {};
  }

  /** Answers a modal submission: `{}` closes the modal, `response_action: errors` shows what to fix. */
  private async onResolveSubmission(p: InteractionPayload): Promise<Record<string, unknown>> {
    const errors = (block: string, message: string) => {
      slackInteractionsTotal.inc({ type: 'view_submission', outcome: 'invalid' });
      return { response_action: 'errors', errors: { [block]: message } };
    };
    const ctx = decodeModalContext(p.view?.private_metadata);
    const i18n = await this.i18nFor(ctx?.ticketId);
    if (!ctx) return errors(RESOLVE_INPUTS.rootCause.block, i18n.t('slack.resolveFormOutdated'));
    const agent = this.agentFor(p);
    if (!agent) {
      slackInteractionsTotal.inc({ type: 'view_submission', outcome: 'unknown_user' });
      return { response_action: 'errors', errors: { [RESOLVE_INPUTS.rootCause.block]: i18n.t('slack.unknownUser') } };
    }
    const values = p.view?.state?.values ?? {};
    const rootCause = values[RESOLVE_INPUTS.rootCause.block]?.[RESOLVE_INPUTS.rootCause.action]?.selected_option?.value;
    if (!rootCause || !this.routing.rootCauses.includes(rootCause)) {
      return errors(RESOLVE_INPUTS.rootCause.block, i18n.t('slack.pickRootCause', { causes: this.routing.rootCauses.join(', ') }));
    }
    const note = values[RESOLVE_INPUTS.note.block]?.[RESOLVE_INPUTS.note.action]?.value?.trim();
    if (note && note.length > NOTE_MAX) return errors(RESOLVE_INPUTS.note.block, i18n.t('slack.noteTooLong', { max: NOTE_MAX }));
    const checked = values[RESOLVE_INPUTS.customerContacted.block]?.[RESOLVE_INPUTS.customerContacted.action]?.selected_options ?? [];
    const contacted = checked.some((o) => o.value === CUSTOMER_CONTACTED_VALUE);
    const recheck = checked.some((o) => o.value === RECHECK_VALUE);

    const commandId = deterministicId('slack-command', 'ticket.resolve', ctx.ticketId, p.user?.id ?? '', p.view?.id ?? '', p.view?.hash ?? '');
    try {
      await this.sendCommand('ticket.resolve', commandId, p.user?.id ?? '', {
        ticketId: ctx.ticketId,
        agentId: agent.id,
        via: 'slack',
        rootCause,
        ...(note ? { note } : {}),
        customerContacted: contacted,
        ...(recheck ? { recheck: true } : {}),
        ...(ctx.responseUrl ? { responseUrl: ctx.responseUrl } : {}),
      });
    } catch (err) {
      slackInteractionsTotal.inc({ type: 'view_submission', outcome: 'failed' });
      this.log.error({ err, ticketId: ctx.ticketId }, 'could not record a resolve from Slack');
      return { response_action: 'errors', errors: { [RESOLVE_INPUTS.rootCause.block]: i18n.t('slack.saveFailed') } };
    }
    slackInteractionsTotal.inc({ type: 'view_submission', outcome: 'command' });
    return {};
  }

  /** The command goes to tickets through the outbox (key: ticket id); recorded so a rejection can say what was refused. */
  private async sendCommand(type: TicketCommandType, commandId: string, slackUserId: string, data: TicketCommandData): Promise<void> {
    await this.ds.transaction(async (m) => {
      const fresh = await this.repo.recordSlackCommand(m, { commandId, type, ticketId: data.ticketId, agentId: data.agentId, slackUserId });
      if (!fresh) return;
      // the customer whose key encrypts the command's note or text (ADR 0024): the ticket's, as last seen
      const customerId = (data.note || data.body) ? (await this.repo.latestSnapshot(m, data.ticketId))?.customerId : undefined;
      await this.outbox.add(m, Topic.TicketCommands, data.ticketId, makeEnvelope(type, { ...data, ...(customerId ? { customerId } : {}) }, SERVICE, { eventId: commandId }));
    });
    this.log.info({ type, ticketId: data.ticketId, agentId: data.agentId, commandId }, 'command sent from slack');
  }

  private agentFor(p: InteractionPayload): Agent | undefined {
    return p.user?.id ? agentBySlackUserId(this.routing, p.user.id) : undefined;
  }

  /** An ephemeral answer to the user who pressed the button (only they see it); best effort. */
  private async tell(responseUrl: string | undefined, text: string): Promise<void> {
    if (!responseUrl) return;
    const outcome = await this.chat.respond(responseUrl, { response_type: 'ephemeral', replace_original: false, text });
    if (outcome.kind !== 'sent') this.log.warn({ reason: outcome.reason }, 'could not answer the slack user');
  }
}

function parsePayload(raw: Buffer): InteractionPayload | undefined {
  const field = new URLSearchParams(raw.toString('utf8')).get('payload');
  if (!field) return undefined;
  try {
    const v: unknown = JSON.parse(field);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as InteractionPayload) : undefined;
  } catch {
    return undefined;
  }
}
