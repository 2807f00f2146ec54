import type { AgentRole } from '@closeloop/contracts';
import { PERMISSIONS, authorize, permissionsOf, scopeOf, type Permission } from './access';

const who = (role: AgentRole) => ({ role, team: 'cx' });

describe('authorize (SPEC §12)', () => {
  // [role, permission, team of the thing or undefined, allowed, roles named when refused]
  const table: [AgentRole, Permission, string | undefined, boolean, string[]][] = [
    ['agent', 'tickets.read', 'cx', true, []],
    ['agent', 'tickets.read', 'delivery', false, ['ops', 'admin']],
    ['agent', 'tickets.act', 'cx', true, []],
    ['agent', 'tickets.act', 'delivery', false, ['admin']],
    ['agent', 'tickets.assign', 'cx', false, ['lead', 'admin']],
    ['agent', 'tickets.export', undefined, false, ['lead', 'admin']],
    ['agent', 'reports.read', undefined, false, ['lead', 'admin']],
    ['agent', 'ops.read', undefined, false, ['ops', 'admin']],
    ['agent', 'ops.replay', undefined, false, ['ops', 'admin']],
    ['agent', 'customers.erase', undefined, false, ['admin']],
    ['lead', 'tickets.assign', 'cx', true, []],
    ['lead', 'tickets.assign', 'delivery', false, ['admin']],
    ['lead', 'tickets.export', undefined, true, []],
    ['lead', 'reports.read', 'cx', true, []],
    ['lead', 'reports.read', 'support', false, ['admin']],
    ['lead', 'ops.read', undefined, false, ['ops', 'admin']],
    ['ops', 'tickets.read', 'delivery', true, []],
    ['ops', 'tickets.act', 'cx', false, ['agent', 'lead', 'admin']],
    ['ops', 'tickets.assign', 'cx', false, ['lead', 'admin']],
    ['ops', 'ops.read', undefined, true, []],
    ['ops', 'ops.replay', undefined, true, []],
    ['ops', 'personal-data.read', undefined, false, ['admin']],
    ['ops', 'customers.erase', undefined, false, ['admin']],
    ['admin', 'tickets.act', 'delivery', true, []],
    ['admin', 'tickets.assign', 'support', true, []],
    ['admin', 'reports.read', 'support', true, []],
    ['admin', 'personal-data.read', undefined, true, []],
    ['admin', 'customers.erase', undefined, true, []],
    ['agent', 'session', undefined, true, []],
    ['ops', 'session', 'delivery', true, []],
  ];
  it.each(table)('%s × %s on %s → allowed %s', (role, permission, team, allowed, roles) => {
    const r = authorize(who(role), permission, team);
    if (allowed) expect(r).toBeNull();
    else {
      expect(r).toMatchObject({ status: 403, requiredRoles: roles });
      expect(r?.detail).toContain(roles.length === 1 ? roles[0] : roles[roles.length - 1]);
    }
  });

  it('names the role that was missing and the caller\'s own', () => {
    expect(authorize(who('agent'), 'tickets.assign')?.detail).toBe('Assigning a ticket needs the role lead or admin (yours is agent)');
    expect(authorize(who('agent'), 'tickets.act', 'delivery')?.detail).toBe(
      'this belongs to team delivery; an agent acts on only their own team\'s (cx); on any team it needs the role admin',
    );
  });

  it('every role-limited permission is held by admin, and own-team limits only name roles that have the permission', () => {
    for (const [name, rule] of Object.entries(PERMISSIONS)) {
      expect([name, (rule.roles as readonly string[]).includes('admin')]).toEqual([name, true]);
      for (const r of rule.ownTeam) expect([name, (rule.roles as readonly string[]).includes(r)]).toEqual([name, true]);
    }
  });

  it.each([
    ['agent', 'tickets.read', 'cx'],
    ['lead', 'reports.read', 'cx'],
    ['ops', 'tickets.read', null],
    ['admin', 'tickets.read', null],
  ] as const)('scopeOf(%s, %s) = %s', (role, permission, scope) => {
    expect(scopeOf(who(role), permission)).toBe(scope);
  });

  it('permissionsOf lists what each role may do', () => {
    expect(permissionsOf('agent')).toEqual(['session', 'tickets.read', 'tickets.act']);
    expect(permissionsOf('ops')).toEqual(['session', 'tickets.read', 'ops.read', 'ops.replay']);
    expect(permissionsOf('admin')).toEqual(Object.keys(PERMISSIONS));
  });
});
