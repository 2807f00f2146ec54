import type { Agent, AgentRole } from '@closeloop/contracts';

/**
 * Who may do what (SPEC §12), the one table every service asks: the tickets API, the console, ingest's ops API and
 * Slack's commands (through tickets). A permission names what a user would say they are doing; each lists the roles
 * that have it, and for which of those roles it only reaches the tickets of their own team.
 *
 * - agent: reads and acts on the tickets of their team;
 * - lead: that, and assigns, exports and sees the reports of their team;
 * - ops: the topic dashboard, sources and dead letters, and replays them; every ticket, read-only;
 * - admin: all of it, on every team, and erasure; the only role that sees personal fields in dead letters.
 */
export const PERMISSIONS = {
  /** any signed-in user: who am I, what the forms offer */
  'session': { roles: ['agent', 'lead', 'ops', 'admin'], ownTeam: [] },
  'tickets.read': { roles: ['agent', 'lead', 'ops', 'admin'], ownTeam: ['agent', 'lead'] },
  'tickets.act': { roles: ['agent', 'lead', 'admin'], ownTeam: ['agent', 'lead'] },
  'tickets.assign': { roles: ['lead', 'admin'], ownTeam: ['lead'] },
  'tickets.export': { roles: ['lead', 'admin'], ownTeam: ['lead'] },
  'reports.read': { roles: ['lead', 'admin'], ownTeam: ['lead'] },
  'ops.read': { roles: ['ops', 'admin'], ownTeam: [] },
  'ops.replay': { roles: ['ops', 'admin'], ownTeam: [] },
  'personal-data.read': { roles: ['admin'], ownTeam: [] },
  'customers.erase': { roles: ['admin'], ownTeam: [] },
} as const satisfies Record<string, { roles: readonly AgentRole[]; ownTeam: readonly AgentRole[] }>;

export type Permission = keyof typeof PERMISSIONS;

/** Why a request was refused: always a 403 that names the roles that may. */
export interface Refusal {
  status: 403;
  detail: string;
  requiredRoles: AgentRole[];
  /** Which rule refused: the caller's role never may, or it may only on its own team (so a sender can say it in the reader's language). */
  rule?: 'role' | 'team';
}

const roleList = (roles: readonly AgentRole[]) => (roles.length === 1 ? roles[0] : `${roles.slice(0, -1).join(', ')} or ${roles[roles.length - 1]}`);

/**
 * May `agent` do `permission`, on something of `team` when given? Null when it may; the refusal otherwise. Without a
 * team only the role is judged (the caller then narrows what it shows to `scopeOf`).
 */
export function authorize(agent: Pick<Agent, 'role' | 'team'>, permission: Permission, team?: string): Refusal | null {
  const rule = PERMISSIONS[permission];
  const roles = rule.roles as readonly AgentRole[];
  if (!roles.includes(agent.role)) {
    return { status: 403, detail: `${describe(permission)} needs the role ${roleList(roles)} (yours is ${agent.role})`, requiredRoles: [...roles], rule: 'role' };
  }
  if (team !== undefined && team !== agent.team && (rule.ownTeam as readonly AgentRole[]).includes(agent.role)) {
    const wider = roles.filter((r) => !(rule.ownTeam as readonly AgentRole[]).includes(r));
    return {
      status: 403,
      detail: `this belongs to team ${team}; ${agent.role === 'lead' ? 'a' : 'an'} ${agent.role} ${VERBS[permission]} only their own team's (${agent.team}); on any team it needs the role ${roleList(wider)}`,
      requiredRoles: wider,
      rule: 'team',
    };
  }
  return null;
}

/** The team `agent` is held to for `permission`, or null when they may see every team's. */
export function scopeOf(agent: Pick<Agent, 'role' | 'team'>, permission: Permission): string | null {
  return (PERMISSIONS[permission].ownTeam as readonly AgentRole[]).includes(agent.role) ? agent.team : null;
}

/** What each role may do, for the console (it shows only what the signed-in user can use). */
export function permissionsOf(role: AgentRole): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => (PERMISSIONS[p].roles as readonly AgentRole[]).includes(role));
}

const DESCRIPTIONS: Record<Permission, string> = {
  'session': 'signing in',
  'tickets.read': 'reading tickets',
  'tickets.act': 'acting on a ticket (claim, resolve, reopen, notes, messages to the customer)',
  'tickets.assign': 'assigning a ticket',
  'tickets.export': 'exporting tickets',
  'reports.read': 'reading reports',
  'ops.read': 'the ops pages (topics, consumer lag, dead letters, deliveries, sources)',
  'ops.replay': 'replaying dead letters and kept source payloads',
  'personal-data.read': 'reading personal data in dead letters',
  'customers.erase': 'erasing a customer',
};
const VERBS: Record<Permission, string> = {
  'session': 'signs in',
  'tickets.read': 'reads',
  'tickets.act': 'acts on',
  'tickets.assign': 'assigns',
  'tickets.export': 'exports',
  'reports.read': 'reads the reports of',
  'ops.read': 'reads',
  'ops.replay': 'replays',
  'personal-data.read': 'reads',
  'customers.erase': 'erases',
};
const describe = (p: Permission) => DESCRIPTIONS[p].replace(/^./, (c) => c.toUpperCase());

