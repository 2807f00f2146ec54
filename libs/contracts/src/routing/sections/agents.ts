import { AGENT_ROLES, type Agent, type AgentRole } from '../routing-config';
import { Path, Problems, TeamRef, Unique, e164, got, idString, list, mapping, nonEmptyString, validateLocale } from './building-blocks';

const EMAIL_ADDRESS = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;

export function validateAgents(p: Problems, raw: unknown, path: Path, teamRef: TeamRef): Agent[] {
  if (raw == null) return [];
  const items = list(p, raw, path);
  if (!items) return [];
  const ids = new Unique(p, 'agent id');
  const slackUsers = new Unique(p, 'slackUserId');
  return items.map((item, i): Agent => {
    const at = [...path, i];
    const o = mapping(p, item, at, ['id', 'name', 'team'], ['slackUserId', 'phone', 'email', 'role', 'locale']);
    if (!o) return undefined as never;
    const id = o.id == null ? undefined : idString(p, o.id, [...at, 'id']);
    if (id !== undefined) ids.check(id, [...at, 'id']);
    const name = o.name == null ? undefined : nonEmptyString(p, o.name, [...at, 'name']);
    const team = o.team == null ? undefined : teamRef(o.team, [...at, 'team']);
    const slackUserId = o.slackUserId == null ? undefined : nonEmptyString(p, o.slackUserId, [...at, 'slackUserId']);
    if (slackUserId !== undefined) slackUsers.check(slackUserId, [...at, 'slackUserId']);
    const phone = o.phone == null ? undefined : e164(p, o.phone, [...at, 'phone']);
    let email: string | undefined;
    if (o.email != null) {
      if (typeof o.email === 'string' && EMAIL_ADDRESS.test(o.email.trim())) email = o.email.trim();
      else p.add([...at, 'email'], `must be an email address${got(o.email)}`);
    }
    let role: AgentRole = 'agent';
    if (o.role != null) {
      if ((AGENT_ROLES as readonly unknown[]).includes(o.role)) role = o.role as AgentRole;
      else p.add([...at, 'role'], `must be one of ${AGENT_ROLES.join(', ')}${got(o.role)}`);
    }
    const locale = validateLocale(p, o.locale, [...at, 'locale']);
    return {
      id, name, team, role, locale,
      ...(slackUserId !== undefined && { slackUserId }),
      ...(phone !== undefined && { phone }),
      ...(email !== undefined && { email }),
    } as Agent;
  });
}
