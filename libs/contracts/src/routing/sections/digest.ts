import type { Digest } from '../routing-config';
import { Path, Problems, got, mapping, nonEmptyString } from './building-blocks';
import { HH_MM, isTimeZone } from './teams';

/** SPEC §12 `digest: { at: "09:00", timezone }`; absent → undefined (no digest). */
export function validateDigest(p: Problems, raw: unknown, path: Path): Digest | undefined {
  if (raw == null) return undefined;
  const o = mapping(p, raw, path, ['at', 'timezone'], []);
  if (!o) return undefined;
  let at: string | undefined;
  if (o.at != null) {
    if (typeof o.at === 'string' && HH_MM.test(o.at)) at = o.at;
    else p.add([...path, 'at'], `must be a time "HH:MM" from 00:00 to 23:59${got(o.at)}`);
  }
  let timezone: string | undefined;
  if (o.timezone != null) {
    timezone = nonEmptyString(p, o.timezone, [...path, 'timezone']);
    if (timezone !== undefined && !isTimeZone(timezone)) {
      p.add([...path, 'timezone'], `unknown time zone ${JSON.stringify(timezone)}; expected an IANA name like "Europe/Istanbul"`);
    }
  }
  return { at, timezone } as Digest;
}
