import type { EscalationStep } from '@closeloop/contracts';
import type { Ticket } from '../domain/ticket';
import { type Summary, say } from '../domain/timeline';

/** A step of the chain that fell due: its 1-based position, and what the step says. */
export interface DueStep extends EscalationStep {
  step: number;
}

/**
 * SPEC §12: while a ticket is open and nobody has claimed it, each step of its team's chain fires once its `after`
 * has passed since `from` (the opening, or the last reopening). `fired` are the steps already fired since `from`.
 * Steps that fell due together (nothing ran for a while) all fire, in order: each says who was not told yet.
 */
export function dueSteps(chain: readonly EscalationStep[], t: Pick<Ticket, 'status'>, from: Date, now: Date, fired: ReadonlySet<number>): DueStep[] {
  if (t.status !== 'open') return [];
  return chain
    .map((s, i) => ({ ...s, step: i + 1 }))
    .filter((s) => !fired.has(s.step) && from.getTime() + s.afterMs <= now.getTime());
}

/** An escalation is a change of the ticket (SPEC §7: the alert updates): a new version, nothing else on the row. */
export function escalatedTicket(t: Ticket, now: Date): Ticket {
  return { ...t, version: t.version + 1, updatedAt: now };
}

export function escalationSummary(s: DueStep, of: number, reopened: boolean): Summary {
  return say('timeline.escalated', { step: s.step, of, after: s.after, reopened: reopened ? 'yes' : 'no', notify: s.notify.join(', ') });
}
