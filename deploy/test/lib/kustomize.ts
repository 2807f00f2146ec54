/**
 * Renders a kustomization the way `kubectl kustomize` does, for the subset of Kustomize the manifests in deploy/k8s
 * use: `resources` (files and directories), `namespace`, `images` and `configMapGenerator` (envs, files, literals;
 * name suffixed with a content hash, references in pod specs rewritten). Anything else in a kustomization.yaml is an
 * error here, so a manifest can never rely on a feature this renderer would silently get wrong.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, normalize } from 'node:path';
import { parseAllDocuments } from 'yaml';

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: any;
};

const ALLOWED_KEYS = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images', 'configMapGenerator']);
const ALLOWED_GENERATOR_KEYS = new Set(['name', 'envs', 'files', 'literals']);
const ALLOWED_IMAGE_KEYS = new Set(['name', 'newName', 'newTag', 'digest']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume',
  'StorageClass', 'IngressClass', 'PriorityClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']);

/** Parses a multi-document YAML file into objects; empty documents are skipped, like kubectl does. */
export function readManifests(file: string): K8sObject[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: true });
  const out: K8sObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS({ maxAliasCount: 0 });
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value) || typeof value.kind !== 'string' || typeof value.apiVersion !== 'string' || typeof value.metadata?.name !== 'string') {
      throw new Error(`${file}: every document must be a Kubernetes object with apiVersion, kind and metadata.name`);
    }
    out.push(value as K8sObject);
  }
  return out;
}

/** Parses a Kustomize env file: KEY=VALUE lines, `#` comment lines, blank lines; the value is everything after the first `=`. */
export function parseEnvFile(text: string, file = '<env>'): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trimStart();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`${file}:${i + 1}: expected KEY=VALUE, got "${raw}"`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  });
  return out;
}

/** Go's json.Marshal output for the object (sorted keys; <, >, &, U+2028, U+2029 escaped). */
function goJson(value: unknown): string {
  const sort = (v: any): any => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])]))
    : v);
  return JSON.stringify(sort(value)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The suffix Kustomize appends to a generated ConfigMap's name: sha256 of its kind, name and data, 10 characters. */
export function configMapHash(name: string, data: Record<string, string>): string {
  const hex = createHash('sha256').update(goJson({ kind: 'ConfigMap', name, data })).digest('hex');
  const swap: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return [...hex.slice(0, 10)].map((c) => swap[c] ?? c).join('');
}

/** Every pod spec inside an object (Deployment, StatefulSet, Job, CronJob, Pod…). */
export function podSpecsOf(o: K8sObject): any[] {
  if (o.kind === 'Pod') return [o.spec];
  if (o.kind === 'CronJob') return [o.spec?.jobTemplate?.spec?.template?.spec].filter(Boolean);
  return [o.spec?.template?.spec].filter(Boolean);
}

export function containersOf(podSpec: any): any[] {
  return [...(podSpec?.initContainers ?? []), ...(podSpec?.containers ?? [])];
}

/** Rewrites the ConfigMap references Kustomize's name-reference transformer knows in pod specs. */
function renameConfigMapRefs(objects: K8sObject[], renames: Map<string, string>): void {
  const swap = (holder: any, key: string) => {
    if (holder && typeof holder[key] === 'string' && renames.has(holder[key])) holder[key] = renames.get(holder[key]);
  };
  for (const o of objects) {
    for (const pod of podSpecsOf(o)) {
      for (const v of pod.volumes ?? []) {
        swap(v.configMap, 'name');
        for (const s of v.projected?.sources ?? []) swap(s.configMap, 'name');
      }
      for (const c of containersOf(pod)) {
        for (const e of c.env ?? []) swap(e.valueFrom?.configMapKeyRef, 'name');
        for (const e of c.envFrom ?? []) swap(e.configMapRef, 'name');
      }
    }
  }
}

function applyImages(objects: K8sObject[], images: any[]): void {
  for (const img of images) {
    for (const key of Object.keys(img)) if (!ALLOWED_IMAGE_KEYS.has(key)) throw new Error(`images: unsupported key "${key}"`);
    for (const o of objects) {
      for (const pod of podSpecsOf(o)) {
        for (const c of containersOf(pod)) {
          const m = /^(.*?)(?::([^:/@]+))?(?:@(.+))?$/.exec(c.image ?? '');
          if (!m || m[1] !== img.name) continue;
          const name = img.newName ?? m[1];
          if (img.digest) c.image = `${name}@${img.digest}`;
          else c.image = `${name}${img.newTag !== undefined ? `:${img.newTag}` : m[2] ? `:${m[2]}` : ''}`;
        }
      }
    }
  }
}

function localFile(dir: string, path: string, what: string): string {
  if (isAbsolute(path) || normalize(path).startsWith('..')) {
    throw new Error(`${dir}: ${what} "${path}" is outside the kustomization directory (Kustomize refuses it)`);
  }
  return join(dir, path);
}

export function renderKustomization(dir: string): K8sObject[] {
  const file = join(dir, 'kustomization.yaml');
  if (!existsSync(file)) throw new Error(`${dir}: no kustomization.yaml`);
  const k = readManifestsLoose(file);
  for (const key of Object.keys(k)) if (!ALLOWED_KEYS.has(key)) throw new Error(`${file}: "${key}" is not supported by this renderer`);
  if (k.kind !== 'Kustomization' || k.apiVersion !== 'kustomize.config.k8s.io/v1beta1') throw new Error(`${file}: not a Kustomization`);

  const objects: K8sObject[] = [];
  for (const r of k.resources ?? []) {
    const path = join(dir, r);
    if (!existsSync(path)) throw new Error(`${file}: resource "${r}" does not exist`);
    if (statSync(path).isDirectory()) objects.push(...renderKustomization(path));
    else objects.push(...readManifests(localFile(dir, r, 'resource')));
  }

  const renames = new Map<string, string>();
  for (const g of k.configMapGenerator ?? []) {
    for (const key of Object.keys(g)) if (!ALLOWED_GENERATOR_KEYS.has(key)) throw new Error(`${file}: configMapGenerator "${key}" is not supported`);
    const data: Record<string, string> = {};
    const put = (key: string, value: string) => {
      if (key in data) throw new Error(`${file}: configMapGenerator ${g.name}: key "${key}" given twice`);
      data[key] = value;
    };
    for (const env of g.envs ?? []) {
      const p = localFile(dir, env, 'env file');
      for (const [key, value] of Object.entries(parseEnvFile(readFileSync(p, 'utf8'), p))) put(key, value);
    }
    for (const f of g.files ?? []) {
      const [key, path] = f.includes('=') ? f.split('=', 2) : [basename(f), f];
      put(key, readFileSync(localFile(dir, path, 'file'), 'utf8'));
    }
    for (const l of g.literals ?? []) {
      const eq = l.indexOf('=');
      put(l.slice(0, eq), l.slice(eq + 1));
    }
    const name = `${g.name}-${configMapHash(g.name, data)}`;
    renames.set(g.name, name);
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
  }
  renameConfigMapRefs(objects, renames);
  if (k.images) applyImages(objects, k.images);
  if (k.namespace) for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;

  const seen = new Set<string>();
  for (const o of objects) {
    const id = `${o.apiVersion.split('/')[0]}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (seen.has(id)) throw new Error(`${file}: two resources are ${id}`);
    seen.add(id);
  }
  return objects;
}

function readManifestsLoose(file: string): any {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: true });
  if (docs.length !== 1 || docs[0].errors.length) throw new Error(`${file}: must be one YAML document`);
  return docs[0].toJS();
}
