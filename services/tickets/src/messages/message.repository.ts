import type { EntityManager } from 'typeorm';
import type { CustomerMessageChannel } from '@closeloop/contracts';

/** What the agent asked for: a template, or a text of their own. */
export interface MessageRequest {
  channel: CustomerMessageChannel;
  template?: string;
  body?: string;
  /** email only, with a body of the agent's own */
  subject?: string;
}

export interface StoredMessage {
  id: string;
  ticketId: string;
  agentId: string;
  channel: CustomerMessageChannel;
  template: string | null;
  subject: string | null;
  body: string;
  locale: string | null;
  request: MessageRequest;
  createdAt: Date;
}

interface MessageRow {
  id: string;
  ticket_id: string;
  agent_id: string;
  channel: CustomerMessageChannel;
  template: string | null;
  subject: string | null;
  body: string;
  locale: string | null;
  request: MessageRequest;
  created_at: Date;
}

/** SQL over `customer_message`: one row per message an agent asked to send (its id is the intent). */
export class MessageRepository {
  constructor(private readonly schema: string) {}

  private get table(): string {
    return `"${this.schema}".customer_message`;
  }

  async find(m: EntityManager, id: string): Promise<StoredMessage | null> {
    const rows: MessageRow[] = await m.query(`SELECT * FROM ${this.table} WHERE id = $1`, [id]);
    if (!rows.length) return null;
    const r = rows[0];
    return {
      id: r.id, ticketId: r.ticket_id, agentId: r.agent_id, channel: r.channel, template: r.template, subject: r.subject, body: r.body,
      locale: r.locale, request: r.request, createdAt: r.created_at,
    };
  }

  async insert(m: EntityManager, msg: StoredMessage): Promise<void> {
    await m.query(
      `INSERT INTO ${this.table} (id, ticket_id, agent_id, channel, template, subject, body, locale, request, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)`,
      [msg.id, msg.ticketId, msg.agentId, msg.channel, msg.template, msg.subject, msg.body, msg.locale, JSON.stringify(msg.request), msg.createdAt],
    );
  }
}
