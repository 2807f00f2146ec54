import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { MessageRefusal } from '../messages/message-rules';
import { joined, say } from '../domain/timeline';

/** The template a resolve with `recheck: true` sends (SPEC §11). */
export const RECHECK_TEMPLATE = 'recheck';
/** How long a recheck link can be answered: as long as notification keeps it answerable (ADR 0016). */
export const RECHECK_LINK_TTL_MS = 14 * 24 * 3600 * 1000;

/** Why a due recheck was not sent; each is shown on the ticket's timeline. */
export type RecheckSkip = 'reopened' | 'no_public_base_url' | 'no_phone' | 'opted_out' | 'template';

export interface RecheckLinkParts {
  id: string;
  /** the capability: only inside the message body, never stored or logged by tickets */
  token: string;
  tokenHash: string;
  url: string;
  expiresAt: Date;
}

/** A fresh link: 256 random bits (base64url), its SHA-256 (what notification stores), `PUBLIC_BASE_URL/r/<token>`. */
export function newRecheckLink(publicBaseUrl: string, now: Date, random: (n: number) => Buffer = randomBytes): RecheckLinkParts {
  const token = random(32).toString('base64url');
  return {
    id: randomUUID(),
    token,
    tokenHash: createHash('sha256').update(token).digest('hex'),
    url: `${publicBaseUrl.replace(/\/+$/, '')}/r/${token}`,
    expiresAt: new Date(now.getTime() + RECHECK_LINK_TTL_MS),
  };
}

/** The text as tickets keeps and shows it: the token replaced, so no agent (or timeline reader) can answer for the customer. */
export function withoutToken(body: string, link: Pick<RecheckLinkParts, 'token'>): string {
  return body.split(link.token).join('…');
}

/**
 * What stops a due recheck before anything is rendered: the ticket was reopened since the resolve that asked for it
 * (a later resolve has another `resolvedAt`), or tickets does not know the public URL of the recheck page.
 */
export function recheckBlocker(i: {
  status: string; resolvedAt: Date | null; scheduledResolvedAt: Date; publicBaseUrl?: string;
}): RecheckSkip | null {
  if (i.status !== 'resolved' || i.resolvedAt?.getTime() !== i.scheduledResolvedAt.getTime()) return 'reopened';
  if (!i.publicBaseUrl) return 'no_public_base_url';
  return null;
}

/** A refusal of composeMessage as a reason to skip: no number, opted out, or a template that does not render. */
export function skipOfRefusal(r: MessageRefusal): RecheckSkip {
  if (r.status === 409) return /opted out/.test(r.reason) ? 'opted_out' : 'no_phone';
  return 'template';
}

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export const recheckSummaries = {
  scheduled: (dueAt: Date) => say('timeline.recheckScheduled', { due: utc(dueAt) }),
  sent: () => say('timeline.recheckSent'),
  skipped: (why: RecheckSkip, detail?: string) => joined(say('timeline.recheckSkipped', { why }), ...(detail ? [say('timeline.detail', { detail })] : [])),
  answered: (score: number) => say('timeline.recheckAnswered', { score }),
};
