import type { RoutingConfig } from '../routing-config';
import { Path, Problems, TeamRef, mapping, thresholds } from './building-blocks';

export function validateDefaults(p: Problems, raw: unknown, path: Path, teamRef: TeamRef): RoutingConfig['defaults'] {
  const o = mapping(p, raw, path, ['team', 'alertAt'], []);
  if (!o) return undefined as never;
  const team = o.team == null ? undefined : teamRef(o.team, [...path, 'team']);
  const alertAt = o.alertAt == null ? undefined : thresholds(p, o.alertAt, [...path, 'alertAt'], true);
  return { team, alertAt } as RoutingConfig['defaults'];
}
