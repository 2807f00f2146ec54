import { EntityManager } from 'typeorm';

export class DigestRepository {
  constructor(private readonly schema: string) {}

  /** True for the one caller that records (team, day) first: that one sends the team's digest of the day. */
  async claim(m: EntityManager, team: string, day: string, at: Date): Promise<boolean> {
    const rows = await m.query(
      `INSERT INTO "${this.schema}".digest_sent (team, day, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
      [team, day, at],
    );
    return rows.length === 1;
  }
}
