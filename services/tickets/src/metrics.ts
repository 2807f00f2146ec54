import { Counter, Gauge } from 'prom-client';
import { metric } from '@closeloop/platform';


export const ticketsOpened = metric('closeloop_tickets_opened_total', () => new Counter({
  name: 'closeloop_tickets_opened_total',
  help: 'Tickets opened, by team and initial severity',
  labelNames: ['team', 'severity'],
}));
export const feedbackAttached = metric('closeloop_tickets_feedback_attached_total', () => new Counter({
  name: 'closeloop_tickets_feedback_attached_total',
  help: 'Action-required feedback attached to an already open ticket (instead of a second ticket), by team',
  labelNames: ['team'],
}));
export const feedbackRevised = metric('closeloop_tickets_feedback_revised_total', () => new Counter({
  name: 'closeloop_tickets_feedback_revised_total',
  help: 'Feedback on a ticket revised by its customer (a changed score or comment, SPEC §10), by team',
  labelNames: ['team'],
}));
export const ticketsClaimed = metric('closeloop_tickets_claimed_total', () => new Counter({
  name: 'closeloop_tickets_claimed_total',
  help: 'Tickets claimed, by team and where the claim came from (api, slack, console)',
  labelNames: ['team', 'via'],
}));
export const ticketsResolved = metric('closeloop_tickets_resolved_total', () => new Counter({
  name: 'closeloop_tickets_resolved_total',
  help: 'Tickets resolved, by team, root cause and where the resolution came from',
  labelNames: ['team', 'root_cause', 'via'],
}));
export const ticketsReopened = metric('closeloop_tickets_reopened_total', () => new Counter({
  name: 'closeloop_tickets_reopened_total',
  help: 'Tickets reopened, by team',
  labelNames: ['team'],
}));
export const slaBreaches = metric('closeloop_ticket_sla_breaches_total', () => new Counter({
  name: 'closeloop_ticket_sla_breaches_total',
  help: 'SLA breaches (each fires once per ticket and kind), by team and kind (firstResponse, resolve)',
  labelNames: ['team', 'breach'],
}));
export const slaChecks = metric('closeloop_ticket_sla_checks_total', () => new Counter({
  name: 'closeloop_ticket_sla_checks_total',
  help: 'Completed SLA checks of this instance (one per SLA_CHECK_INTERVAL_MS while it runs): a stalled poller stops counting',
}));
export const commandsRejected = metric('closeloop_ticket_commands_rejected_total', () => new Counter({
  name: 'closeloop_ticket_commands_rejected_total',
  help: 'Ticket commands (e.g. from Slack) that could not be applied, by command and status code',
  labelNames: ['command', 'status_code'],
}));

type OpenCounts = Record<'open' | 'claimed', number>;
let sampleOpen: (() => Promise<OpenCounts>) | null = null;

/** Counted from the table at scrape time, so every instance reports the same truth. */
export const openTickets = metric('closeloop_tickets_open', () => new Gauge({
  name: 'closeloop_tickets_open',
  help: 'Tickets not resolved yet, by status (open, claimed)',
  labelNames: ['status'],
  async collect() {
    if (!sampleOpen) return;
    try {
      const counts = await sampleOpen();
      this.set({ status: 'open' }, counts.open);
      this.set({ status: 'claimed' }, counts.claimed);
    } catch {
      // a scrape must not fail because the database is briefly away; /health/ready reports that
    }
  },
}));

export function setOpenTicketsSampler(fn: (() => Promise<OpenCounts>) | null): void {
  sampleOpen = fn;
}
export const rechecks = metric('closeloop_tickets_rechecks_total', () => new Counter({
  name: 'closeloop_tickets_rechecks_total',
  help: 'Due rechecks (SPEC §11) by outcome: sent, or why not (reopened, no_phone, opted_out, no_public_base_url, template)',
  labelNames: ['outcome'],
}));
export const escalations = metric('closeloop_tickets_escalations_total', () => new Counter({
  name: 'closeloop_tickets_escalations_total',
  help: 'Escalation steps fired (SPEC §12: each once per ticket and opening), by team and step (1-based)',
  labelNames: ['team', 'step'],
}));
