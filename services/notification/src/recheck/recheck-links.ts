import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { hashCapabilityToken, isCapabilityToken, newCapabilityToken } from '../web/capability-token';
import type { RecheckLink } from './recheck-feedback';

type Queryable = Pick<EntityManager, 'query'>;

/** How long a recheck link can be answered. */
export const RECHECK_LINK_TTL_MS = 14 * 24 * 3600 * 1000;

/**
 * Recheck links (SPEC §11). The token is 256 random bits, base64url; only its SHA-256 is stored, so the table can
 * neither be used to answer nor to rebuild a link. Unforgeable (nothing to guess or sign), expiring (`expires_at`)
 * and single-use (`answered_at`, set once under a row lock).
 */
export class RecheckLinks {
  private readonly table: string;

  constructor(schema: string) {
    this.table = `"${schema}".recheck_link`;
  }

  async issue(q: Queryable, link: Omit<RecheckLink, 'id'>, now: Date, ttlMs = RECHECK_LINK_TTL_MS): Promise<{ token: string; id: string; expiresAt: Date }> {
    const { token, hash } = newCapabilityToken();
    const id = randomUUID();
    const expiresAt = new Date(now.getTime() + ttlMs);
    await q.query(
      `INSERT INTO ${this.table} (id, token_hash, ticket_id, customer_id, touchpoint, locale, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, hash, link.ticketId, link.customerId, link.touchpoint, link.locale ?? null, now, expiresAt],
    );
    return { token, id, expiresAt };
  }

  /**
   * Records a link another service made (tickets, for the `recheck` template; ADR 0018): only the token's SHA-256
   * travels. Idempotent: the same link again (a redelivered event) changes nothing. False when it was known already.
   */
  async record(q: Queryable, link: RecheckLink & { tokenHash: string; expiresAt: Date }, now: Date): Promise<boolean> {
    const rows = await q.query(
      `INSERT INTO ${this.table} (id, token_hash, ticket_id, customer_id, touchpoint, locale, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING id`,
      [link.id, link.tokenHash, link.ticketId, link.customerId, link.touchpoint, link.locale ?? null, now, link.expiresAt],
    );
    return rows.length === 1;
  }

  /** The link of a token as it stands (for the page), or undefined for a token we never issued. */
  async find(q: Queryable, token: string, lock = false): Promise<(RecheckLink & { expiresAt: Date; answeredAt: Date | null }) | undefined> {
    if (!isCapabilityToken(token)) return undefined;
    const [r] = await q.query(
      `SELECT id, ticket_id, customer_id, touchpoint, locale, expires_at, answered_at FROM ${this.table} WHERE token_hash = $1${lock ? ' FOR UPDATE' : ''}`,
      [hashCapabilityToken(token)],
    );
    if (!r) return undefined;
    return {
      id: r.id,
      ticketId: r.ticket_id,
      customerId: r.customer_id,
      touchpoint: r.touchpoint,
      ...(r.locale ? { locale: r.locale } : {}),
      expiresAt: new Date(r.expires_at),
      answeredAt: r.answered_at ? new Date(r.answered_at) : null,
    };
  }

  async markAnswered(q: Queryable, id: string, score: number, at: Date): Promise<void> {
    await q.query(`UPDATE ${this.table} SET answered_at = $2, score = $3 WHERE id = $1 AND answered_at IS NULL`, [id, at, score]);
  }
}
