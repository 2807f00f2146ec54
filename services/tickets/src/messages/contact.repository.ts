import type { EntityManager } from 'typeorm';
import type { CustomerDto, CustomerMessageChannel } from '@closeloop/contracts';
import { BatchTransaction } from '@closeloop/messaging';

/** How to reach a customer, and whether they still want SMS (SPEC §11). Personal data: never logged. */
export interface CustomerContact {
  customerId: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  locale: string | null;
  smsOptedOutAt: Date | null;
  smsOptOutReason: string | null;
  emailOptedOutAt: Date | null;
  emailOptOutReason: string | null;
}

interface ContactRow {
  customer_id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  locale: string | null;
  sms_opted_out_at: Date | null;
  sms_opt_out_reason: string | null;
  email_opted_out_at: Date | null;
  email_opt_out_reason: string | null;
}

const FIELDS = ['name', 'email', 'phone', 'locale'] as const;

/** customer_id, name, email, phone, locale, as_of, updated_at. */
type RememberRow = [string, string | null, string | null, string | null, string | null, string, string];

/** SQL over `customer_contact`: one row per customer, the newest details any feedback gave, and consent. */
export class ContactRepository {
  constructor(private readonly schema: string) {}

  private get table(): string {
    return `"${this.schema}".customer_contact`;
  }

  /**
   * Remembers what a feedback says about its customer. Per field the newest value wins (by response time): a
   * newer feedback without a phone keeps the phone an older one gave (survey tools send what they have), and an
   * older feedback arriving late only fills fields still empty. Consent is never touched here.
   */
  async remember(m: EntityManager, customer: CustomerDto, respondedAt: string, now = new Date()): Promise<void> {
    const row: RememberRow = [customer.id, customer.name ?? null, customer.email ?? null, customer.phone ?? null, customer.locale ?? null, respondedAt, now.toISOString()];
    // in a consumer's batch (ADR 0023) nothing reads these rows before the commit: the batch's go in right before it,
    // a multi-row statement per round (below) instead of one statement per feedback
    const batch = BatchTransaction.current()?.batch;
    if (batch?.owns(m)) {
      batch.local(this, () => {
        const rows: RememberRow[] = [];
        batch.beforeCommit((tm) => this.upsert(tm, rows));
        return rows;
      }).push(row);
      return;
    }
    await this.upsert(m, [row]);
  }

  /**
   * The rows in the order given. A customer twice in one statement is refused by Postgres (ON CONFLICT DO UPDATE
   * cannot change a row twice), so the rows go in rounds: the n-th row of each customer in round n. Each customer's
   * rows are applied in their order, and customers do not affect one another: the same result as one by one.
   */
  private async upsert(m: EntityManager, rows: RememberRow[]): Promise<void> {
    const rounds: RememberRow[][] = [];
    const seen = new Map<string, number>();
    for (const r of rows) {
      const n = seen.get(r[0]) ?? 0;
      seen.set(r[0], n + 1);
      (rounds[n] ??= []).push(r);
    }
    const pick = (f: string) =>
      `${f} = CASE WHEN EXCLUDED.as_of >= c.as_of THEN COALESCE(EXCLUDED.${f}, c.${f}) ELSE COALESCE(c.${f}, EXCLUDED.${f}) END`;
    for (const round of rounds) {
      await m.query(
        `INSERT INTO ${this.table} AS c (customer_id, name, email, phone, locale, as_of, updated_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[])
         ON CONFLICT (customer_id) DO UPDATE SET ${FIELDS.map(pick).join(', ')},
           as_of = GREATEST(c.as_of, EXCLUDED.as_of), updated_at = EXCLUDED.updated_at`,
        [0, 1, 2, 3, 4, 5, 6].map((i) => round.map((r) => r[i])),
      );
    }
  }

  async find(m: EntityManager, customerId: string): Promise<CustomerContact | null> {
    const rows: ContactRow[] = await m.query(
      `SELECT customer_id, name, email, phone, locale, sms_opted_out_at, sms_opt_out_reason, email_opted_out_at, email_opt_out_reason FROM ${this.table} WHERE customer_id = $1`,
      [customerId],
    );
    if (!rows.length) return null;
    const r = rows[0];
    return {
      customerId: r.customer_id, name: r.name, email: r.email, phone: r.phone, locale: r.locale,
      smsOptedOutAt: r.sms_opted_out_at, smsOptOutReason: r.sms_opt_out_reason,
      emailOptedOutAt: r.email_opted_out_at, emailOptOutReason: r.email_opt_out_reason,
    };
  }

  /** The customer opted out of a channel; the first opt-out is kept (a second one changes nothing). True when recorded now. */
  async optOut(m: EntityManager, customerId: string, channel: CustomerMessageChannel, reason: string, at: Date): Promise<boolean> {
    const [at_, why] = channel === 'sms' ? ['sms_opted_out_at', 'sms_opt_out_reason'] : ['email_opted_out_at', 'email_opt_out_reason'];
    const rows = await m.query(
      `INSERT INTO ${this.table} AS c (customer_id, as_of, ${at_}, ${why}, updated_at)
       VALUES ($1, 'epoch', $2, $3, $2)
       ON CONFLICT (customer_id) DO UPDATE SET ${at_} = EXCLUDED.${at_}, ${why} = EXCLUDED.${why}, updated_at = EXCLUDED.updated_at
       WHERE c.${at_} IS NULL
       RETURNING 1`,
      [customerId, at, reason],
    );
    return rows.length === 1;
  }
}
