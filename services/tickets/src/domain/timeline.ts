import { translator, type DeliveryEventData, type Severity, type TimelineKey } from '@closeloop/contracts';
import type { SlaBreach } from './sla';
import type { Ticket } from './ticket';

/** Who did something to a ticket (the `actor` of ticket events and timeline entries). */
export interface Actor {
  kind: 'agent' | 'system' | 'customer';
  id?: string;
  name?: string;
}

/**
 * A timeline entry's text: its English sentence (kept in `summary`, what the API has always answered) and the catalog
 * parts it is made of (SPEC §14), so the console can show the same entry in the agent's language. One or more parts,
 * joined as written; each part's arguments are values as written (names, notes, ids), never translated.
 */
export interface SummaryPart {
  key: TimelineKey;
  args: Record<string, string | number>;
}
export interface Summary {
  text: string;
  parts: SummaryPart[];
}

const EN = translator('en');

export function say(key: TimelineKey, args: Record<string, string | number | undefined> = {}): Summary {
  const kept = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
  return { text: EN.t(key, kept), parts: [{ key, args: kept }] };
}

export function joined(...summaries: Summary[]): Summary {
  return { text: summaries.map((x) => x.text).join(''), parts: summaries.flatMap((x) => x.parts) };
}

const via = (v?: string) => v ?? 'api';
const who = (a: Actor) => a.name ?? a.id ?? a.kind;
const scoreOf = (t: Pick<Ticket, 'metric' | 'score' | 'touchpoint'>) => ({ metric: t.metric, score: t.score, touchpoint: t.touchpoint });

/** One-line, human summaries of what happened, as the console shows them in the timeline. */
export const summaries = {
  opened: (t: Ticket) => say('timeline.opened', { ...scoreOf(t), severity: t.severity }),
  assignedOnOpen: (assignee: string, policy: string) => say('timeline.assignedOnOpen', { assignee, policy }),
  feedbackAttached: (t: Ticket, previousSeverity?: Severity) =>
    previousSeverity
      ? say('timeline.feedbackAttachedRaised', { ...scoreOf(t), previous: previousSeverity, severity: t.severity, count: t.feedbackCount })
      : say('timeline.feedbackAttached', { ...scoreOf(t), count: t.feedbackCount }),
  feedbackRevised: (t: Ticket, revision: number, previousSeverity?: Severity) =>
    previousSeverity
      ? say('timeline.feedbackRevisedRaised', { ...scoreOf(t), revision, previous: previousSeverity, severity: t.severity })
      : say('timeline.feedbackRevised', { ...scoreOf(t), revision }),
  claimed: (a: Actor, v?: string) => say('timeline.claimed', { who: who(a), via: via(v) }),
  assigned: (a: Actor, assignee: string, v?: string) => say('timeline.assigned', { assignee, who: who(a), via: via(v) }),
  resolved: (t: Ticket, a: Actor, v?: string, alsoClaimed = false) =>
    say('timeline.resolved', {
      alsoClaimed: alsoClaimed ? 'yes' : 'no', who: who(a), via: via(v), rootCause: t.rootCause ?? '',
      contacted: t.customerContacted === true ? 'yes' : t.customerContacted === false ? 'no' : 'unknown',
    }),
  reopened: (a: Actor, reason: string) => say('timeline.reopened', { who: who(a), reason: truncate(reason, 200) }),
  note: (a: Actor, body: string) => say('timeline.note', { who: who(a), body: truncate(body, 200) }),
  slaBreached: (t: Ticket, breach: SlaBreach) =>
    breach === 'firstResponse'
      ? say('timeline.slaFirstResponse', { due: t.firstResponseDue.toISOString() })
      : say('timeline.slaResolve', { due: t.resolveDue.toISOString() }),
  commandRejected: (command: string, a: Actor, reason: string, v?: string) => say('timeline.commandRejected', { command, who: who(a), via: via(v), reason }),
  delivery: (d: Pick<DeliveryEventData, 'channel' | 'purpose' | 'recipient' | 'status' | 'error' | 'attempts'>) =>
    joined(
      say('timeline.delivery', { channel: d.channel, purpose: d.purpose, recipient: d.recipient, status: d.status }),
      ...(d.error ? [say('timeline.deliveryError', { error: truncate(d.error, 200) })] : []),
      ...(d.status === 'retrying' ? [say('timeline.deliveryAttempts', { attempts: d.attempts })] : []),
    ),
};

export function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}
