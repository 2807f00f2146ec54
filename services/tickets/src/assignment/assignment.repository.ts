import type { EntityManager } from 'typeorm';

/** SQL of automatic assignment (ADR 0021), in the caller's transaction. */
export class AssignmentRepository {
  constructor(private readonly schema: string) {}

  private t(table: string): string {
    return `"${this.schema}".${table}`;
  }

  /**
   * The team's next round-robin value (1, 2, 3, …). The upsert holds the counter row's lock until the caller's
   * transaction ends, so two instances never take the same value; a rolled-back opening gives its value back.
   */
  async nextCounter(m: EntityManager, team: string): Promise<number> {
    const rows: { value: string }[] = await m.query(
      `INSERT INTO ${this.t('assign_counter')} AS c (team, value) VALUES ($1, 1)
       ON CONFLICT (team) DO UPDATE SET value = c.value + 1
       RETURNING value`,
      [team],
    );
    return Number(rows[0].value);
  }

  /** Open + claimed tickets per assignee of `team`. */
  async openCounts(m: EntityManager, team: string): Promise<Map<string, number>> {
    const rows: { assignee_id: string; n: string }[] = await m.query(
      `SELECT assignee_id, count(*) AS n FROM ${this.t('ticket')}
       WHERE team = $1 AND status IN ('open', 'claimed') AND assignee_id IS NOT NULL GROUP BY assignee_id`,
      [team],
    );
    return new Map(rows.map((r) => [r.assignee_id, Number(r.n)]));
  }
}
