// The routing file is validated by hand rather than with class-validator: we need a path for every problem in
// the file's own terms (`teams[1].sla.resolve`, not a nested ValidationError tree), "unknown key" at every level
// with a did-you-mean, cross-references between lists (unknown team, duplicate ids) reported alongside shape errors,
// and a line:col for each problem taken from the YAML document. Doing that with decorators would mean classes,
// custom constraints and a post-pass anyway, for a schema this small. Each section has its own validator in sections/.
import { Document, LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { RoutingConfig, RoutingConfigProblem, RoutingConfigResult } from './routing-config';
import { Path, Problems, mapping, nonEmptyString, pathToString } from './sections/building-blocks';
import { validateAgents } from './sections/agents';
import { validateDefaults } from './sections/defaults';
import { checkEscalationTargets } from './sections/escalation';
import { validateKeywords } from './sections/keywords';
import { validateRootCauses } from './sections/root-causes';
import { validateSources } from './sections/sources';
import { validateTeams } from './sections/teams';
import { validateTemplates } from './sections/templates';
import { validateTouchpoints } from './sections/touchpoints';
import { validateTrends } from './sections/trends';
import { validateRetention } from './sections/retention';
import { validateDigest } from './sections/digest';


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
  const root = mapping(p, raw, [], ['defaults', 'teams', 'rootCauses'], ['touchpoints', 'keywords', 'agents', 'sources', 'templates', 'trends', 'digest', 'retention']);
  if (!root) return undefined;

  const { teams, ids: teamIds } = validateTeams(p, root.teams, ['teams']);
  const checkTeamRef = (value: unknown, path: Path): string | undefined => {
    const id = nonEmptyString(p, value, path);
    if (id !== undefined && teamIds && !teamIds.has(id)) {
      p.add(path, `unknown team ${JSON.stringify(id)} (teams: ${[...teamIds].join(', ')})`);
    }
    return id;
  };

  const agents = validateAgents(p, root.agents, ['agents'], checkTeamRef);
  checkEscalationTargets(p, teams, agents, ['teams']);
  return {
    defaults: root.defaults == null ? (undefined as never) : validateDefaults(p, root.defaults, ['defaults'], checkTeamRef),
    teams,
    touchpoints: validateTouchpoints(p, root.touchpoints, ['touchpoints'], checkTeamRef),
    keywords: validateKeywords(p, root.keywords, ['keywords']),
    agents,
    rootCauses: validateRootCauses(p, root.rootCauses, ['rootCauses']),
    sources: validateSources(p, root.sources, ['sources']),
    templates: validateTemplates(p, root.templates, ['templates']),
    ...(root.trends != null && { trends: validateTrends(p, root.trends, ['trends']) }),
    ...(root.retention != null && { retention: validateRetention(p, root.retention, ['retention']) }),
    ...(root.digest != null && { digest: validateDigest(p, root.digest, ['digest']) }),
  } as RoutingConfig; // only returned to the caller when no problem was recorded, i.e. every field is set
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
