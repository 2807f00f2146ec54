import type { EntityManager } from 'typeorm';

export interface RecheckSchedule {
  id: string;
  ticketId: string;
  resolvedAt: Date;
  agentId: string;
  dueAt: Date;
}

/** SQL over `recheck_schedule`: one row per resolve that asked for a recheck, done once (sent or skipped). */
export class RecheckRepository {
  constructor(private readonly schema: string) {}

  private get table(): string {
    return `"${this.schema}".recheck_schedule`;
  }

  async insert(m: EntityManager, s: RecheckSchedule, now: Date): Promise<void> {
    await m.query(
      `INSERT INTO ${this.table} (id, ticket_id, resolved_at, agent_id, due_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [s.id, s.ticketId, s.resolvedAt, s.agentId, s.dueAt, now],
    );
  }

  /** Due rows, locked; another instance skips them (and takes the next ones). */
  async lockDue(m: EntityManager, now: Date, limit: number): Promise<RecheckSchedule[]> {
    const rows: { id: string; ticket_id: string; resolved_at: Date; agent_id: string; due_at: Date }[] = await m.query(
      `SELECT id, ticket_id, resolved_at, agent_id, due_at FROM ${this.table}
       WHERE done_at IS NULL AND due_at <= $1 ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map((r) => ({ id: r.id, ticketId: r.ticket_id, resolvedAt: new Date(r.resolved_at), agentId: r.agent_id, dueAt: new Date(r.due_at) }));
  }

  async finish(m: EntityManager, id: string, outcome: 'sent' | 'skipped', reason: string | null, now: Date): Promise<void> {
    await m.query(`UPDATE ${this.table} SET done_at = $2, outcome = $3, reason = $4 WHERE id = $1 AND done_at IS NULL`, [id, now, outcome, reason]);
  }
}
