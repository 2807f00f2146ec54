import type { Touchpoint } from '../routing-config';
import { Path, Problems, TeamRef, Unique, list, mapping, thresholds, trimmedString } from './building-blocks';

export function validateTouchpoints(p: Problems, raw: unknown, path: Path, teamRef: TeamRef): Touchpoint[] {
  if (raw == null) return [];
  const items = list(p, raw, path);
  if (!items) return [];
  const seen = new Unique(p, 'touchpoint id');
  return items.map((item, i): Touchpoint => {
    const at = [...path, i];
    const o = mapping(p, item, at, ['id', 'team'], ['alertAt']);
    if (!o) return undefined as never;
    // Touchpoint ids come from survey tools via ingest, so any label is allowed; only surrounding spaces are refused.
    const id = o.id == null ? undefined : trimmedString(p, o.id, [...at, 'id']);
    if (id !== undefined) seen.check(id, [...at, 'id']);
    const team = o.team == null ? undefined : teamRef(o.team, [...at, 'team']);
    const alertAt = o.alertAt == null ? undefined : thresholds(p, o.alertAt, [...at, 'alertAt'], false);
    return { id, team, ...(alertAt && { alertAt }) } as Touchpoint;
  });
}
