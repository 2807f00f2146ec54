// Validates Kubernetes objects (a JSON array on stdin) with kubernetes-models' validators, compiled from the
// Kubernetes OpenAPI schema and from the KEDA and prometheus-operator CRDs. Those packages are ES modules only,
// hence a separate Node process rather than an import from Jest. Prints [{ index, model, error }] as JSON.
import { readFileSync } from 'node:fs';

/** The kubernetes-models module of an object's kind, or undefined if no package models it (Strimzi). */
export function modelModule(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === '') return `kubernetes-models/${version}/${kind}`;
  if (group === 'keda.sh') return `@kubernetes-models/keda/${group}/${version}/${kind}`;
  if (group === 'monitoring.coreos.com') return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  if (group.endsWith('strimzi.io')) return undefined;
  return `kubernetes-models/${group}/${version}/${kind}`;
}

const objects = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const [index, object] of objects.entries()) {
  const model = modelModule(object.apiVersion, object.kind);
  if (!model) {
    results.push({ index, model: null, error: null });
    continue;
  }
  let Model;
  try {
    Model = (await import(model))[object.kind];
  } catch {
    results.push({ index, model, error: `no model ${model}: unknown apiVersion/kind` });
    continue;
  }
  try {
    new Model(object).validate();
    results.push({ index, model, error: null });
  } catch (err) {
    results.push({ index, model, error: String(err?.message ?? err) });
  }
}
process.stdout.write(JSON.stringify(results));
