// `sources` (SPEC §10): the survey tools that post to `POST /v1/sources/{id}`, each with what its kind needs.
import { RECHECK_SOURCE } from '../../events/feedback';
import { METRICS, type Metric } from '../../scales';
import { SOURCE_KINDS, type Source, type SourceFields, type SourceKind } from '../routing-config';
import { Path, Problems, Unique, got, list, mapping, nonEmptyString, pathToString, suggest, trimmedString } from './building-blocks';

/** The URL segment: SPEC §10's `[a-z0-9-]+`. */
const SOURCE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** A POSIX environment variable name, as shells and compose files accept it. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOTTED_PATH = /^[^.\s]+(?:\.[^.\s]+)*$/;

/** Which `fields` each kind reads: required ones first. Vendor kinds' `score`/`comment` name a question. */
const FIELDS: Record<SourceKind, { required: (keyof SourceFields)[]; optional: (keyof SourceFields)[] }> = {
  questionpro: { required: ['score'], optional: ['comment', 'customerId', 'touchpoint'] },
  typeform: { required: ['score'], optional: ['comment', 'customerId', 'touchpoint'] },
  // Delighted sends the score and the comment themselves (`event_data.score`, `event_data.comment`).
  delighted: { required: [], optional: ['customerId', 'touchpoint'] },
  formbricks: { required: ['score'], optional: ['comment', 'customerId', 'touchpoint'] },
  qualtrics: { required: ['score'], optional: ['comment', 'customerId', 'touchpoint'] },
  surveymonkey: { required: ['score'], optional: ['comment', 'customerId', 'touchpoint'] },
  generic: { required: ['score', 'externalId'], optional: ['comment', 'customerId', 'touchpoint', 'respondedAt'] },
};
/** Entries that are dotted paths into the payload rather than a question's ref / id / code. */
const QUESTION_FIELDS: readonly string[] = ['score', 'comment'];
const FETCHING_KINDS: readonly SourceKind[] = ['qualtrics', 'surveymonkey'];

export function validateSources(p: Problems, raw: unknown, path: Path): Source[] {
  if (raw == null) return [];
  const items = list(p, raw, path);
  if (!items) return [];
  const ids = new Unique(p, 'source id');
  return items.map((item, i): Source => {
    const at = [...path, i];
    const o = mapping(p, item, at, ['id', 'kind', 'secretEnv'], ['touchpoint', 'metric', 'fields', 'api']);
    if (!o) return undefined as never;
    let id: string | undefined;
    if (o.id != null) {
      id = nonEmptyString(p, o.id, [...at, 'id']);
      if (id !== undefined && !SOURCE_ID.test(id)) {
        p.add([...at, 'id'], `must be lowercase letters, digits and "-" (it is the URL segment of POST /v1/sources/{id}) (${JSON.stringify(id)})`);
      } else if (id === RECHECK_SOURCE) {
        p.add([...at, 'id'], `"${RECHECK_SOURCE}" is reserved for answers on Closeloop's recheck page (SPEC §11); choose another id`);
      } else if (id !== undefined) ids.check(id, [...at, 'id']);
    }
    const kind = o.kind == null ? undefined : sourceKind(p, o.kind, [...at, 'kind']);
    const secretEnv = o.secretEnv == null ? undefined : envName(p, o.secretEnv, [...at, 'secretEnv']);
    const touchpoint = o.touchpoint == null ? undefined : trimmedString(p, o.touchpoint, [...at, 'touchpoint']);
    const metric = o.metric == null ? 'nps' : metricOf(p, o.metric, [...at, 'metric']);
    const fields = validateFields(p, o.fields, [...at, 'fields'], kind);
    if (o.touchpoint == null && fields.touchpoint === undefined) {
      p.add([...at, 'touchpoint'], 'is required unless fields.touchpoint names where the payload carries it');
    }
    const api = validateApi(p, o.api, [...at, 'api'], kind);
    return {
      id, kind, secretEnv,
      ...(touchpoint !== undefined && { touchpoint }),
      metric, fields,
      ...(api && { api }),
    } as Source;
  });
}

function sourceKind(p: Problems, v: unknown, path: Path): SourceKind | undefined {
  if (typeof v === 'string' && (SOURCE_KINDS as readonly string[]).includes(v)) return v as SourceKind;
  const hint = typeof v === 'string' ? suggest(v, SOURCE_KINDS) : ` (kinds: ${SOURCE_KINDS.join(', ')})`;
  p.add(path, `unknown kind${typeof v === 'string' ? ` ${JSON.stringify(v)}` : got(v)}${hint.replace('allowed:', 'kinds:')}`);
  return undefined;
}

function metricOf(p: Problems, v: unknown, path: Path): Metric | undefined {
  if (typeof v === 'string' && (METRICS as readonly string[]).includes(v)) return v as Metric;
  p.add(path, `must be one of ${METRICS.join(', ')}${got(v)}`);
  return undefined;
}

function envName(p: Problems, v: unknown, path: Path): string | undefined {
  const name = nonEmptyString(p, v, path);
  if (name !== undefined && !ENV_NAME.test(name)) {
    p.add(path, `must name an environment variable (letters, digits and "_"; not the secret itself) (${JSON.stringify(name)})`);
    return undefined;
  }
  return name;
}

/** An unknown kind was reported on `kind`; its fields are then only checked for being strings. */
function validateFields(p: Problems, raw: unknown, path: Path, kind: SourceKind | undefined): SourceFields {
  const spec = kind ? FIELDS[kind] : undefined;
  if (raw == null) {
    if (spec && spec.required.length > 0) {
      p.add(path, `is required: kind ${kind} needs ${spec.required.map((f) => `fields.${f}`).join(' and ')}`);
    }
    return {};
  }
  const o = spec ? mapping(p, raw, path, spec.required, spec.optional) : mapping(p, raw, path, [], Object.keys(raw as object));
  if (!o) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(o)) {
    if (value == null || (spec && !spec.required.includes(key as keyof SourceFields) && !spec.optional.includes(key as keyof SourceFields))) continue;
    const s = nonEmptyString(p, value, [...path, key]);
    if (s === undefined) continue;
    const isPath = kind === 'generic' || !QUESTION_FIELDS.includes(key);
    if (isPath && !DOTTED_PATH.test(s)) {
      p.add([...path, key], `must be a dotted path into the payload like "hidden.customer_id" (${JSON.stringify(s)})`);
      continue;
    }
    out[key] = s;
  }
  return out;
}

function validateApi(p: Problems, raw: unknown, path: Path, kind: SourceKind | undefined): Source['api'] {
  const fetches = kind !== undefined && FETCHING_KINDS.includes(kind);
  if (raw == null) {
    if (fetches) p.add(path, `is required: kind ${kind} fetches the answers from its API (api.url and api.tokenEnv)`);
    return undefined;
  }
  if (kind !== undefined && !fetches) {
    p.add(path, `only ${FETCHING_KINDS.join(' and ')} fetch answers; kind ${kind} has no api`);
    return undefined;
  }
  const o = mapping(p, raw, path, ['url', 'tokenEnv'], ['surveyId']);
  if (!o) return undefined;
  let url: string | undefined;
  if (o.url != null) {
    url = nonEmptyString(p, o.url, [...path, 'url']);
    if (url !== undefined && !isHttpUrl(url)) {
      p.add([...path, 'url'], `must be an http(s) URL like "https://fra1.qualtrics.com" (${JSON.stringify(url)})`);
      url = undefined;
    }
  }
  const tokenEnv = o.tokenEnv == null ? undefined : envName(p, o.tokenEnv, [...path, 'tokenEnv']);
  const surveyId = o.surveyId == null ? undefined : nonEmptyString(p, typeof o.surveyId === 'number' ? String(o.surveyId) : o.surveyId, [...path, 'surveyId']);
  return { url, tokenEnv, ...(surveyId !== undefined && { surveyId }) } as Source['api'];
}

function isHttpUrl(s: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
}

/**
 * At service start: every `secretEnv` and `api.tokenEnv` the sources name that is unset or blank in `env`, one
 * problem each (`TF_CHECKOUT_SECRET: required by sources[0] (tf-checkout) as its secretEnv`). Never the values.
 */
export function missingSourceEnv(sources: readonly Source[], env: Readonly<Record<string, string | undefined>>): string[] {
  const missing = new Map<string, string[]>();
  const need = (name: string, by: string) => {
    if ((env[name] ?? '').trim() !== '') return;
    missing.set(name, [...(missing.get(name) ?? []), by]);
  };
  sources.forEach((s, i) => {
    const at = `${pathToString(['sources', i])} (${s.id})`;
    need(s.secretEnv, `${at} as its secretEnv`);
    if (s.api) need(s.api.tokenEnv, `${at} as its api.tokenEnv`);
  });
  return [...missing].map(([name, by]) => `${name}: required by ${by.join(', ')}`);
}
