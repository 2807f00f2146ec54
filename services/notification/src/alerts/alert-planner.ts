import {
  leadsOf,
  teamFor,
  isInQuietHours,
  type DeliveryChannel,
  type DeliveryPurpose,
  type CommandRejectedData,
  type RoutingConfig,
  type Team,
  type TicketChangeEvent,
  type TicketCommandType,
  type TicketEscalatedData,
  type TicketEvent,
  type TicketSnapshot,
  type Translator,
} from '@closeloop/contracts';
import { planCustomerMessage } from '../outreach/customer-message-planner';
import { renderCommandRejected, renderThreadReply } from '../slack/blocks';
import { changeEmail, openedEmail, type AlertEmail } from './email-text';
import { planEscalation } from './escalation';
import { quietHoursEnd } from './quiet-hours';
import { renderSms, type SmsReason } from './sms-text';
import { teamTranslator, ticketTranslator } from './team-language';

export interface PlanOptions {
  /** `slack` when Slack is configured; otherwise chat alerts go to the log channel (SPEC §3). */
  chat: 'slack' | 'log';
  /** `sms` when Twilio is configured; otherwise SMS go to the log channel. */
  sms: 'sms' | 'log';
  /** `email` when SMTP is configured; otherwise the alert emails of teams with `email:` go to the log channel. */
  email: 'email' | 'log';
  /** The domain of `EMAIL_FROM`: names the Message-IDs of alert emails. */
  emailDomain: string;
  consoleUrl: string;
  /** For `ticket.command_rejected`: which of our commands was refused, when we still know it. */
  rejectedCommandType?: TicketCommandType;
}

/** What a delivery will send. Alerts and updates are rendered when sent, from the newest snapshot known then. */
export type DeliveryPayload =
  // `subject: 'trend'`: the top-level message (and its updates) of a trend, rendered from the trend (SPEC §12)
  | { kind: 'alert'; subject?: 'trend' }
  | { kind: 'update'; subject?: 'trend' }
  | { kind: 'thread_reply'; text: string }
  | { kind: 'sms'; body: string }
  | ({ kind: 'email'; headers?: Record<string, string> } & AlertEmail)
  | { kind: 'ephemeral'; responseUrl: string; text: string }
  // a lead's daily digest, a DM (SPEC §12)
  | { kind: 'digest'; text: string };

export interface PlannedDelivery {
  channel: DeliveryChannel;
  /** Slack channel id (`#team` for the log channel), E.164 number, the team's email addresses (`a@x, b@y`), or `response_url`. */
  recipient: string;
  purpose: DeliveryPurpose;
  status: 'pending' | 'held';
  /** Not to be sent before this (the end of quiet hours for a held SMS; else `now`). */
  notBefore: Date;
  critical: boolean;
  payload: DeliveryPayload;
}

export interface AlertPlan {
  /** For `ticket.opened`: the ticket's one top-level message in this channel (created once, never twice). */
  alert?: { channel: string; provider: 'slack' | 'log' };
  deliveries: PlannedDelivery[];
}

/** The recipient of a response_url answer: the URL itself is a credential and lives in the payload only. */
export const RESPONSE_URL_RECIPIENT = 'response_url';

/**
 * Ticket event → the alerts it causes (SPEC §7). Pure: the routing file, the event and the clock decide.
 * - `ticket.opened` → the one top-level chat alert; SMS to every on-call number when critical.
 * - claimed, feedback attached or revised, resolved, reopened, SLA breached → `chat.update` of that alert + a thread reply.
 *   Internal notes (`ticket.note_added`) stay out of the channel.
 * - raised to critical by an attach or a revision, and every SLA breach → SMS to on-call. Quiet hours hold non-critical SMS
 *   until they end; critical ones bypass them.
 * - `ticket.command_rejected` → an ephemeral answer through the Slack `response_url` of the button press.
 * Every text is in the team's language and time zone (SPEC §14).
 */
export function planAlerts(event: TicketEvent, routing: RoutingConfig, now: Date, options: PlanOptions): AlertPlan {
  // the only event that may come without a ticket (a command for an unknown ticket): nothing else to plan
  if (event.type === 'ticket.command_rejected') {
    return { deliveries: rejectionAnswer(event.data, now, options, ticketTranslator(routing, event.data.ticket ?? undefined)) };
  }
  const data = event.data;
  const ticket = data.ticket;
  const team = teamOf(routing, ticket);
  const i18n = teamTranslator(team);
  const chat = chatTarget(team, options.chat);
  const chatDelivery = (purpose: DeliveryPurpose, payload: DeliveryPayload): PlannedDelivery => ({
    channel: chat.channel,
    recipient: chat.recipient,
    purpose,
    status: 'pending',
    notBefore: now,
    critical: ticket.severity === 'critical',
    payload,
  });

  switch (event.type) {
    case 'ticket.opened':
      return {
        alert: { channel: chat.recipient, provider: chat.channel === 'slack' ? 'slack' : 'log' },
        deliveries: [
          chatDelivery('alert', { kind: 'alert' }),
          ...emailToTeam(team, ticket, () => openedEmail(ticket, options.consoleUrl, options.emailDomain, i18n), now, options),
          ...(ticket.severity === 'critical' ? smsToOnCall(team, 'critical_opened', ticket, true, now, options, i18n) : []),
        ],
      };

    // a revision (SPEC §10) is handled like attached feedback: the same alert updated, SMS when it made the ticket critical
    case 'ticket.feedback_attached':
    case 'ticket.feedback_revised': {
      const raisedToCritical = ticket.severity === 'critical' && data.previousSeverity !== undefined && data.previousSeverity !== 'critical';
      return {
        deliveries: [
          ...changeDeliveries(event, chatDelivery, team, now, options, i18n),
          ...(raisedToCritical ? smsToOnCall(team, 'raised_to_critical', ticket, true, now, options, i18n) : []),
        ],
      };
    }

    case 'ticket.claimed':
    case 'ticket.assigned':
    case 'ticket.resolved':
    case 'ticket.reopened':
      return { deliveries: changeDeliveries(event, chatDelivery, team, now, options, i18n) };

    case 'ticket.sla_breached': {
      const reason: SmsReason = data.breach === 'resolve' ? 'sla_breached_resolve' : 'sla_breached_first_response';
      // An SLA breach of a non-critical ticket is not critical: it waits for the end of quiet hours.
      return {
        deliveries: [
          ...changeDeliveries(event, chatDelivery, team, now, options, i18n),
          ...smsToOnCall(team, reason, ticket, ticket.severity === 'critical', now, options, i18n),
        ],
      };
    }

    // SPEC §12: a step of the team's chain fell due while nobody had claimed the ticket
    case 'ticket.escalated': {
      const critical = ticket.severity === 'critical';
      const step = planEscalation((data as TicketEscalatedData).escalation.notify, team, leadsOf(team, routing.agents));
      const mention = step.mention && i18n.t('escalation.mention', { who: step.mention });
      const updates = changeDeliveries(event, chatDelivery, team, now, options, i18n).map((d) =>
        d.payload.kind === 'thread_reply' && mention ? { ...d, payload: { ...d.payload, text: `${d.payload.text}\n${mention}` } } : d);
      const email = changeEmail(event.type, data, event.eventId, options.consoleUrl, options.emailDomain, i18n);
      // like an SLA breach: only a critical ticket's SMS bypass quiet hours
      return {
        deliveries: [
          ...updates,
          ...sms(team, step.phones, 'escalated', ticket, critical, now, options, i18n),
          ...(email && step.emails.length ? [emailTo(step.emails, ticket, email, now, options)] : []),
        ],
      };
    }

    case 'ticket.note_added':
      return { deliveries: [] };

    // SPEC §11: an agent texts the customer (src/outreach)
    case 'ticket.customer_message_requested':
      return { deliveries: planCustomerMessage(event, now, options, chatDelivery, i18n) };
  }
}

/** An ephemeral answer through the button's `response_url`; none for commands from the console or the API. */
function rejectionAnswer(data: CommandRejectedData, now: Date, options: PlanOptions, i18n: Translator): PlannedDelivery[] {
  if (!data.responseUrl) return [];
  return [
    {
      channel: options.chat,
      recipient: RESPONSE_URL_RECIPIENT,
      purpose: 'ephemeral',
      status: 'pending',
      notBefore: now,
      critical: false,
      payload: { kind: 'ephemeral', responseUrl: data.responseUrl, text: renderCommandRejected(options.rejectedCommandType, {
        reason: data.reason, reasonCode: data.reasonCode, assignee: data.ticket?.assigneeName ?? data.ticket?.assigneeId ?? undefined, team: data.ticket?.team,
      }, i18n) },
    },
  ];
}

/** The ticket's team as tickets recorded it; a team since removed from the file falls back to the touchpoint's. */
function teamOf(routing: RoutingConfig, ticket: TicketSnapshot): Team {
  return routing.teams.find((t) => t.id === ticket.team) ?? teamFor(routing, ticket.touchpoint);
}

/** Slack when configured and the team has a channel; otherwise the log channel, addressed by team. */
export function chatTarget(team: Team, chat: 'slack' | 'log'): { channel: 'slack' | 'log'; recipient: string } {
  return chat === 'slack' && team.slackChannel ? { channel: 'slack', recipient: team.slackChannel } : { channel: 'log', recipient: `#${team.id}` };
}

function changeDeliveries(
  event: TicketChangeEvent,
  chatDelivery: (purpose: DeliveryPurpose, payload: DeliveryPayload) => PlannedDelivery,
  team: Team,
  now: Date,
  options: PlanOptions,
  i18n: Translator,
): PlannedDelivery[] {
  const reply = renderThreadReply(event.type, event.data, i18n);
  return [
    chatDelivery('update', { kind: 'update' }),
    ...(reply ? [chatDelivery('thread_reply', { kind: 'thread_reply', text: reply })] : []),
    ...emailToTeam(team, event.data.ticket, () => changeEmail(event.type, event.data, event.eventId, options.consoleUrl, options.emailDomain, i18n), now, options),
  ];
}

/**
 * One email to the team's mailbox (every address of `email:` on one message), when the team has one and the event
 * has an email. `render` runs only then: most teams have no mailbox, and rendering dates is not free.
 */
function emailToTeam(team: Team, ticket: TicketSnapshot, render: () => AlertEmail | undefined, now: Date, options: PlanOptions): PlannedDelivery[] {
  if (team.email.length === 0) return [];
  const email = render();
  return email ? [emailTo(team.email, ticket, email, now, options)] : [];
}

/** One email to these addresses, all on one message. */
function emailTo(addresses: string[], ticket: TicketSnapshot, email: AlertEmail, now: Date, options: PlanOptions): PlannedDelivery {
  return {
    channel: options.email,
    recipient: addresses.join(', '),
    purpose: 'email',
    status: 'pending',
    notBefore: now,
    critical: ticket.severity === 'critical',
    payload: { kind: 'email', ...email },
  };
}

function smsToOnCall(team: Team, reason: SmsReason, ticket: TicketSnapshot, critical: boolean, now: Date, options: PlanOptions, i18n: Translator): PlannedDelivery[] {
  return sms(team, team.onCall, reason, ticket, critical, now, options, i18n);
}

/** One SMS per number (a number listed twice gets one); quiet hours hold the non-critical ones until they end. */
function sms(
  team: Team, phones: string[], reason: SmsReason, ticket: TicketSnapshot, critical: boolean, now: Date, options: PlanOptions, i18n: Translator,
): PlannedDelivery[] {
  const held = !critical && isInQuietHours(team.quietHours, now);
  const body = renderSms(reason, ticket, options.consoleUrl, i18n);
  return [...new Set(phones)].map((phone) => ({
    channel: options.sms,
    recipient: phone,
    purpose: 'sms' as const,
    status: held ? ('held' as const) : ('pending' as const),
    notBefore: held ? quietHoursEnd(team.quietHours, now) : now,
    critical,
    payload: { kind: 'sms' as const, body },
  }));
}
