import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RoutingConfig, TeamDigestData, Topic, deterministicId, makeEnvelope } from '@closeloop/contracts';
import { Outbox } from '@closeloop/messaging';
import { SERVICE } from '../config';
import { buildSummary } from '../domain/report';
import { netPromoterScore } from '../domain/stats';
import { TicketRepository } from '../persistence/ticket.repository';
import { ROUTING } from '../tokens';
import { inTransaction } from '../tickets/tx';
import { digestWindow, latestDigestAt } from './digest-schedule';
import { DigestRepository } from './digest.repository';

/** A digest not sent within this long after its time (the service was down) is skipped: tomorrow's is due soon. */
const STALE_AFTER_MS = 12 * 3_600_000;

/**
 * SPEC §12 daily digest: at `digest.at` local time, each team with leads gets `team.digest` (yesterday's numbers)
 * through the outbox, once per (team, local day) however many instances pass — the `digest_sent` row's primary key
 * decides, in the transaction that writes the event.
 */
@Injectable()
export class DigestService {
  constructor(
    private readonly ds: DataSource,
    private readonly tickets: TicketRepository,
    private readonly sent: DigestRepository,
    private readonly outbox: Outbox,
    @Inject(ROUTING) private readonly routing: RoutingConfig,
  ) {}

  get configured(): boolean {
    return this.routing.digest !== undefined;
  }

  /** Sends what is due at `now`; returns the teams sent to. */
  async pass(now = new Date()): Promise<string[]> {
    const digest = this.routing.digest;
    if (!digest) return [];
    const due = latestDigestAt(now, digest.at, digest.timezone);
    if (now.getTime() - due.at.getTime() > STALE_AFTER_MS) return [];
    const window = digestWindow(due.day, digest.timezone);
    const sent: string[] = [];
    for (const team of this.routing.teams) {
      const leads = this.routing.agents.filter((a) => a.team === team.id && a.role === 'lead' && a.slackUserId);
      if (leads.length === 0) continue;
      const did = await inTransaction(this.ds, async ({ m }) => {
        if (!(await this.sent.claim(m, team.id, due.day, now))) return false;
        const [groups, durations, npsCounts] = await Promise.all([
          this.tickets.ticketGroups(m, window.from, window.to, team.id),
          this.tickets.ticketDurations(m, window.from, window.to, team.id),
          this.tickets.npsCounts(m, window.from, window.to, team.id),
        ]);
        const s = buildSummary({
          from: window.from, to: window.to, groups, durations, npsCounts, rootCauseCounts: [], recovery: [], rootCauses: [],
        });
        const nps = { promoters: 0, passives: 0, detractors: 0 };
        for (const c of Object.values(s.nps.byTouchpoint)) {
          nps.promoters += c.promoters;
          nps.passives += c.passives;
          nps.detractors += c.detractors;
        }
        const responses = nps.promoters + nps.passives + nps.detractors;
        const score = netPromoterScore(nps);
        const data: TeamDigestData = {
          team: team.id, day: window.day, from: window.from.toISOString(), to: window.to.toISOString(),
          leads: leads.map((a) => ({ agentId: a.id, slackUserId: a.slackUserId as string })),
          opened: s.tickets.total, resolved: s.tickets.byStatus.resolved, breached: s.sla.breachedTickets,
          ...(s.timeToClaim.medianMs !== null && { medianClaimMs: s.timeToClaim.medianMs }),
          ...(s.timeToResolve.medianMs !== null && { medianResolveMs: s.timeToResolve.medianMs }),
          ...(score !== null && { nps: score }),
          npsResponses: responses,
        };
        const event = makeEnvelope('team.digest', data, SERVICE, { eventId: deterministicId('digest', team.id, due.day), occurredAt: now });
        await this.outbox.add(m, Topic.TeamDigests, team.id, event);
        return true;
      });
      if (did) sent.push(team.id);
    }
    return sent;
  }
}
