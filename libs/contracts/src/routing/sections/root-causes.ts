import { Path, Problems, SLUG, Unique, got, list } from './building-blocks';

export function validateRootCauses(p: Problems, raw: unknown, path: Path): string[] {
  if (raw == null) return [];
  const items = list(p, raw, path);
  if (!items) return [];
  if (items.length === 0) p.add(path, 'must list at least one root cause');
  const seen = new Unique(p, 'root cause');
  return items.flatMap((item, i) => {
    if (typeof item !== 'string' || !SLUG.test(item)) {
      p.add([...path, i], `must be a slug of lowercase letters, digits and "-" (e.g. "wait-time")${got(item)}`);
      return [];
    }
    seen.check(item, [...path, i]);
    return [item];
  });
}
