import { FieldError, RoutingConfig, Severity, TicketStatus, agentById, teamById } from '@closeloop/contracts';
import type { ListPosition, TicketListFilter } from '../persistence/ticket.repository';
import type { ListTicketsQuery } from './dto';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The position of the last item of a page, opaque to clients (base64url JSON). */
export function encodeCursor(p: ListPosition): string {
  return Buffer.from(JSON.stringify([p.openedAtUs, p.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): ListPosition | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 2) return null;
    const [openedAtUs, id] = v;
    if (typeof openedAtUs !== 'string' || !/^-?\d{1,19}$/.test(openedAtUs) || typeof id !== 'string' || !UUID.test(id)) return null;
    return { openedAtUs, id };
  } catch {
    return null;
  }
}

/**
 * A checked list query → filter, page size and position. Values the DTO lets through are checked against
 * the routing file here: an unknown team or agent is a 400 naming the field, not an empty page.
 */
export function parseListQuery(
  q: ListTicketsQuery, routing: RoutingConfig, me: string,
): { ok: true; filter: TicketListFilter; limit: number; after: ListPosition | null } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const filter: TicketListFilter = {};
  if (q.status) filter.statuses = [...new Set(q.status.split(','))] as TicketStatus[];
  if (q.severity) filter.severities = [...new Set(q.severity.split(','))] as Severity[];
  if (q.team !== undefined) {
    if (teamById(routing, q.team)) filter.team = q.team;
    else errors.push({ field: 'team', message: `unknown team "${q.team}" (teams: ${routing.teams.map((t) => t.id).join(', ')})` });
  }
  if (q.touchpoint !== undefined) filter.touchpoint = q.touchpoint;
  if (q.customer !== undefined) filter.customer = q.customer;
  if (q.ids !== undefined) filter.ids = [...new Set(q.ids.toLowerCase().split(','))];
  if (q.assignee !== undefined) {
    if (q.assignee === 'me') filter.assignee = me;
    else if (q.assignee === 'none') filter.assignee = null;
    else if (agentById(routing, q.assignee)) filter.assignee = q.assignee;
    else errors.push({ field: 'assignee', message: `unknown agent "${q.assignee}" (use an agent id, "me" or "none")` });
  }
  let limit = DEFAULT_LIMIT;
  if (q.limit !== undefined) {
    limit = Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) errors.push({ field: 'limit', message: `must be an integer from 1 to ${MAX_LIMIT}` });
  }
  let after: ListPosition | null = null;
  if (q.cursor !== undefined) {
    after = decodeCursor(q.cursor);
    if (!after) errors.push({ field: 'cursor', message: 'is not a cursor returned by this API (use nextCursor as is)' });
  }
  return errors.length ? { ok: false, errors } : { ok: true, filter, limit, after };
}
