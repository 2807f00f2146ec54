import { foldKeywordCase } from '../keywords';
import type { RoutingConfig } from '../routing-config';
import { Path, Problems, Unique, list, mapping, nonEmptyString } from './building-blocks';

export function validateKeywords(p: Problems, raw: unknown, path: Path): RoutingConfig['keywords'] {
  if (raw == null) return { critical: [], alert: [] };
  const o = mapping(p, raw, path, [], ['critical', 'alert']);
  if (!o) return { critical: [], alert: [] };
  const words = (key: 'critical' | 'alert'): string[] => {
    if (o[key] == null) return [];
    const items = list(p, o[key], [...path, key]);
    if (!items) return [];
    // Matching is case-insensitive, so "Lawyer" and "lawyer" are the same keyword.
    const seen = new Unique(p, 'keyword', foldKeywordCase);
    return items.flatMap((item, i) => {
      const w = nonEmptyString(p, item, [...path, key, i]);
      if (w === undefined) return [];
      seen.check(w, [...path, key, i]);
      return [w];
    });
  };
  return { critical: words('critical'), alert: words('alert') };
}
