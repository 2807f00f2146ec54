import type { Trends } from '../routing-config';
import { Path, Problems, Unique, got, list, mapping } from './building-blocks';
import { duration } from './teams';

/** A group key: the touchpoint, or one attribute of the feedback (`attributes.store`). */
const GROUP_KEY = /^(touchpoint|attributes\.[A-Za-z0-9_-]+)$/;

/** SPEC §12 `trends: { window, minNegatives, factor, by }`; absent → undefined (no trend alerts). */
export function validateTrends(p: Problems, raw: unknown, path: Path): Trends | undefined {
  if (raw == null) return undefined;
  const o = mapping(p, raw, path, ['window', 'minNegatives', 'factor', 'by'], []);
  if (!o) return undefined;
  const window = o.window == null ? undefined : duration(p, o.window, [...path, 'window']);
  if (window && window.ms > 24 * 3_600_000) p.add([...path, 'window'], `must be at most a day (${JSON.stringify(window.text)}); the baseline is the same window over 7 days`);
  let minNegatives: number | undefined;
  if (o.minNegatives != null) {
    if (typeof o.minNegatives === 'number' && Number.isInteger(o.minNegatives) && o.minNegatives >= 1) minNegatives = o.minNegatives;
    else p.add([...path, 'minNegatives'], `must be an integer of at least 1${got(o.minNegatives)}`);
  }
  let factor: number | undefined;
  if (o.factor != null) {
    if (typeof o.factor === 'number' && Number.isFinite(o.factor) && o.factor >= 1) factor = o.factor;
    else p.add([...path, 'factor'], `must be a number of at least 1${got(o.factor)}`);
  }
  let by: string[] = [];
  if (o.by != null) {
    const items = list(p, o.by, [...path, 'by']);
    if (items) {
      if (items.length === 0) p.add([...path, 'by'], 'must list at least one key (touchpoint or attributes.<name>)');
      const seen = new Unique(p, 'key');
      by = items.flatMap((item, i) => {
        if (typeof item !== 'string' || !GROUP_KEY.test(item)) {
          p.add([...path, 'by', i], `must be "touchpoint" or "attributes.<name>"${typeof item === 'string' ? ` (got ${JSON.stringify(item)})` : got(item)}`);
          return [];
        }
        seen.check(item, [...path, 'by', i]);
        return [item];
      });
    }
  }
  return { window: window?.text, windowMs: window?.ms, minNegatives, factor, by } as Trends;
}
