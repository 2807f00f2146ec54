import type { Agent } from '../routing-config';
import { Path, Problems, TeamRef, Unique, e164, idString, list, mapping, nonEmptyString } from './building-blocks';

export function validateAgents(p: Problems, raw: unknown, path: Path, teamRef: TeamRef): Agent[] {
  if (raw == null) return [];
  const items = list(p, raw, path);
  if (!items) return [];
  const ids = new Unique(p, 'agent id');
  const slackUsers = new Unique(p, 'slackUserId');
  return items.map((item, i): Agent => {
    const at = [...path, i];
    const o = mapping(p, item, at, ['id', 'name', 'team'], ['slackUserId', 'phone']);
    if (!o) return undefined as never;
    const id = o.id == null ? undefined : idString(p, o.id, [...at, 'id']);
    if (id !== undefined) ids.check(id, [...at, 'id']);
    const name = o.name == null ? undefined : nonEmptyString(p, o.name, [...at, 'name']);
    const team = o.team == null ? undefined : teamRef(o.team, [...at, 'team']);
    const slackUserId = o.slackUserId == null ? undefined : nonEmptyString(p, o.slackUserId, [...at, 'slackUserId']);
    if (slackUserId !== undefined) slackUsers.check(slackUserId, [...at, 'slackUserId']);
    const phone = o.phone == null ? undefined : e164(p, o.phone, [...at, 'phone']);
    return {
      id, name, team,
      ...(slackUserId !== undefined && { slackUserId }),
      ...(phone !== undefined && { phone }),
    } as Agent;
  });
}
