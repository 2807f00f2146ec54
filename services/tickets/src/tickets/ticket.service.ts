import { Inject, Injectable } from '@nestjs/common';
import {
  Agent, AgentRole, CommandRejectedData, RefusalCode, FeedbackScoredData, RECHECK_SOURCE, RoutingConfig, Team, TicketCommand, TicketEventData, TicketEventType, Topic,
  agentById, assignableAgents, deterministicId, makeEnvelope, revisionOf, teamById, teamFor,
} from '@closeloop/contracts';
import { Outbox } from '@closeloop/messaging';
import { authorize, type Permission } from '@closeloop/platform';
import { AssignmentRepository } from '../assignment/assignment.repository';
import { assignTicket, chooseAssignee } from '../assignment/assignment-rules';
import { SERVICE } from '../config';
import { SlaBreach, dueBreaches, markBreached } from '../domain/sla';
import { Actor, type Summary, joined, summaries, truncate } from '../domain/timeline';
import {
  Refusal, Ticket, TicketFeedback, attachFeedback, claimTicket, feedbackStep, noteAdded, openTicket, reopenTicket, resolveTicket, reviseFeedback,
} from '../domain/ticket';
import {
  commandsRejected, escalations, feedbackAttached, feedbackRevised, slaBreaches, ticketsClaimed, ticketsOpened, ticketsReopened, ticketsResolved,
} from '../metrics';
import { TicketRepository } from '../persistence/ticket.repository';
import { EscalationRepository, LockedForEscalation } from '../escalation/escalation.repository';
import { dueSteps, escalatedTicket, escalationSummary } from '../escalation/escalation-rules';
import { RecheckRepository } from '../recheck/recheck.repository';
import { RECHECK_TEMPLATE, recheckSummaries } from '../recheck/recheck-rules';
import { ROUTING } from '../tokens';
import { toSnapshot } from './ticket-views';
import { Tx } from './tx';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ticket ids are UUIDs; anything else cannot name a ticket (and must not reach a uuid column). */
export function isTicketId(id: string): boolean {
  return UUID.test(id);
}

export type NotFound = { kind: 'not_found'; reason: string };
/** SPEC §12: the caller's role does not reach this ticket (another team's, or an action their role does not have). */
export type Forbidden = { kind: 'forbidden'; reason: string; requiredRoles: AgentRole[]; rule?: 'role' | 'team' };
export type ChangeResult =
  | { ok: true; ticket: Ticket; changed: boolean }
  | { ok: false; refusal: Refusal | NotFound | Forbidden; ticket: Ticket | null };

/** The roles' answer for `agent` doing `permission` on `t`, as a refusal; null when they may. */
export function forbiddenOn(agent: Agent, permission: Permission, t: Ticket): Forbidden | null {
  const r = authorize(agent, permission, t.team);
  return r ? { kind: 'forbidden', reason: r.detail, requiredRoles: r.requiredRoles, rule: r.rule } : null;
}

export type FeedbackOutcome =
  | { kind: 'recorded' } // not action-required: only remembered for the reports
  | { kind: 'already-handled' }
  | { kind: 'opened'; ticket: Ticket }
  | { kind: 'attached'; ticket: Ticket }
  | { kind: 'revised'; ticket: Ticket };

export type Via = 'api' | 'slack' | 'console';

export const agentActor = (a: Agent): Actor => ({ kind: 'agent', id: a.id, name: a.name });
const SYSTEM: Actor = { kind: 'system', id: SERVICE };

/**
 * The rules of a ticket's life applied to the database: every change is ONE transaction holding the row
 * lock, the row update, a timeline entry and the `ticket.*` event (outbox) with the new snapshot. The API,
 * the command consumer and the SLA poller all come through here, so they behave the same.
 */
@Injectable()
export class TicketService {
  constructor(
    private readonly repo: TicketRepository,
    private readonly outbox: Outbox,
    @Inject(ROUTING) private readonly routing: RoutingConfig,
    private readonly rechecks: RecheckRepository,
    private readonly escalations: EscalationRepository,
    private readonly assignments: AssignmentRepository,
  ) {}

  readonly nameOf = (agentId: string): string => agentById(this.routing, agentId)?.name ?? agentId;

  /** The team whose SLA applies: the ticket's team if the routing file still has it, else the touchpoint's. */
  private teamOf(teamId: string, touchpoint: string): Team {
    return teamById(this.routing, teamId) ?? teamFor(this.routing, touchpoint);
  }

  /**
   * cx.feedback.scored.v1: remember every score (reports); an action-required one opens a ticket for its
   * (customer, touchpoint), or is attached to the one already open or claimed. The partial unique index
   * decides between the two under concurrency: the INSERT does nothing if another transaction opened one,
   * and we attach to that one under its row lock. A newer revision of feedback already on a ticket revises that
   * ticket instead (SPEC §10); a revision not newer than one seen changes nothing (domain/ticket.ts `feedbackStep`).
   */
  async onFeedbackScored(tx: Tx, scored: FeedbackScoredData, now = new Date()): Promise<FeedbackOutcome> {
    const { m } = tx;
    const newest = await this.repo.recordSeen(m, scored);
    await this.noteRecheckAnswer(tx, scored);
    const ticketId = newest ? await this.repo.ticketOfFeedback(m, scored.feedbackId) : null;
    const step = feedbackStep({ newest, onTicket: ticketId !== null, actionRequired: scored.actionRequired });
    if (step === 'stale') return { kind: 'already-handled' };
    if (step === 'record') return { kind: 'recorded' };
    if (step === 'revise') return this.revise(tx, ticketId as string, scored, now);

    const f = scored.feedback;
    const feedback: TicketFeedback = {
      customer: f.customer, touchpoint: f.touchpoint, metric: f.metric, score: f.score, comment: f.comment, severity: scored.severity,
    };
    const team = this.teamOf(scored.team, f.touchpoint);
    const customer: Actor = { kind: 'customer', id: f.customer.id, ...(f.customer.name ? { name: f.customer.name } : {}) };
    // more than one round only if the open ticket got resolved between our INSERT and our SELECT
    for (let round = 0; round < 3; round++) {
      const opened = openTicket({ id: deterministicId('ticket', scored.feedbackId), team: team.id, sla: team.slaMs, feedback, now });
      if (await this.repo.insertUnlessOpen(m, opened)) {
        const { ticket: assigned, counter } = await this.autoAssign(tx, opened, team);
        await this.repo.addFeedback(m, opened.id, scored, true, now);
        const summary = joined(summaries.opened(assigned), ...(assigned.assigneeId ? [summaries.assignedOnOpen(this.nameOf(assigned.assigneeId), team.assign)] : []));
        await this.record(tx, assigned, 'ticket.opened', customer, { feedbackId: scored.feedbackId }, summary, {
          feedbackId: scored.feedbackId, reasons: scored.reasons, ...(assigned.assigneeId ? { assignedBy: team.assign } : {}),
          ...(counter !== undefined ? { assignCounter: counter } : {}),
        });
        tx.afterCommit(() => ticketsOpened.inc({ team: opened.team, severity: opened.severity }));
        return { kind: 'opened', ticket: opened };
      }
      const current = await this.repo.findOpenForUpdate(m, f.customer.id, f.touchpoint);
      if (!current) continue;
      const r = attachFeedback(current, feedback, now);
      if (!r.ok) continue;
      await this.repo.update(m, current, r.ticket);
      await this.repo.addFeedback(m, current.id, scored, false, now);
      await this.record(
        tx, r.ticket, 'ticket.feedback_attached', customer,
        { feedbackId: scored.feedbackId, ...(r.previousSeverity ? { previousSeverity: r.previousSeverity } : {}) },
        summaries.feedbackAttached(r.ticket, r.previousSeverity),
        { feedbackId: scored.feedbackId, previousSeverity: r.previousSeverity ?? null, reasons: scored.reasons },
      );
      tx.afterCommit(() => feedbackAttached.inc({ team: r.ticket.team }));
      return { kind: 'attached', ticket: r.ticket };
    }
    throw new Error(`could neither open nor attach feedback ${scored.feedbackId} for (${f.customer.id}, ${f.touchpoint}); retrying`);
  }

  /**
   * SPEC §12, ADR 0021: a new ticket of a team with `assign: round-robin | least-open` gets its assignee in the
   * transaction that opened it (only once the INSERT really opened it, so an attach takes no counter value). It is
   * the same version 1: `ticket.opened` carries the assignee, there is no separate `ticket.assigned`.
   */
  private async autoAssign(tx: Tx, opened: Ticket, team: Team): Promise<{ ticket: Ticket; counter?: number }> {
    if (team.assign === 'none') return { ticket: opened };
    const candidates = assignableAgents(this.routing.agents, team.id);
    if (candidates.length === 0) return { ticket: opened };
    const counter = team.assign === 'round-robin' ? await this.assignments.nextCounter(tx.m, team.id) : undefined;
    const chosen = team.assign === 'round-robin'
      ? chooseAssignee({ policy: 'round-robin', candidates, counter })
      : chooseAssignee({ policy: 'least-open', candidates, openCounts: await this.assignments.openCounts(tx.m, team.id) });
    if (!chosen) return { ticket: opened };
    const assigned: Ticket = { ...opened, assigneeId: chosen.id };
    await this.repo.update(tx.m, opened, assigned);
    // the counter value is kept in the timeline entry of the opening: the int test shows no value is taken twice
    return { ticket: assigned, counter };
  }

  /**
   * `POST /v1/tickets/:id/assign` and Slack's **Assign** menu (`ticket.assign`): sets the assignee, does not claim
   * (README, "Transitions"). `by` must hold `tickets.assign` on the ticket's team.
   */
  async assign(tx: Tx, ticketId: string, by: Agent, assigneeId: string, via: Via, now = new Date()): Promise<ChangeResult> {
    const t = await this.load(tx, ticketId);
    if (!t) return this.notFound(ticketId);
    const denied = forbiddenOn(by, 'tickets.assign', t);
    if (denied) return { ok: false, refusal: denied, ticket: t };
    const assignee = agentById(this.routing, assigneeId);
    if (!assignee) return { ok: false, refusal: { kind: 'invalid', field: 'agentId', reason: `unknown agent "${assigneeId}"` }, ticket: t };
    const r = assignTicket(t, assignee, now);
    if (!r.ok) return { ok: false, refusal: r.refusal, ticket: t };
    if (!r.changed) return r;
    await this.repo.update(tx.m, t, r.ticket);
    const actor = agentActor(by);
    await this.record(
      tx, r.ticket, 'ticket.assigned', actor, t.assigneeId ? { previousAssigneeId: t.assigneeId } : {},
      summaries.assigned(actor, assignee.name, via), { via, assigneeId: assignee.id, previousAssigneeId: t.assigneeId },
    );
    return r;
  }

  /**
   * An answer on the recheck page (source `closeloop-recheck`, ADR 0016) names the ticket it rechecks: it joins that
   * ticket's timeline (once: the entry's id derives from the feedback), whatever it opens or not.
   */
  private async noteRecheckAnswer(tx: Tx, scored: FeedbackScoredData): Promise<void> {
    const f = scored.feedback;
    const ticketId = f.attributes?.ticketId;
    if (f.source !== RECHECK_SOURCE || typeof ticketId !== 'string' || !isTicketId(ticketId)) return;
    await this.repo.addTimeline(tx.m, {
      id: deterministicId('recheck.answered', scored.feedbackId), ticketId, at: new Date(f.respondedAt), kind: 'event', type: 'recheck.answered',
      actor: { kind: 'customer', id: f.customer.id }, summary: recheckSummaries.answered(f.score),
      data: { feedbackId: scored.feedbackId, score: f.score, classification: scored.classification, actionRequired: scored.actionRequired },
    });
  }

  /** The customer changed feedback that is on a ticket: the ticket shows the revision, its severity may rise. */
  private async revise(tx: Tx, ticketId: string, scored: FeedbackScoredData, now: Date): Promise<FeedbackOutcome> {
    const current = await this.repo.find(tx.m, ticketId, { forUpdate: true });
    if (!current) throw new Error(`feedback ${scored.feedbackId} names ticket ${ticketId}, which does not exist`);
    const f = scored.feedback;
    const revision = revisionOf(f);
    const r = reviseFeedback(current, {
      customer: f.customer, touchpoint: f.touchpoint, metric: f.metric, score: f.score, comment: f.comment, severity: scored.severity,
    }, now);
    await this.repo.update(tx.m, current, r.ticket);
    await this.repo.reviseFeedback(tx.m, scored);
    const customer: Actor = { kind: 'customer', id: f.customer.id, ...(f.customer.name ? { name: f.customer.name } : {}) };
    await this.record(
      tx, r.ticket, 'ticket.feedback_revised', customer,
      { feedbackId: scored.feedbackId, revision, ...(r.previousSeverity ? { previousSeverity: r.previousSeverity } : {}) },
      summaries.feedbackRevised(r.ticket, revision, r.previousSeverity),
      { feedbackId: scored.feedbackId, revision, previousSeverity: r.previousSeverity ?? null, reasons: scored.reasons },
    );
    tx.afterCommit(() => feedbackRevised.inc({ team: r.ticket.team }));
    return { kind: 'revised', ticket: r.ticket };
  }

  private async load(tx: Tx, ticketId: string): Promise<Ticket | null> {
    return isTicketId(ticketId) ? this.repo.find(tx.m, ticketId, { forUpdate: true }) : null;
  }

  private notFound(ticketId: string): ChangeResult {
    return { ok: false, refusal: { kind: 'not_found', reason: `there is no ticket ${ticketId}` }, ticket: null };
  }

  async claim(tx: Tx, ticketId: string, agent: Agent, via: Via, now = new Date()): Promise<ChangeResult> {
    const t = await this.load(tx, ticketId);
    if (!t) return this.notFound(ticketId);
    const denied = forbiddenOn(agent, 'tickets.act', t);
    if (denied) return { ok: false, refusal: denied, ticket: t };
    const r = claimTicket(t, agent.id, now, this.nameOf);
    if (!r.ok) return { ok: false, refusal: r.refusal, ticket: t };
    if (!r.changed) return r;
    await this.repo.update(tx.m, t, r.ticket);
    const actor = agentActor(agent);
    await this.record(tx, r.ticket, 'ticket.claimed', actor, {}, summaries.claimed(actor, via), { via });
    tx.afterCommit(() => ticketsClaimed.inc({ team: r.ticket.team, via }));
    return r;
  }

  async resolve(
    tx: Tx, ticketId: string, agent: Agent, resolveInput: { rootCause: string; note?: string; customerContacted?: boolean; recheck?: boolean },
    via: Via, now = new Date(),
  ): Promise<ChangeResult> {
    const { recheck, ...input } = resolveInput;
    const t = await this.load(tx, ticketId);
    if (!t) return this.notFound(ticketId);
    const denied = forbiddenOn(agent, 'tickets.act', t);
    if (denied) return { ok: false, refusal: denied, ticket: t };
    const r = resolveTicket(t, { agentId: agent.id, ...input }, this.routing.rootCauses, now);
    if (!r.ok) return { ok: false, refusal: r.refusal, ticket: t };
    if (recheck && !this.routing.templates[RECHECK_TEMPLATE]) {
      return { ok: false, refusal: { kind: 'invalid', field: 'recheck', reason: 'the routing file has no "recheck" template to send' }, ticket: t };
    }
    await this.repo.update(tx.m, t, r.ticket);
    const actor = agentActor(agent);
    const alsoClaimed = t.status === 'open';
    await this.record(
      tx, r.ticket, 'ticket.resolved', actor,
      { ...(input.note ? { note: input.note } : {}), ...(input.customerContacted !== undefined ? { customerContacted: input.customerContacted } : {}) },
      summaries.resolved(r.ticket, actor, via, alsoClaimed),
      { via, rootCause: input.rootCause, note: input.note ?? null, customerContacted: input.customerContacted ?? null, claimedOnResolve: alsoClaimed },
    );
    tx.afterCommit(() => ticketsResolved.inc({ team: r.ticket.team, root_cause: input.rootCause, via }));
    if (recheck) await this.scheduleRecheck(tx, r.ticket, agent, now);
    return r;
  }

  /** SPEC §11: the recheck goes out after the team's `recheckAfter`; a reopen before then cancels it (ADR 0018). */
  private async scheduleRecheck(tx: Tx, t: Ticket, agent: Agent, now: Date): Promise<void> {
    const resolvedAt = t.resolvedAt ?? now;
    const dueAt = new Date(resolvedAt.getTime() + this.teamOf(t.team, t.touchpoint).recheckAfterMs);
    const id = deterministicId('recheck-schedule', t.id, resolvedAt.toISOString());
    await this.rechecks.insert(tx.m, { id, ticketId: t.id, resolvedAt, agentId: agent.id, dueAt }, now);
    await this.repo.addTimeline(tx.m, {
      id: deterministicId('recheck.scheduled', id), ticketId: t.id, at: now, kind: 'event', type: 'recheck.scheduled', actor: agentActor(agent),
      summary: recheckSummaries.scheduled(dueAt), data: { scheduleId: id, dueAt: dueAt.toISOString() },
    });
  }

  async reopen(tx: Tx, ticketId: string, agent: Agent, reason: string, now = new Date()): Promise<ChangeResult> {
    const t = await this.load(tx, ticketId);
    if (!t) return this.notFound(ticketId);
    const denied = forbiddenOn(agent, 'tickets.act', t);
    if (denied) return { ok: false, refusal: denied, ticket: t };
    const r = reopenTicket(t, this.teamOf(t.team, t.touchpoint).slaMs, now);
    if (!r.ok) return { ok: false, refusal: r.refusal, ticket: t };
    await this.repo.update(tx.m, t, r.ticket);
    const actor = agentActor(agent);
    await this.record(tx, r.ticket, 'ticket.reopened', actor, { reason }, summaries.reopened(actor, reason), {
      reason, previous: { assigneeId: t.assigneeId, rootCause: t.rootCause, resolutionNote: t.resolutionNote, resolvedAt: t.resolvedAt },
    });
    tx.afterCommit(() => ticketsReopened.inc({ team: r.ticket.team }));
    return r;
  }

  async addNote(tx: Tx, ticketId: string, agent: Agent, body: string, now = new Date()): Promise<ChangeResult & { noteId?: string }> {
    const t = await this.load(tx, ticketId);
    if (!t) return this.notFound(ticketId);
    const denied = forbiddenOn(agent, 'tickets.act', t);
    if (denied) return { ok: false, refusal: denied, ticket: t };
    const after = noteAdded(t, now);
    await this.repo.update(tx.m, t, after);
    const actor = agentActor(agent);
    const noteId = await this.record(tx, after, 'ticket.note_added', actor, { note: body }, summaries.note(actor, body), { body }, 'note');
    await this.repo.addNote(tx.m, { id: noteId, ticketId: t.id, authorId: agent.id, body, at: now });
    return { ok: true, ticket: after, changed: true, noteId };
  }

  /**
   * cx.ticket.commands.v1: the same claim/resolve as the API. A command that cannot be applied becomes a
   * `ticket.command_rejected` event (409 state, 404 unknown ticket, 422 bad input) so its sender can tell the user.
   */
  async applyCommand(tx: Tx, cmd: TicketCommand, now = new Date()): Promise<ChangeResult> {
    const d = cmd.data;
    const agent = agentById(this.routing, d.agentId);
    let result: ChangeResult;
    if (!agent) {
      result = { ok: false, refusal: { kind: 'invalid', field: 'agentId', reason: `unknown agent "${d.agentId}"` }, ticket: await this.load(tx, d.ticketId) };
    } else if (cmd.type === 'ticket.claim') {
      result = await this.claim(tx, d.ticketId, agent, d.via, now);
    } else if (cmd.type === 'ticket.assign') {
      result = d.assigneeId
        ? await this.assign(tx, d.ticketId, agent, d.assigneeId, d.via, now)
        : { ok: false, refusal: { kind: 'invalid', field: 'assigneeId', reason: 'required to assign' }, ticket: await this.load(tx, d.ticketId) };
    } else if (cmd.type !== 'ticket.resolve') {
      // ticket.message_customer is the customer-message service's (CustomerMessageService.requestFromCommand)
      throw new Error(`applyCommand: ${cmd.type} is not a change of the ticket`);
    } else if (!d.rootCause) {
      result = { ok: false, refusal: { kind: 'invalid', field: 'rootCause', reason: `required to resolve (one of ${this.routing.rootCauses.join(', ')})` }, ticket: await this.load(tx, d.ticketId) };
    } else {
      result = await this.resolve(
        tx, d.ticketId, agent, { rootCause: d.rootCause, note: d.note, customerContacted: d.customerContacted, recheck: d.recheck }, d.via, now,
      );
    }
    if (!result.ok) await this.rejectCommand(tx, cmd, result.refusal, result.ticket, agent, now);
    return result;
  }

  /** A command that cannot be applied → `ticket.command_rejected` (on the timeline when the ticket exists), so its sender can tell the user. */
  async rejectCommand(tx: Tx, cmd: TicketCommand, refusal: Refusal | NotFound | Forbidden, ticket: Ticket | null, agent: Agent | undefined, now: Date): Promise<void> {
    const statusCode = refusal.kind === 'not_found' ? 404 : refusal.kind === 'conflict' ? 409 : refusal.kind === 'forbidden' ? 403 : 422;
    // the contract caps `reason` at 2,000 characters; an agent id from a command is not ours to trust
    const reason = truncate(refusal.kind === 'invalid' ? `${refusal.field}: ${refusal.reason}` : refusal.reason, 2_000);
    const actor: Actor = agent ? agentActor(agent) : { kind: 'agent', id: cmd.data.agentId };
    const reasonCode: RefusalCode | undefined = refusal.kind === 'not_found' ? 'not_found'
      : refusal.kind === 'forbidden' ? (refusal.rule === 'team' ? 'forbidden_team' : refusal.rule === 'role' ? 'forbidden_role' : undefined)
      : refusal.kind === 'conflict' ? refusal.code : undefined;
    const data = {
      actor, reason, ...(reasonCode ? { reasonCode } : {}), statusCode, commandId: cmd.eventId, ticketId: cmd.data.ticketId,
      ...(cmd.data.responseUrl ? { responseUrl: cmd.data.responseUrl } : {}),
    };
    const command = cmd.type === 'ticket.claim' ? 'Claim' : cmd.type === 'ticket.resolve' ? 'Resolve' : cmd.type === 'ticket.assign' ? 'Assign' : 'Message to the customer';
    if (ticket) {
      // not a change of the ticket: same snapshot and version, but visible in its timeline
      await this.record(tx, ticket, 'ticket.command_rejected', actor, data, summaries.commandRejected(command, actor, reason, cmd.data.via), {
        commandId: cmd.eventId, statusCode, via: cmd.data.via, reason,
      }, 'event', now);
    } else {
      // no ticket, so no snapshot: the event says which command failed and why (key: the id it named)
      const event = makeEnvelope('ticket.command_rejected', data as CommandRejectedData, SERVICE, { occurredAt: now });
      await this.outbox.add(tx.m, Topic.TicketEvents, cmd.data.ticketId, event);
    }
    tx.afterCommit(() => commandsRejected.inc({ command: cmd.type, status_code: String(statusCode) }));
  }

  /**
   * SLA poller: one batch of due tickets, locked (SKIP LOCKED: another instance has the others), each
   * breach stamped and announced once. Returns how many tickets were looked at.
   */
  async stampSlaBreaches(tx: Tx, now: Date, batch: number): Promise<{ tickets: number; breaches: { ticketId: string; breach: SlaBreach }[] }> {
    const due = await this.repo.lockDueForSla(tx.m, now, batch);
    const breaches: { ticketId: string; breach: SlaBreach }[] = [];
    for (const t of due) {
      let current = t;
      for (const breach of dueBreaches(t, now)) {
        const after = markBreached(current, breach, now);
        await this.repo.update(tx.m, current, after);
        await this.record(tx, after, 'ticket.sla_breached', SYSTEM, { breach }, summaries.slaBreached(after, breach), {
          breach, due: (breach === 'firstResponse' ? after.firstResponseDue : after.resolveDue).toISOString(),
        });
        tx.afterCommit(() => slaBreaches.inc({ team: after.team, breach }));
        breaches.push({ ticketId: t.id, breach });
        current = after;
      }
    }
    return { tickets: due.length, breaches };
  }

  /**
   * Escalation poller (SPEC §12, ADR 0019): the steps of the team's chain that fell due on one locked, unclaimed ticket.
   * Each step is recorded in `escalation_step` first (its primary key makes it once per ticket, round and step), then
   * announced as `ticket.escalated` with an eventId derived from the same three, in the caller's transaction.
   */
  async escalate(tx: Tx, locked: LockedForEscalation, now: Date): Promise<{ ticketId: string; step: number }[]> {
    const t = await this.repo.find(tx.m, locked.ticketId);
    if (!t) return [];
    const chain = teamById(this.routing, t.team)?.escalation ?? [];
    const fired: { ticketId: string; step: number }[] = [];
    let current = t;
    for (const due of dueSteps(chain, t, locked.from, now, locked.fired)) {
      const eventId = deterministicId('ticket.escalated', t.id, String(locked.round), String(due.step));
      if (!(await this.escalations.markFired(tx.m, { ticketId: t.id, round: locked.round, step: due.step, eventId, at: now }))) continue;
      const after = escalatedTicket(current, now);
      await this.repo.update(tx.m, current, after);
      const escalation = { step: due.step, of: chain.length, after: due.after, from: locked.from.toISOString(), notify: due.notify };
      await this.record(tx, after, 'ticket.escalated', SYSTEM, { escalation } as Partial<TicketEventData>,
        escalationSummary(due, chain.length, locked.round > 0), { ...escalation, round: locked.round }, 'event', now, eventId);
      tx.afterCommit(() => escalations.inc({ team: after.team, step: String(due.step) }));
      fired.push({ ticketId: t.id, step: due.step });
      current = after;
    }
    return fired;
  }

  /** The event (through the outbox) and its timeline entry, in the caller's transaction. Returns the eventId. */
  private async record(
    tx: Tx, t: Ticket, type: TicketEventType, actor: Actor, extra: Partial<TicketEventData>, summary: Summary,
    timelineData: Record<string, unknown>, kind: 'event' | 'note' = 'event', at: Date = t.updatedAt, eventId?: string,
  ): Promise<string> {
    const event = makeEnvelope(type, { ticket: toSnapshot(t, this.nameOf), actor, ...extra } as TicketEventData, SERVICE, { occurredAt: at, ...(eventId ? { eventId } : {}) });
    await this.repo.addTimeline(tx.m, { id: event.eventId, ticketId: t.id, at, kind, type, actor, summary, data: timelineData });
    await this.outbox.add(tx.m, Topic.TicketEvents, t.id, event);
    return event.eventId;
  }
}

