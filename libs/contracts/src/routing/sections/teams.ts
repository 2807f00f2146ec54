import { checkIsoDuration } from '../iso-duration';
import { ASSIGN_POLICIES, type AssignPolicy, type QuietHours, type Team } from '../routing-config';
import { validateEscalation, validateUserGroup } from './escalation';
import { Mapping, Path, Problems, Unique, e164, got, idString, list, mapping, nonEmptyString, validateLocale } from './building-blocks';

export const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
/** Enough to catch a name or a typo where an address belongs; the SMTP server has the last word. */
const EMAIL_ADDRESS = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;
/** SPEC §11: the recheck goes out three days after the resolve unless the team says otherwise. */
const DEFAULT_RECHECK = { text: 'P3D', ms: 3 * 86_400_000 };

/**
 * `ids` are the team ids references are checked against: every id written as a string, even on otherwise broken
 * entries, so one mistake is one problem. It is undefined when some entry has no id at all (or there are no teams):
 * references then cannot be judged, and the problem already reported is the one to fix first.
 */
export function validateTeams(p: Problems, raw: unknown, path: Path): { teams: Team[]; ids: Set<string> | undefined } {
  if (raw == null) return { teams: [], ids: undefined }; // "is required" was reported by the root mapping
  const items = list(p, raw, path);
  if (!items) return { teams: [], ids: undefined };
  if (items.length === 0) p.add(path, 'must list at least one team');
  const seen = new Unique(p, 'team id');
  const ids = new Set<string>();
  let complete = items.length > 0;
  const teams = items.map((item, i): Team => {
    const at = [...path, i];
    const rawId = (item as Mapping | null)?.id;
    if (typeof rawId === 'string' && rawId.trim() !== '') ids.add(rawId);
    else complete = false;
    const o = mapping(p, item, at, ['id', 'sla'], ['slackChannel', 'onCall', 'quietHours', 'recheckAfter', 'email', 'assign', 'escalation', 'slackUserGroup', 'locale', 'timezone']);
    if (!o) return undefined as never;
    const id = o.id == null ? undefined : idString(p, o.id, [...at, 'id']);
    if (id !== undefined) seen.check(id, [...at, 'id']);
    const slackChannel = o.slackChannel == null ? undefined : nonEmptyString(p, o.slackChannel, [...at, 'slackChannel']);
    const onCall = validateOnCall(p, o.onCall, [...at, 'onCall']);
    const quietHours = o.quietHours == null ? undefined : validateQuietHours(p, o.quietHours, [...at, 'quietHours']);
    const sla = o.sla == null ? undefined : validateSla(p, o.sla, [...at, 'sla']);
    const recheck = o.recheckAfter == null ? DEFAULT_RECHECK : duration(p, o.recheckAfter, [...at, 'recheckAfter']);
    const email = validateEmail(p, o.email, [...at, 'email']);
    const escalation = validateEscalation(p, o.escalation, [...at, 'escalation']);
    const slackUserGroup = validateUserGroup(p, o.slackUserGroup, [...at, 'slackUserGroup']);
    const assign = validateAssign(p, o.assign, [...at, 'assign']);
    const locale = validateLocale(p, o.locale, [...at, 'locale']);
    const timezone = o.timezone == null ? undefined : validateTimeZone(p, o.timezone, [...at, 'timezone']);
    return {
      id: id as string,
      ...(slackChannel !== undefined && { slackChannel }),
      onCall,
      ...(quietHours && { quietHours }),
      sla: sla?.sla as Team['sla'],
      slaMs: sla?.slaMs as Team['slaMs'],
      recheckAfter: recheck?.text as string,
      recheckAfterMs: recheck?.ms as number,
      email,
      escalation,
      ...(slackUserGroup !== undefined && { slackUserGroup }),
      assign,
      locale,
      ...(timezone !== undefined && { timezone }),
    };
  });
  return { teams, ids: complete ? ids : undefined };
}

/** SPEC §12: `round-robin | least-open | none`, default none. */
function validateAssign(p: Problems, raw: unknown, path: Path): AssignPolicy {
  if (raw == null) return 'none';
  if (typeof raw === 'string' && (ASSIGN_POLICIES as readonly string[]).includes(raw)) return raw as AssignPolicy;
  p.add(path, `must be one of ${ASSIGN_POLICIES.join(', ')}${got(raw)}`);
  return 'none';
}

function validateOnCall(p: Problems, raw: unknown, path: Path): string[] {
  if (raw == null) return [];
  const items = list(p, raw, path);
  if (!items) return [];
  const seen = new Unique(p, 'on-call number');
  return items.flatMap((item, i) => {
    const phone = e164(p, item, [...path, i]);
    if (phone === undefined) return [];
    seen.check(phone, [...path, i]);
    return [phone];
  });
}

function validateQuietHours(p: Problems, raw: unknown, path: Path): QuietHours | undefined {
  const o = mapping(p, raw, path, ['start', 'end', 'timezone'], []);
  if (!o) return undefined;
  const time = (key: 'start' | 'end') => {
    const v = o[key];
    if (v == null) return undefined;
    if (typeof v === 'string' && HH_MM.test(v)) return v;
    p.add([...path, key], `must be a time "HH:MM" from 00:00 to 23:59${got(v)}`);
    return undefined;
  };
  const start = time('start');
  const end = time('end');
  if (start !== undefined && start === end) p.add([...path, 'end'], 'must differ from start (an empty window is almost certainly a mistake)');
  const timezone = o.timezone == null ? undefined : validateTimeZone(p, o.timezone, [...path, 'timezone']);
  return { start, end, timezone } as QuietHours;
}

function validateSla(p: Problems, raw: unknown, path: Path): Pick<Team, 'sla' | 'slaMs'> | undefined {
  const o = mapping(p, raw, path, ['firstResponse', 'resolve'], []);
  if (!o) return undefined;
  const first = o.firstResponse == null ? undefined : duration(p, o.firstResponse, [...path, 'firstResponse']);
  const resolve = o.resolve == null ? undefined : duration(p, o.resolve, [...path, 'resolve']);
  if (first && resolve && first.ms > resolve.ms) {
    p.add([...path, 'firstResponse'], `must not be longer than resolve (${first.text} > ${resolve.text})`);
  }
  return {
    sla: { firstResponse: first?.text, resolve: resolve?.text },
    slaMs: { firstResponse: first?.ms, resolve: resolve?.ms },
  } as Pick<Team, 'sla' | 'slaMs'>;
}

export function duration(p: Problems, v: unknown, path: Path): { text: string; ms: number } | undefined {
  if (typeof v !== 'string') {
    p.add(path, `not an ISO-8601 duration${got(v)}; expected e.g. PT1H`);
    return undefined;
  }
  const r = checkIsoDuration(v);
  if (!r.ok) p.add(path, r.message);
  else if (r.ms <= 0) p.add(path, `must be longer than zero (${JSON.stringify(v)})`);
  else return { text: v, ms: r.ms };
  return undefined;
}

function validateEmail(p: Problems, raw: unknown, path: Path): string[] {
  if (raw == null) return [];
  const items = list(p, raw, path);
  if (!items) return [];
  const seen = new Unique(p, 'email address', (a) => a.toLowerCase());
  return items.flatMap((item, i) => {
    const address = nonEmptyString(p, item, [...path, i]);
    if (address === undefined) return [];
    if (!EMAIL_ADDRESS.test(address)) {
      p.add([...path, i], `not an email address like "leads@example.com" (${JSON.stringify(address)})`);
      return [];
    }
    seen.check(address, [...path, i]);
    return [address];
  });
}

/** An IANA time zone name Intl knows, e.g. "Europe/Istanbul". */
function validateTimeZone(p: Problems, raw: unknown, path: Path): string | undefined {
  const timezone = nonEmptyString(p, raw, path);
  if (timezone === undefined) return undefined;
  if (isTimeZone(timezone)) return timezone;
  p.add(path, `unknown time zone ${JSON.stringify(timezone)}; expected an IANA name like "Europe/Istanbul"`);
  return undefined;
}

const timeZones = new Map<string, boolean>();
export function isTimeZone(tz: string): boolean {
  let ok = timeZones.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      ok = true;
    } catch {
      ok = false;
    }
    timeZones.set(tz, ok);
  }
  return ok;
}
