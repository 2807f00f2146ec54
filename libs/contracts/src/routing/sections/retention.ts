import type { Retention } from '../routing-config';
import { Path, Problems, mapping } from './building-blocks';
import { duration } from './teams';

const FIELDS = ['resolvedTickets', 'feedback', 'sourcePayloads'] as const;
const DAY_MS = 24 * 3_600_000;

/**
 * SPEC §13 `retention: { resolvedTickets: P365D, feedback: P180D, sourcePayloads: P30D }`: personal data older than that
 * is anonymised, daily. Each field is optional (absent: kept until erased); absent section → undefined. At least a day
 * each: a shorter age would anonymise a payload or a ticket still on its way through the pipeline.
 */
export function validateRetention(p: Problems, raw: unknown, path: Path): Retention | undefined {
  if (raw == null) return undefined;
  const o = mapping(p, raw, path, [], FIELDS);
  if (!o) return undefined;
  const out: Retention = {};
  for (const field of FIELDS) {
    if (o[field] == null) continue;
    const d = duration(p, o[field], [...path, field]);
    if (!d) continue;
    if (d.ms < DAY_MS) p.add([...path, field], `must be at least a day (${JSON.stringify(d.text)}); retention is applied daily`);
    else out[field] = { text: d.text, ms: d.ms };
  }
  return out;
}
