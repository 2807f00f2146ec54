import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Locale, isLocale } from '@closeloop/contracts';
import type { ConsoleConfig } from '../config';
import { CONSOLE_CONFIG } from '../tokens';

/** The language each agent chose in the console's switcher (SPEC §14: "remembered"), one row per agent. */
@Injectable()
export class AgentLocales {
  constructor(@Inject(CONSOLE_CONFIG) private readonly cfg: ConsoleConfig, private readonly ds: DataSource) {}

  private get table(): string {
    return `"${this.cfg.database.schema}".agent_locale`;
  }

  async chosen(agentId: string): Promise<Locale | null> {
    const rows: { locale: string }[] = await this.ds.query(`SELECT locale FROM ${this.table} WHERE agent_id = $1`, [agentId]);
    // a locale we no longer speak reads as no choice: the routing file's then applies
    return rows.length && isLocale(rows[0].locale) ? rows[0].locale : null;
  }

  async choose(agentId: string, locale: Locale): Promise<void> {
    await this.ds.query(
      `INSERT INTO ${this.table} (agent_id, locale) VALUES ($1, $2)
       ON CONFLICT (agent_id) DO UPDATE SET locale = EXCLUDED.locale, chosen_at = now()`,
      [agentId, locale],
    );
  }
}
