import type { EntityManager } from 'typeorm';
import type { EscalationStep } from '@closeloop/contracts';

/** An unclaimed ticket with a step due, locked for this transaction. */
export interface LockedForEscalation {
  ticketId: string;
  /** the ticket's reopen_count: the chain runs again after each reopen */
  round: number;
  /** when the chain started: the opening, or the last reopening */
  from: Date;
  /** steps already fired in this round */
  fired: Set<number>;
}

/** SQL over `escalation_step` (one row per fired step, ticket and round) and the tickets it looks at. */
export class EscalationRepository {
  constructor(private readonly schema: string) {}

  private t(table: string): string {
    return `"${this.schema}".${table}`;
  }

  /**
   * Open tickets of teams with a chain, with a step whose `after` has passed since the chain started and that has not
   * fired in this round; locked FOR UPDATE SKIP LOCKED, so another instance (or the SLA poller) holding one skips it.
   * A reopened ticket's chain starts at its last `ticket.reopened` (the timeline's record of it).
   */
  async lockDue(m: EntityManager, chains: ReadonlyMap<string, readonly EscalationStep[]>, now: Date, limit: number): Promise<LockedForEscalation[]> {
    const teams: string[] = [];
    const steps: number[] = [];
    const afterMs: number[] = [];
    for (const [team, chain] of chains) chain.forEach((s, i) => (teams.push(team), steps.push(i + 1), afterMs.push(s.afterMs)));
    if (teams.length === 0) return [];
    const rows: { id: string; round: number; from_at: Date; fired: number[] }[] = await m.query(
      `WITH chain (team, step, after_ms) AS (SELECT * FROM unnest($1::text[], $2::int[], $3::float8[]))
       SELECT t.id, t.reopen_count AS round, s.from_at,
              ARRAY(SELECT e.step FROM ${this.t('escalation_step')} e WHERE e.ticket_id = t.id AND e.round = t.reopen_count) AS fired
       FROM ${this.t('ticket')} t
       CROSS JOIN LATERAL (
         SELECT CASE WHEN t.reopen_count = 0 THEN t.opened_at ELSE COALESCE(
           (SELECT max(tl.at) FROM ${this.t('timeline')} tl WHERE tl.ticket_id = t.id AND tl.type = 'ticket.reopened'), t.opened_at) END AS from_at
       ) s
       WHERE t.status = 'open' AND t.team = ANY($1::text[])
         AND EXISTS (
           SELECT 1 FROM chain c
           WHERE c.team = t.team AND s.from_at + c.after_ms * interval '1 millisecond' <= $4
             AND NOT EXISTS (SELECT 1 FROM ${this.t('escalation_step')} e WHERE e.ticket_id = t.id AND e.round = t.reopen_count AND e.step = c.step))
       ORDER BY t.opened_at
       LIMIT $5
       FOR UPDATE OF t SKIP LOCKED`,
      [teams, steps, afterMs, now, limit],
    );
    return rows.map((r) => ({ ticketId: r.id, round: r.round, from: r.from_at, fired: new Set(r.fired) }));
  }

  /**
   * Records a step as fired; false when it already was (the primary key decides, whatever ran before). Written in the
   * transaction of the `ticket.escalated` event: both commit, or neither.
   */
  async markFired(m: EntityManager, f: { ticketId: string; round: number; step: number; eventId: string; at: Date }): Promise<boolean> {
    const rows = await m.query(
      `INSERT INTO ${this.t('escalation_step')} (ticket_id, round, step, fired_at, event_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [f.ticketId, f.round, f.step, f.at, f.eventId],
    );
    return rows.length === 1;
  }
}
