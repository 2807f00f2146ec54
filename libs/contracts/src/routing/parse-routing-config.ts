// The routing file is validated by hand rather than with class-validator: we need a path for every problem in
// the file's own terms (`teams[1].sla.resolve`, not a nested ValidationError tree), "unknown key" at every level
// with a did-you-mean, cross-references between lists (unknown team, duplicate ids) reported alongside shape errors,
// and a line:col for each problem taken from the YAML document. Doing that with decorators would mean classes,
// custom constraints and a post-pass anyway, for a schema this small.
import { Document, LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { E164, METRICS, METRIC_SCALES, Metric } from '../scales';
import { checkIsoDuration } from './iso-duration';
import { foldKeywordCase } from './keywords';
import type {
  Agent, AlertThresholds, QuietHours, RoutingConfig, RoutingConfigProblem, RoutingConfigResult, Team, Touchpoint,
} from './routing-config';

type Segment = string | number;
type Path = readonly Segment[];
type Mapping = Record<string, unknown>;

interface Issue {
  path: Path;
  message: string;
}

/** Ids that end up in URLs, query strings and `API_TOKENS` (`agentId:token,...`), so no spaces, colons or commas. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SLUG = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

class Problems {
  readonly issues: Issue[] = [];
  add(path: Path, message: string): void {
    this.issues.push({ path, message });
  }
}

/**
 * Parses and validates a routing file (SPEC §3). Never throws: every problem is returned with its data path and,
 * where it can be located, its line and column. `source` names the file in `message`.
 */
export function parseRoutingConfig(text: string, source = '<inline>'): RoutingConfigResult {
  const fail = (errors: RoutingConfigProblem[]): RoutingConfigResult & { ok: false } => ({
    ok: false,
    errors,
    message: formatRoutingErrors(errors, source),
  });

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  // A document with syntax errors is only partly parsed; validating it would report phantom problems.
  if (doc.errors.length > 0) {
    return fail(doc.errors.map((e) => ({ path: '', message: `YAML syntax error: ${e.message}`, ...lineCounter.linePos(e.pos[0]) })));
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return fail([{ path: '', message: `YAML error: ${e instanceof Error ? e.message : String(e)}` }]);
  }
  if (raw === null || raw === undefined) {
    return fail([{ path: '', message: 'the routing file is empty; it needs at least defaults, teams and rootCauses' }]);
  }

  const problems = new Problems();
  const config = validateRoot(problems, raw);
  if (problems.issues.length > 0 || !config) {
    const located = problems.issues.map((issue) => {
      const offset = locate(doc, issue.path);
      const pos = offset === undefined ? {} : lineCounter.linePos(offset);
      return { offset: offset ?? -1, problem: { path: pathToString(issue.path), message: issue.message, ...pos } };
    });
    located.sort((a, b) => a.offset - b.offset); // stable: same-place problems keep validation order
    return fail(located.map((l) => l.problem));
  }
  return { ok: true, config };
}

/**
 * One readable block: a header, then one line per problem prefixed with the file (and line:col when known),
 * e.g. `config/closeloop.yaml:14:18: teams[1].sla.resolve: not an ISO-8601 duration ("48h"); ...`.
 */
export function formatRoutingErrors(errors: readonly RoutingConfigProblem[], source = '<inline>'): string {
  const lines = errors.map((e) => {
    const where = e.line !== undefined ? `${source}:${e.line}:${e.col ?? 1}` : source;
    return `${where}: ${e.path ? `${e.path}: ` : ''}${e.message}`;
  });
  const count = `${errors.length} problem${errors.length === 1 ? '' : 's'}`;
  return [`Invalid routing file ${source} (${count}):`, ...lines].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// The schema

function validateRoot(p: Problems, raw: unknown): RoutingConfig | undefined {
  const root = mapping(p, raw, [], ['defaults', 'teams', 'rootCauses'], ['touchpoints', 'keywords', 'agents']);
  if (!root) return undefined;

  const { teams, ids: teamIds } = validateTeams(p, root.teams, ['teams']);
  const checkTeamRef = (value: unknown, path: Path): string | undefined => {
    const id = nonEmptyString(p, value, path);
    if (id !== undefined && teamIds && !teamIds.has(id)) {
      p.add(path, `unknown team ${JSON.stringify(id)} (teams: ${[...teamIds].join(', ')})`);
    }
    return id;
  };

  return {
    defaults: root.defaults == null ? (undefined as never) : validateDefaults(p, root.defaults, ['defaults'], checkTeamRef),
    teams,
    touchpoints: validateTouchpoints(p, root.touchpoints, ['touchpoints'], checkTeamRef),
    keywords: validateKeywords(p, root.keywords, ['keywords']),
    agents: validateAgents(p, root.agents, ['agents'], checkTeamRef),
    rootCauses: validateRootCauses(p, root.rootCauses, ['rootCauses']),
  } as RoutingConfig; // only returned to the caller when no problem was recorded, i.e. every field is set
}

type TeamRef = (value: unknown, path: Path) => string | undefined;

function validateDefaults(p: Problems, raw: unknown, path: Path, teamRef: TeamRef): RoutingConfig['defaults'] {
  const o = mapping(p, raw, path, ['team', 'alertAt'], []);
  if (!o) return undefined as never;
  const team = o.team == null ? undefined : teamRef(o.team, [...path, 'team']);
  const alertAt = o.alertAt == null ? undefined : thresholds(p, o.alertAt, [...path, 'alertAt'], true);
  return { team, alertAt } as RoutingConfig['defaults'];
}

/**
 * `ids` are the team ids references are checked against: every id written as a string, even on otherwise broken
 * entries, so one mistake is one problem. It is undefined when some entry has no id at all (or there are no teams):
 * references then cannot be judged, and the problem already reported is the one to fix first.
 */
function validateTeams(p: Problems, raw: unknown, path: Path): { teams: Team[]; ids: Set<string> | undefined } {
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
    const o = mapping(p, item, at, ['id', 'sla'], ['slackChannel', 'onCall', 'quietHours']);
    if (!o) return undefined as never;
    const id = o.id == null ? undefined : idString(p, o.id, [...at, 'id']);
    if (id !== undefined) seen.check(id, [...at, 'id']);
    const slackChannel = o.slackChannel == null ? undefined : nonEmptyString(p, o.slackChannel, [...at, 'slackChannel']);
    const onCall = validateOnCall(p, o.onCall, [...at, 'onCall']);
    const quietHours = o.quietHours == null ? undefined : validateQuietHours(p, o.quietHours, [...at, 'quietHours']);
    const sla = o.sla == null ? undefined : validateSla(p, o.sla, [...at, 'sla']);
    return {
      id: id as string,
      ...(slackChannel !== undefined && { slackChannel }),
      onCall,
      ...(quietHours && { quietHours }),
      sla: sla?.sla as Team['sla'],
      slaMs: sla?.slaMs as Team['slaMs'],
    };
  });
  return { teams, ids: complete ? ids : undefined };
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
  let timezone: string | undefined;
  if (o.timezone != null) {
    timezone = nonEmptyString(p, o.timezone, [...path, 'timezone']);
    if (timezone !== undefined && !isTimeZone(timezone)) {
      p.add([...path, 'timezone'], `unknown time zone ${JSON.stringify(timezone)}; expected an IANA name like "Europe/Istanbul"`);
    }
  }
  return { start, end, timezone } as QuietHours;
}

function validateSla(p: Problems, raw: unknown, path: Path): Pick<Team, 'sla' | 'slaMs'> | undefined {
  const o = mapping(p, raw, path, ['firstResponse', 'resolve'], []);
  if (!o) return undefined;
  const duration = (key: 'firstResponse' | 'resolve') => {
    const v = o[key];
    if (v == null) return undefined;
    if (typeof v !== 'string') {
      p.add([...path, key], `not an ISO-8601 duration${got(v)}; expected e.g. PT1H`);
      return undefined;
    }
    const r = checkIsoDuration(v);
    if (!r.ok) p.add([...path, key], r.message);
    else if (r.ms <= 0) p.add([...path, key], `must be longer than zero (${JSON.stringify(v)})`);
    else return { text: v, ms: r.ms };
    return undefined;
  };
  const first = duration('firstResponse');
  const resolve = duration('resolve');
  if (first && resolve && first.ms > resolve.ms) {
    p.add([...path, 'firstResponse'], `must not be longer than resolve (${first.text} > ${resolve.text})`);
  }
  return {
    sla: { firstResponse: first?.text, resolve: resolve?.text },
    slaMs: { firstResponse: first?.ms, resolve: resolve?.ms },
  } as Pick<Team, 'sla' | 'slaMs'>;
}

function validateTouchpoints(p: Problems, raw: unknown, path: Path, teamRef: TeamRef): Touchpoint[] {
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

function validateKeywords(p: Problems, raw: unknown, path: Path): RoutingConfig['keywords'] {
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

function validateAgents(p: Problems, raw: unknown, path: Path, teamRef: TeamRef): Agent[] {
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

function validateRootCauses(p: Problems, raw: unknown, path: Path): string[] {
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

function thresholds(p: Problems, raw: unknown, path: Path, all: true): AlertThresholds;
function thresholds(p: Problems, raw: unknown, path: Path, all: false): Partial<AlertThresholds>;
function thresholds(p: Problems, raw: unknown, path: Path, all: boolean): Partial<AlertThresholds> | undefined {
  const o = mapping(p, raw, path, all ? [...METRICS] : [], all ? [] : [...METRICS]);
  if (!o) return undefined;
  const out: Partial<AlertThresholds> = {};
  for (const metric of METRICS) {
    if (o[metric] == null) continue;
    const v = scaleValue(p, o[metric], [...path, metric], metric);
    if (v !== undefined) out[metric] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Building blocks

/** Checks the value is a mapping, every key is known and every required key has a value. */
function mapping(p: Problems, v: unknown, path: Path, required: readonly string[], optional: readonly string[]): Mapping | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    p.add(path, `must be a mapping${got(v)}`);
    return undefined;
  }
  const o = v as Mapping;
  const allowed = [...required, ...optional];
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) p.add([...path, key], `unknown key${suggest(key, allowed)}`);
  }
  for (const key of required) if (o[key] == null) p.add([...path, key], 'is required');
  return o;
}

function list(p: Problems, v: unknown, path: Path): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  p.add(path, `must be a list${got(v)}`);
  return undefined;
}

function nonEmptyString(p: Problems, v: unknown, path: Path): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v;
  p.add(path, `must be a non-empty string${got(v)}`);
  return undefined;
}

function trimmedString(p: Problems, v: unknown, path: Path): string | undefined {
  const s = nonEmptyString(p, v, path);
  if (s !== undefined && s.trim() !== s) {
    p.add(path, `must not start or end with spaces (${JSON.stringify(s)})`);
    return undefined;
  }
  return s;
}

function idString(p: Problems, v: unknown, path: Path): string | undefined {
  const s = nonEmptyString(p, v, path);
  if (s !== undefined && !ID.test(s)) {
    p.add(path, `must be an id of letters, digits, ".", "_" and "-" (${JSON.stringify(s)})`);
    return undefined;
  }
  return s;
}

function e164(p: Problems, v: unknown, path: Path): string | undefined {
  if (typeof v === 'string' && E164.test(v)) return v;
  // An unquoted +90555... is a YAML integer: the "+" is gone by the time we see it.
  if (typeof v === 'number' && E164.test(`+${v}`)) p.add(path, `not an E.164 number (YAML read the number ${v}; quote it: "+${v}")`);
  else p.add(path, `not an E.164 number (${describe(v)}); expected e.g. "+905551112233"`);
  return undefined;
}

function scaleValue(p: Problems, v: unknown, path: Path, metric: Metric): number | undefined {
  const { min, max } = METRIC_SCALES[metric];
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  p.add(path, `must be an integer ${min}-${max} (got ${describe(v)})`);
  return undefined;
}

/** Reports the second and later occurrences of a value, pointing back at the first. */
class Unique {
  private readonly first = new Map<string, Path>();
  constructor(
    private readonly p: Problems,
    private readonly what: string,
    private readonly key: (value: string) => string = (v) => v,
  ) {}
  check(value: string, path: Path): void {
    const k = this.key(value);
    const prior = this.first.get(k);
    if (prior) this.p.add(path, `duplicate ${this.what} ${JSON.stringify(value)} (first at ${pathToString(prior)})`);
    else this.first.set(k, path);
  }
}

const timeZones = new Map<string, boolean>();
function isTimeZone(tz: string): boolean {
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

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v);
  return `${typeof v} ${String(v)}`;
}

/** " (got …)" for values of the wrong type; empty for a string, whose problem the message already names. */
function got(v: unknown): string {
  if (typeof v === 'string') return v.trim() === '' ? '' : ` (got ${JSON.stringify(v)})`;
  if (typeof v === 'number' || typeof v === 'boolean') return ` (got ${describe(v)}; quote it if it is meant as text)`;
  return ` (got ${describe(v)})`;
}

function suggest(key: string, allowed: readonly string[]): string {
  if (allowed.length === 0) return ' (nothing is allowed here)';
  const close = allowed.find((a) => a.toLowerCase() === key.toLowerCase()) ?? allowed.find((a) => editDistance(a, key) <= 2);
  return close ? ` — did you mean "${close}"? (allowed: ${allowed.join(', ')})` : ` (allowed: ${allowed.join(', ')})`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

function pathToString(path: Path): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) s += s ? `.${seg}` : seg;
    else s += `[${JSON.stringify(seg)}]`;
  }
  return s;
}

/** Offset of the deepest YAML node on `path` (the key, for mapping entries), so a missing key points at its parent. */
function locate(doc: Document, path: Path): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((it) => String(isScalar(it.key) ? it.key.value : it.key) === String(seg));
      if (!pair) break;
      offset = rangeStart(pair.key) ?? rangeStart(pair.value) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range?.[0];
}
