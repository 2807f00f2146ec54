import type { DeliveryEventData, Severity } from '@closeloop/contracts';
import type { SlaBreach } from './sla';
import type { Ticket } from './ticket';

/** Who did something to a ticket (the `actor` of ticket events and timeline entries). */
export interface Actor {
  kind: 'agent' | 'system' | 'customer';
  id?: string;
  name?: string;
}

const via = (v?: string) => (v && v !== 'api' ? ` via ${v}` : '');
const who = (a: Actor) => a.name ?? a.id ?? a.kind;
const scoreOf = (t: Pick<Ticket, 'metric' | 'score' | 'touchpoint'>) => `${t.metric} ${t.score} at ${t.touchpoint}`;

/** One-line, human summaries of what happened, as the console shows them in the timeline. */
export const summaries = {
  opened: (t: Ticket) => `Ticket opened: ${scoreOf(t)} (${t.severity})`,
  feedbackAttached: (t: Ticket, previousSeverity?: Severity) =>
    `Feedback attached: ${scoreOf(t)}${previousSeverity ? `; severity ${previousSeverity} → ${t.severity}` : ''} (${t.feedbackCount} in total)`,
  feedbackRevised: (t: Ticket, revision: number, previousSeverity?: Severity) =>
    `Feedback revised by the customer (revision ${revision}): ${scoreOf(t)}${previousSeverity ? `; severity ${previousSeverity} → ${t.severity}` : ''}`,
  claimed: (a: Actor, v?: string) => `Claimed by ${who(a)}${via(v)}`,
  assigned: (a: Actor, assignee: string, v?: string) => `Assigned to ${assignee} by ${who(a)}${via(v)}`,
  resolved: (t: Ticket, a: Actor, v?: string, alsoClaimed = false) =>
    `${alsoClaimed ? 'Claimed and resolved' : 'Resolved'} by ${who(a)}${via(v)}: root cause ${t.rootCause}` +
    `${t.customerContacted === true ? ', customer contacted' : t.customerContacted === false ? ', customer not contacted' : ''}`,
  reopened: (a: Actor, reason: string) => `Reopened by ${who(a)}: ${truncate(reason, 200)}`,
  note: (a: Actor, body: string) => `Note by ${who(a)}: ${truncate(body, 200)}`,
  slaBreached: (t: Ticket, breach: SlaBreach) =>
    breach === 'firstResponse'
      ? `First-response SLA breached: not claimed by ${t.firstResponseDue.toISOString()}`
      : `Resolve SLA breached: not resolved by ${t.resolveDue.toISOString()}`,
  commandRejected: (command: string, a: Actor, reason: string, v?: string) => `${command} by ${who(a)}${via(v)} rejected: ${reason}`,
  delivery: (d: Pick<DeliveryEventData, 'channel' | 'purpose' | 'recipient' | 'status' | 'error' | 'attempts'>) =>
    `${d.channel === 'sms' ? 'SMS' : d.channel === 'slack' ? 'Slack' : d.channel === 'email' ? 'Email' : 'Log'} ${d.purpose === 'customer_sms' ? 'message' : d.purpose.replace('_', ' ')}` +
    ` to ${d.purpose === 'customer_sms' ? `the customer (${d.recipient})` : d.recipient}: ${d.status}` +
    `${d.error ? ` (${truncate(d.error, 200)})` : ''}${d.status === 'retrying' ? ` after ${d.attempts} attempt(s)` : ''}`,
};

export function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}
