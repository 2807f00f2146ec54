import type { Agent, AssignPolicy } from '@closeloop/contracts';
import type { Outcome, Ticket } from '../domain/ticket';

/**
 * Assignment (SPEC §12, ADR 0021). Pure: the rules decide, `assignment.repository.ts` brings the counter and the
 * open counts, `TicketService` applies the result in the ticket's transaction.
 */

/**
 * The agent a new ticket goes to, or null (policy `none`, or nobody to give it to).
 * - `round-robin`: `counter` is the team's counter value taken for this ticket (1, 2, 3, …; each value is taken
 *   once across instances), so agent `(counter - 1) mod n`;
 * - `least-open`: the fewest open+claimed tickets (`openCounts`, missing = 0), ties by routing-file order.
 */
export function chooseAssignee(input: {
  policy: AssignPolicy;
  candidates: readonly Agent[];
  counter?: number;
  openCounts?: ReadonlyMap<string, number>;
}): Agent | null {
  const { policy, candidates } = input;
  if (policy === 'none' || candidates.length === 0) return null;
  if (policy === 'round-robin') {
    if (input.counter === undefined || input.counter < 1) throw new Error('round-robin needs a counter value ≥ 1');
    return candidates[(input.counter - 1) % candidates.length];
  }
  let best = candidates[0];
  let bestCount = input.openCounts?.get(best.id) ?? 0;
  for (const a of candidates.slice(1)) {
    const n = input.openCounts?.get(a.id) ?? 0;
    if (n < bestCount) {
      best = a;
      bestCount = n;
    }
  }
  return best;
}

/**
 * Assigning a ticket (the API's `POST /v1/tickets/:id/assign`, Slack's **Assign** menu). It does not claim: an open
 * ticket stays open (the assignee still claims it, which is the first response), a claimed one is handed over and
 * stays claimed. The same assignee again is a success without a change. A resolved ticket is a conflict.
 */
export function assignTicket(t: Ticket, assignee: Agent, now: Date): Outcome {
  if (t.status === 'resolved') return { ok: false, refusal: { kind: 'conflict', reason: 'the ticket is resolved; reopen it before assigning' } };
  if (assignee.team !== t.team || (assignee.role !== 'agent' && assignee.role !== 'lead')) {
    return { ok: false, refusal: { kind: 'invalid', field: 'agentId', reason: `"${assignee.id}" is not an agent or lead of team ${t.team}` } };
  }
  if (t.assigneeId === assignee.id) return { ok: true, ticket: t, changed: false };
  return { ok: true, changed: true, ticket: { ...t, assigneeId: assignee.id, version: t.version + 1, updatedAt: now } };
}
