import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { supportedLocale, translator } from '@closeloop/contracts';
import { hashCapabilityToken, isCapabilityToken, newCapabilityToken } from '../web/capability-token';

type Queryable = Pick<EntityManager, 'query'>;

export interface UnsubscribeLink {
  id: string;
  ticketId: string;
  customerId: string;
  locale?: string;
  usedAt: Date | null;
}

/**
 * The unsubscribe link of every email to a customer (SPEC §11): one per email, never expiring (a customer may
 * unsubscribe from an old email), used once (a second click changes nothing). Stored by the SHA-256 of its token.
 */
export class UnsubscribeLinks {
  private readonly table: string;

  constructor(schema: string) {
    this.table = `"${schema}".unsubscribe_link`;
  }

  async issue(q: Queryable, link: { ticketId: string; customerId: string; locale?: string }, now: Date): Promise<{ token: string; id: string }> {
    const { token, hash } = newCapabilityToken();
    const id = randomUUID();
    await q.query(`INSERT INTO ${this.table} (id, token_hash, ticket_id, customer_id, locale, created_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
      id, hash, link.ticketId, link.customerId, link.locale ?? null, now,
    ]);
    return { token, id };
  }

  async find(q: Queryable, token: string, lock = false): Promise<UnsubscribeLink | undefined> {
    if (!isCapabilityToken(token)) return undefined;
    const [r] = await q.query(`SELECT id, ticket_id, customer_id, locale, used_at FROM ${this.table} WHERE token_hash = $1${lock ? ' FOR UPDATE' : ''}`, [hashCapabilityToken(token)]);
    if (!r) return undefined;
    return { id: r.id, ticketId: r.ticket_id, customerId: r.customer_id, ...(r.locale ? { locale: r.locale } : {}), usedAt: r.used_at ? new Date(r.used_at) : null };
  }

  async markUsed(q: Queryable, id: string, at: Date): Promise<void> {
    await q.query(`UPDATE ${this.table} SET used_at = $2 WHERE id = $1 AND used_at IS NULL`, [id, at]);
  }
}

/** The footer every customer email ends with, in its language, and the headers mail clients show as "Unsubscribe" (RFC 2369, RFC 8058). */
export function withUnsubscribe(text: string, url: string, locale: string | undefined): { text: string; headers: Record<string, string> } {
  const line = translator(supportedLocale(locale)).t('unsubscribe.footer');
  return {
    text: `${text}\n\n-- \n${line}: ${url}`,
    headers: { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}
