/**
 * Two schema checks for rendered manifests:
 * - kubernetes-models' validators (types, formats, enums, required fields from the Kubernetes OpenAPI schema and the
 *   KEDA and prometheus-operator CRDs), run in a child Node process (validate-models.mjs);
 * - a strict check that rejects unknown fields, as `kubectl apply` (server-side field validation) does: each object
 *   becomes an object literal typed with its model's interface and goes through the TypeScript compiler, whose
 *   excess-property check names any field the schema does not have. Strimzi's kinds use strimzi-types.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import type { K8sObject } from './kustomize';

const ROOT = join(__dirname, '..', '..', '..');
const VIRTUAL = join(__dirname, '__manifests__.ts');

export interface SchemaProblem { index: number; message: string }

function typeImport(o: K8sObject): { module: string; type: string } | undefined {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  if (group === 'kafka.strimzi.io' && version === 'v1') return { module: './strimzi-types', type: `I${o.kind}` };
  const module = group === '' ? `kubernetes-models/${version}/${o.kind}`
    : group === 'keda.sh' ? `@kubernetes-models/keda/${group}/${version}/${o.kind}`
      : group === 'monitoring.coreos.com' ? `@kubernetes-models/prometheus-operator/${group}/${version}/${o.kind}`
        : `kubernetes-models/${group}/${version}/${o.kind}`;
  return existsSync(join(ROOT, 'node_modules', `${module}.d.ts`)) ? { module, type: `I${o.kind}` } : undefined;
}

/** Unknown fields, wrong types, missing required fields: every problem the TypeScript compiler finds. */
export function strictFieldCheck(objects: K8sObject[]): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const imports = new Map<string, string>();
  const blocks: { index: number; startLine: number; text: string }[] = [];
  let line = 0;
  objects.forEach((o, index) => {
    const t = typeImport(o);
    if (!t) {
      problems.push({ index, message: `no schema known for ${o.apiVersion} ${o.kind}` });
      return;
    }
    const alias = `T${imports.size}`;
    const key = `${t.module}#${t.type}`;
    if (!imports.has(key)) imports.set(key, alias);
    const text = `export const r${index}: ${imports.get(key)} = ${literal(o, '')};\n`;
    blocks.push({ index, startLine: line, text });
    line += text.split('\n').length - 1;
  });
  const header = [...imports].map(([key, alias]) => {
    const [module, type] = key.split('#');
    return `import type { ${type} as ${alias} } from '${module}';`;
  });
  const source = `${header.join('\n')}\n${blocks.map((b) => b.text).join('')}`;
  const offset = header.length + 1;

  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, skipLibCheck: true, types: [], target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ['lib.es2022.d.ts'],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (name === VIRTUAL ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === VIRTUAL || fileExists(name);
  const program = ts.createProgram([VIRTUAL], options, host);
  const file = program.getSourceFile(VIRTUAL);
  for (const d of [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]) {
    const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line - offset : -1;
    const block = [...blocks].reverse().find((b) => b.startLine <= at);
    const path = file && d.start !== undefined ? pathAt(file, d.start) : '';
    problems.push({ index: block?.index ?? -1, message: `${path || '(object)'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}` });
  }
  return problems;
}

/** The object as a TypeScript literal, one property a line; identifier-like keys unquoted so messages name them plainly. */
function literal(value: unknown, indent: string): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) return value.length ? `[\n${value.map((v) => `${inner}${literal(v, inner)}`).join(',\n')}\n${indent}]` : '[]';
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (!entries.length) return '{}';
    const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));
    return `{\n${entries.map(([k, v]) => `${inner}${key(k)}: ${literal(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/** The field path (spec.template.spec.containers[0].readinesProbe) of the innermost property at a source position. */
function pathAt(file: ts.SourceFile, pos: number): string {
  let path = '';
  const visit = (node: ts.Node): void => {
    if (pos < node.getStart(file) || pos >= node.getEnd()) return;
    if (ts.isPropertyAssignment(node)) {
      const name = ts.isIdentifier(node.name) || ts.isStringLiteral(node.name) ? node.name.text : node.name.getText(file);
      path += path ? `.${name}` : name;
    } else if (ts.isArrayLiteralExpression(node)) {
      const i = node.elements.findIndex((e) => pos >= e.getStart(file) && pos < e.getEnd());
      if (i >= 0) path += `[${i}]`;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(file, visit);
  return path;
}

/** kubernetes-models' own validation of each object that a package models (Strimzi's kinds have none). */
export function modelValidation(objects: K8sObject[]): SchemaProblem[] {
  const out = execFileSync(process.execPath, [join(__dirname, 'validate-models.mjs')], {
    input: JSON.stringify(objects), cwd: ROOT, maxBuffer: 64 * 1024 * 1024,
  });
  const results = JSON.parse(out.toString('utf8')) as { index: number; model: string | null; error: string | null }[];
  return results.filter((r) => r.error).map((r) => ({ index: r.index, message: r.error as string }));
}
