import type { Queryable } from '../persistence/notification.repository';

/** SQL of the outreach slice over the notification schema (its `delivery` rows of purpose `customer_sms`). */
export class OutreachRepository {
  private readonly s: string;

  constructor(schema: string) {
    this.s = `"${schema}"`;
  }

  /**
   * The ticket whose message was last texted to this number: what an inbound SMS from it answers. Deliveries are kept
   * `NOTIFICATION_RETENTION_DAYS`; a reply after that finds none and is only logged.
   */
  async ticketLastTexted(q: Queryable, phone: string): Promise<string | undefined> {
    const rows = await q.query(
      `SELECT ticket_id FROM ${this.s}.delivery WHERE purpose = 'customer_sms' AND recipient = $1 ORDER BY created_at DESC LIMIT 1`,
      [phone],
    );
    return rows[0]?.ticket_id;
  }

  /** Remembers an inbound SMS's MessageSid with its ticket (an erasure deletes its Twilio record); once per SID. */
  async recordInbound(q: Queryable, messageSid: string, ticketId: string): Promise<void> {
    await q.query(`INSERT INTO ${this.s}.inbound_sms (message_sid, ticket_id) VALUES ($1, $2) ON CONFLICT (message_sid) DO NOTHING`, [messageSid, ticketId]);
  }
}
