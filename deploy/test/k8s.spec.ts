/**
 * The Kubernetes manifests (deploy/k8s) rendered as `kubectl apply -k` would, then checked against their schemas and
 * against what the services need: each service's config loaded with exactly the environment its pod gets, probes,
 * Kafka topics and credentials, scaling limits, the connection budget, NetworkPolicies, and the README's steps.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { allTopicsWithDlq, parseRoutingConfig } from '@closeloop/contracts';
import { parse as parseYaml } from 'yaml';
import { containersOf, K8sObject, parseEnvFile, podSpecsOf, renderKustomization } from './lib/kustomize';
import { ingressAllowed, Pod, selects } from './lib/network-policy';
import { DEPLOY, EXAMPLE_OVERLAY, K8S, markdownTable, migrateLoop, PORTS, portVar, readmeCommands, ROOT, withHostPaths } from './lib/repo';
import { boot, CONFIG_LOADERS, DB_SERVICES, loadMigrationConfig, migrationEnvUse, serviceEnvUse, SERVICES } from './lib/service-config';
import { modelValidation, strictFieldCheck } from './lib/schema';

const NAMESPACE = 'closeloop';
const overlay = renderKustomization(EXAMPLE_OVERLAY);
const kafkaObjects = renderKustomization(join(K8S, 'kafka'));
const postgresObjects = renderKustomization(join(K8S, 'postgres'));
const all = [...overlay, ...kafkaObjects, ...postgresObjects];
const readme = readFileSync(join(DEPLOY, 'README.md'), 'utf8');
const commands = readmeCommands(readme);
const overlayEnv = parseEnvFile(readFileSync(join(EXAMPLE_OVERLAY, 'closeloop.env'), 'utf8'));

const describeObject = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;
const ofKind = (kind: string, objects = all) => objects.filter((o) => o.kind === kind);
function one(kind: string, name: string, objects = all): K8sObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind}/${name}, found ${found.length}`);
  return found[0];
}
/** A generated ConfigMap, found by the name it was generated from (Kustomize appends a hash). */
function configMap(name: string): K8sObject | undefined {
  return ofKind('ConfigMap').find((o) => o.metadata.name === name
    || (o.metadata.name.startsWith(`${name}-`) && /^[a-z0-9]{10}$/.test(o.metadata.name.slice(name.length + 1))));
}
const kafka = ofKind('Kafka')[0];
const listener = kafka.spec.kafka.listeners[0];
const kafkaUsers = ofKind('KafkaUser');
const topics = ofKind('KafkaTopic');
const partitionsOf = (topic: string) => topics.find((t) => t.spec.topicName === topic)?.spec.partitions as number | undefined;

/** Secrets the pods may reference, and their keys: rendered, created by Strimzi, or created by a README command. */
function knownSecrets(): Map<string, Set<string>> {
  const secrets = new Map<string, Set<string>>();
  for (const s of ofKind('Secret')) secrets.set(s.metadata.name, new Set([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})]));
  for (const u of kafkaUsers) secrets.set(u.metadata.name, new Set(['password', 'sasl.jaas.config']));
  for (const k of ofKind('Kafka')) secrets.set(`${k.metadata.name}-cluster-ca-cert`, new Set(['ca.crt', 'ca.p12', 'ca.password']));
  for (const c of commands) {
    const generic = /create secret generic (\S+)(.*)$/.exec(c);
    if (generic) secrets.set(generic[1], new Set([...generic[2].matchAll(/--from-literal=([A-Za-z0-9_.-]+)=/g)].map((m) => m[1])));
    const tls = /create secret tls (\S+)/.exec(c);
    if (tls) secrets.set(tls[1], new Set(['tls.crt', 'tls.key']));
  }
  return secrets;
}
const secrets = knownSecrets();

interface EnvSource { from: string; value?: string; optional: boolean; problem?: string }

/** Every variable a container gets, and where from: envFrom first, then env (which wins), as the kubelet does. */
function resolveEnv(container: any): Map<string, EnvSource> {
  const env = new Map<string, EnvSource>();
  for (const e of container.envFrom ?? []) {
    if (e.configMapRef) {
      const cm = ofKind('ConfigMap').find((o) => o.metadata.name === e.configMapRef.name);
      if (!cm) throw new Error(`envFrom: no ConfigMap ${e.configMapRef.name}`);
      for (const [k, v] of Object.entries(cm.data ?? {})) env.set(k, { from: `ConfigMap ${cm.metadata.name}`, value: v as string, optional: false });
    } else if (e.secretRef) {
      // every key of the Secret becomes a variable: its keys are those it is rendered or created with (README)
      const { name, optional } = e.secretRef;
      const keys = secrets.get(name);
      if (!keys) throw new Error(`envFrom: Secret ${name} is neither rendered, made by Strimzi, nor created in deploy/README.md`);
      for (const k of keys) env.set(k, { from: `Secret ${name}/${k}`, optional: optional === true });
    } else throw new Error(`envFrom: only configMapRef and secretRef are used (${JSON.stringify(e)})`);
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env.set(e.name, { from: 'value', value: String(e.value), optional: false });
    else if (e.valueFrom?.secretKeyRef) {
      const { name, key, optional } = e.valueFrom.secretKeyRef;
      const keys = secrets.get(name);
      const problem = !keys ? `Secret ${name} is neither rendered, made by Strimzi, nor created in deploy/README.md`
        : !keys.has(key) ? `Secret ${name} has no key ${key}` : undefined;
      env.set(e.name, { from: `Secret ${name}/${key}`, optional: optional === true, problem });
    } else if (e.valueFrom?.configMapKeyRef) {
      const { name, key, optional } = e.valueFrom.configMapKeyRef;
      const cm = ofKind('ConfigMap').find((o) => o.metadata.name === name);
      env.set(e.name, { from: `ConfigMap ${name}/${key}`, value: cm?.data?.[key], optional: optional === true, problem: cm?.data?.[key] === undefined ? `ConfigMap ${name} has no key ${key}` : undefined });
    } else throw new Error(`env ${e.name}: unsupported source`);
  }
  return env;
}

/** Problems with one container's env against required variables; returns [] when all is well. */
function envProblems(container: any, required: string[], known: Set<string>, explicitOnlyKnown = true): string[] {
  const env = resolveEnv(container);
  const problems: string[] = [];
  for (const name of required) {
    const s = env.get(name);
    if (!s) problems.push(`${name}: not provided`);
    else if (s.optional) problems.push(`${name}: required, but from an optional source (${s.from})`);
    else if (s.value !== undefined && s.value.trim() === '') problems.push(`${name}: empty`);
  }
  for (const [name, s] of env) if (s.problem) problems.push(`${name}: ${s.problem}`);
  if (explicitOnlyKnown) for (const e of container.env ?? []) if (!known.has(e.name)) problems.push(`${e.name}: not a variable this service's config loader reads`);
  return problems;
}

/**
 * PLACEHOLDER values for the Secrets the pods read, for these tests only (no real secret is involved): what
 * deploy/README.md step 5 creates, with each `$(openssl rand -hex N)` (and `$PGPASSWORD`, made the same way) replaced by
 * 2N hex digits, each `$(openssl rand -base64 N)` by base64 of N bytes, the same shape; Strimzi's generated SCRAM password and cluster CA replaced by stand-ins.
 * Keyed `<secret>/<key>`.
 */
function secretPlaceholders(): Map<string, string> {
  const shellVars: Record<string, string> = {};
  const expand = (v: string) => v
    .replace(/\$\(openssl rand -hex (\d+)\)/g, (_m, n) => 'f0'.repeat(Number(n)))
    .replace(/\$\(openssl rand -base64 (\d+)\)/g, (_m, n) => Buffer.alloc(Number(n), 0xf0).toString('base64'))
    .replace(/\$([A-Z_][A-Z0-9_]*)/g, (m, name) => shellVars[name] ?? m);
  const values = new Map<string, string>();
  for (const c of commands) {
    const exported = /^export ([A-Z_][A-Z0-9_]*)=(\S+)$/.exec(c);
    if (exported) shellVars[exported[1]] = expand(exported[2]);
    const generic = /create secret generic (\S+)(.*)$/.exec(c);
    if (generic) for (const m of generic[2].matchAll(/--from-literal=([A-Za-z0-9_.-]+)=((?:\$\([^)]*\)|\S)+)/g)) values.set(`${generic[1]}/${m[1]}`, expand(m[2]));
  }
  for (const u of kafkaUsers) values.set(`${u.metadata.name}/password`, 'PlaceholderScramPassword0123456789');
  for (const k of ofKind('Kafka')) values.set(`${k.metadata.name}-cluster-ca-cert/ca.crt`, '-----BEGIN CERTIFICATE-----\nplaceholder\n-----END CERTIFICATE-----\n');
  return values;
}
const placeholders = secretPlaceholders();

/** The Secrets Strimzi makes (README step 2): always there once the Kafka cluster is. */
const strimziSecrets = new Set([...kafkaUsers.map((u) => u.metadata.name), ...ofKind('Kafka').map((k) => `${k.metadata.name}-cluster-ca-cert`)]);

/**
 * Exactly the environment the kubelet gives a container (envFrom, then env), Secrets filled with the placeholders
 * above. `optionalSecrets: 'absent'` is a cluster without the optional Secrets of README step 5 (Slack, Twilio):
 * their variables are then unset. The files behind the container's mounts are written under `dir` (the rendered
 * ConfigMaps; placeholder Secrets), and a value that is a path inside a mount becomes the path of that file here.
 */
function podEnv(podSpec: any, container: any, optionalSecrets: 'present' | 'absent', dir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, source] of resolveEnv(container)) {
    if (source.problem) throw new Error(`${name}: ${source.problem}`);
    const secret = /^Secret (.+)$/.exec(source.from)?.[1];
    if (secret === undefined) env[name] = source.value as string;
    else if (!(source.optional && optionalSecrets === 'absent' && !strimziSecrets.has(secret.split('/')[0]))) {
      if (!placeholders.has(secret)) throw new Error(`${name}: no placeholder for Secret ${secret}`);
      env[name] = placeholders.get(secret) as string;
    }
  }
  const mounts: [string, string][] = [];
  for (const m of container.volumeMounts ?? []) {
    const volume = podSpec.volumes.find((v: any) => v.name === m.name);
    const here = join(dir, m.mountPath);
    mkdirSync(here, { recursive: true });
    const write = (path: string, content: string) => {
      mkdirSync(dirname(join(here, path)), { recursive: true });
      writeFileSync(join(here, path), content);
    };
    if (volume.configMap) {
      const cm = ofKind('ConfigMap').find((o) => o.metadata.name === volume.configMap.name);
      if (!cm) throw new Error(`volume ${m.name}: no ConfigMap ${volume.configMap.name}`);
      for (const [key, content] of Object.entries(cm.data ?? {})) write(key, content as string);
    } else if (volume.secret && !(volume.secret.optional && optionalSecrets === 'absent' && !strimziSecrets.has(volume.secret.secretName))) {
      const items = volume.secret.items ?? [...placeholders.keys()].filter((k) => k.startsWith(`${volume.secret.secretName}/`)).map((k) => ({ key: k.split('/')[1], path: k.split('/')[1] }));
      for (const item of items) write(item.path, placeholders.get(`${volume.secret.secretName}/${item.key}`) ?? '');
    }
    mounts.push([here, m.mountPath]);
  }
  return withHostPaths(env, mounts);
}

function deploymentOf(service: string) { return one('Deployment', service); }
function containerOf(service: string) {
  const c = deploymentOf(service).spec.template.spec.containers;
  expect(c.map((x: any) => x.name)).toEqual([service]);
  return c[0];
}
/** Bounds on a Deployment's replicas: from its ScaledObject, its HPA, or spec.replicas. */
function replicaBounds(service: string): { min: number; max: number; by: string } {
  const so = ofKind('ScaledObject').find((o) => o.spec.scaleTargetRef.name === service);
  if (so) return { min: so.spec.minReplicaCount, max: so.spec.maxReplicaCount, by: 'KEDA' };
  const hpa = ofKind('HorizontalPodAutoscaler').find((o) => o.spec.scaleTargetRef.name === service);
  if (hpa) return { min: hpa.spec.minReplicas, max: hpa.spec.maxReplicas, by: 'HPA' };
  const n = deploymentOf(service).spec.replicas ?? 1;
  return { min: n, max: n, by: 'fixed' };
}
/** The file a path lands on inside a container: the mount, its volume and the key within it. */
function mountedFile(podSpec: any, container: any, path: string): { volume: any; key: string } | undefined {
  const m = (container.volumeMounts ?? []).find((vm: any) => path.startsWith(`${vm.mountPath}/`));
  if (!m) return undefined;
  return { volume: podSpec.volumes.find((v: any) => v.name === m.name), key: path.slice(m.mountPath.length + 1) };
}

describe('rendering', () => {
  it('renders the example overlay, the Kafka cluster and Postgres into the closeloop namespace', () => {
    expect(overlay.length).toBeGreaterThan(20);
    for (const o of all) expect(`${describeObject(o)} in ${o.metadata.namespace}`).toBe(`${describeObject(o)} in ${NAMESPACE}`);
  });

  it('gives every Closeloop container the overlay image (no placeholder, no :latest)', () => {
    const k = parseYaml(readFileSync(join(EXAMPLE_OVERLAY, 'kustomization.yaml'), 'utf8'));
    const image = `${k.images[0].newName}:${k.images[0].newTag}`;
    const images = overlay.flatMap(podSpecsOf).flatMap(containersOf).map((c) => c.image);
    expect(images.length).toBeGreaterThanOrEqual(SERVICES.length + 1);
    expect(new Set(images)).toEqual(new Set([image]));
    expect(image).not.toMatch(/:latest$/);
  });
});

describe('schemas', () => {
  it('validates every object with kubernetes-models (Kubernetes OpenAPI, KEDA and prometheus-operator CRDs)', () => {
    const problems = modelValidation(all).map((p) => `${describeObject(all[p.index])}: ${p.message}`);
    expect(problems).toEqual([]);
  });

  it('finds no unknown field, wrong type or missing required field in any object (Strimzi: strimzi-types.ts)', () => {
    const problems = strictFieldCheck(all).map((p) => `${p.index >= 0 ? describeObject(all[p.index]) : '?'}: ${p.message}`);
    expect(problems).toEqual([]);
  });

  it('would catch a misspelt field and a wrong type (the checks themselves work)', () => {
    // The compiler reports one problem per object: each broken copy carries one mistake.
    const misspelt = structuredClone(deploymentOf('scoring'));
    misspelt.spec.template.spec.containers[0].readinesProbe = misspelt.spec.template.spec.containers[0].readinessProbe;
    const mistyped = structuredClone(deploymentOf('scoring'));
    mistyped.spec.template.spec.containers[0].ports[0].containerPort = '3004';
    const topic = structuredClone(topics[0]);
    topic.spec.partition = 3;
    const strict = strictFieldCheck([misspelt, mistyped, topic]);
    expect(strict.map((p) => p.index)).toEqual([0, 1, 2]);
    expect(strict[0].message).toMatch(/^spec\.template\.spec\.containers\[0\]\.readinesProbe: .*'readinesProbe' does not exist in type 'IContainer'/);
    expect(strict[1].message).toMatch(/^spec\.template\.spec\.containers\[0\]\.ports\[0\]\.containerPort: Type 'string' is not assignable to type 'number'/);
    expect(strict[2].message).toMatch(/^spec\.partition: .*'partition' does not exist/);
    expect(modelValidation([mistyped]).map((p) => p.message).join('\n')).toMatch(/containerPort must be integer/);
  });

  it('keeps to Strimzi rules a schema type cannot express', () => {
    for (const l of kafka.spec.kafka.listeners) {
      expect(l.name).toMatch(/^[a-z0-9]{1,11}$/);
      expect(l.port).toBeGreaterThanOrEqual(9092);
      expect([9404, 9999]).not.toContain(l.port);
    }
    for (const o of ofKind('KafkaTopic').concat(ofKind('KafkaUser'), ofKind('KafkaNodePool'))) {
      expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/);
      expect(o.metadata.labels?.['strimzi.io/cluster']).toBe(kafka.metadata.name);
    }
  });
});

describe('services', () => {
  it.each(SERVICES)('%s: a Deployment running services/<name>/dist/main.js with every required variable', (service) => {
    const c = containerOf(service);
    expect(c.command).toEqual(['node', `services/${service}/dist/main.js`]);
    const { reads, required } = serviceEnvUse(service);
    expect(envProblems(c, [...required], reads)).toEqual([]);
    const env = resolveEnv(c);
    expect(env.get('HOST')?.value).toBe('0.0.0.0');
    expect(env.get(portVar(service))?.value).toBe(String(PORTS[service]));
    expect(c.ports).toEqual([{ name: 'http', containerPort: PORTS[service] }]);
  });

  it('puts in closeloop.env only variables some service reads, without quotes or inline comments', () => {
    const everyKnown = new Set(SERVICES.flatMap((s) => [...serviceEnvUse(s).reads]));
    for (const [k, v] of Object.entries(overlayEnv)) {
      expect(everyKnown.has(k) ? k : `${k} (unknown)`).toBe(k);
      expect(v).not.toMatch(/^["']|\s#|\s$/);
    }
  });

  it.each(SERVICES)('%s: probes on /health/live and /health/ready, resources, an unprivileged pod', (service) => {
    const pod = deploymentOf(service).spec.template.spec;
    const c = containerOf(service);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(c.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(c.resources.requests.cpu).toBeDefined();
    expect(c.resources.requests.memory).toBeDefined();
    expect(c.resources.limits.memory).toBeDefined();
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it.each(SERVICES)('%s: a Service and a PodDisruptionBudget that match its pods and never block a drain', (service) => {
    const labels = deploymentOf(service).spec.template.metadata.labels;
    expect(selects(deploymentOf(service).spec.selector, labels)).toBe(true);
    const svc = one('Service', service);
    expect(selects({ matchLabels: svc.spec.selector }, labels)).toBe(true);
    expect(svc.spec.ports).toEqual([{ name: 'http', port: PORTS[service], targetPort: 'http' }]);
    const pdb = one('PodDisruptionBudget', service);
    expect(selects(pdb.spec.selector, labels)).toBe(true);
    const { min } = replicaBounds(service);
    if (pdb.spec.minAvailable !== undefined) expect(pdb.spec.minAvailable).toBeLessThan(min);
    else expect(pdb.spec.maxUnavailable).toBeGreaterThanOrEqual(1);
  });

  it.each(SERVICES.filter((s) => serviceEnvUse(s).reads.has('CLOSELOOP_CONFIG')))('%s: CLOSELOOP_CONFIG is the mounted routing file', (service) => {
    const pod = deploymentOf(service).spec.template.spec;
    const c = containerOf(service);
    const path = resolveEnv(c).get('CLOSELOOP_CONFIG')?.value as string;
    const file = mountedFile(pod, c, path);
    const cm = ofKind('ConfigMap').find((o) => o.metadata.name === file?.volume?.configMap?.name);
    expect(cm?.data?.[file?.key as string]).toBeDefined();
    expect(cm?.metadata.name).toBe(configMap('closeloop-routing')?.metadata.name);
  });

  it('ships a routing file that passes the services\' own validation', () => {
    const result = parseRoutingConfig(readFileSync(join(EXAMPLE_OVERLAY, 'closeloop.yaml'), 'utf8'), 'overlays/example/closeloop.yaml');
    expect(result.ok ? 'ok' : (result as { message: string }).message).toBe('ok');
  });

  it('has no Deployment, Service or PodDisruptionBudget beyond the five services', () => {
    expect(ofKind('Deployment', overlay).map((o) => o.metadata.name).sort()).toEqual([...SERVICES].sort());
    expect(ofKind('Service', overlay).map((o) => o.metadata.name).sort()).toEqual([...SERVICES].sort());
  });
});

describe('each service\'s config, loaded with exactly what its pod gets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'closeloop-k8s-env-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cases = SERVICES.flatMap((s) => (['present', 'absent'] as const).map((o) => [s, o] as const));

  it.each(cases)('%s, optional Secrets %s: its config loader accepts the environment', (service, optional) => {
    const env = podEnv(deploymentOf(service).spec.template.spec, containerOf(service), optional, join(dir, service, optional));
    expect(boot(() => CONFIG_LOADERS[service](env))).toBe('ok');
  });

  it.each(DB_SERVICES)('closeloop-migrate: %s\'s migrate.js accepts the environment of the Job\'s pod', (service) => {
    const job = one('Job', 'closeloop-migrate').spec.template.spec;
    expect(boot(() => loadMigrationConfig(service, podEnv(job, job.containers[0], 'absent', join(dir, 'migrate', service))))).toBe('ok');
  });

  describe('ingest with survey tools (a routing file with sources, docs/sources.md)', () => {
    const SOURCE_SECRET = 'closeloop-source-secrets';
    const fromEnv = () => containerOf('ingest').envFrom.filter((e: any) => e.secretRef?.name === SOURCE_SECRET);
    /** One generic source per key of the Secret README step 5 creates, the first key as an api.tokenEnv as well. */
    const sourceVars = () => [...(secrets.get(SOURCE_SECRET) ?? [])];
    function withSources(env: Record<string, string>): Record<string, string> {
      const vars = sourceVars();
      const sources = vars.map((v, i) => ({ id: `src-${i}`, kind: 'generic', secretEnv: v, touchpoint: 'checkout', fields: { externalId: 'id', score: 'score' } }));
      const routing = parseYaml(readFileSync(env.CLOSELOOP_CONFIG, 'utf8'));
      writeFileSync(env.CLOSELOOP_CONFIG, JSON.stringify({ ...routing, sources }));
      return env;
    }

    it('takes every key of closeloop-source-secrets, an optional Secret README step 5 creates with valid variable names', () => {
      expect(fromEnv()).toEqual([{ secretRef: { name: SOURCE_SECRET, optional: true } }]);
      expect(sourceVars().length).toBeGreaterThan(0);
      for (const v of sourceVars()) expect(v).toMatch(/^[A-Z_][A-Z0-9_]*$/);
      const env = resolveEnv(containerOf('ingest'));
      for (const v of sourceVars()) expect(env.get(v)).toEqual({ from: `Secret ${SOURCE_SECRET}/${v}`, optional: true });
      // the Secret's keys never shadow a variable ingest is given explicitly (env wins over envFrom)
      for (const e of containerOf('ingest').env) expect(sourceVars()).not.toContain(e.name);
    });

    it('starts with the Secret present, and refuses, naming each variable, without it', () => {
      const pod = deploymentOf('ingest').spec.template.spec;
      const present = withSources(podEnv(pod, containerOf('ingest'), 'present', join(dir, 'ingest-sources', 'present')));
      expect(boot(() => CONFIG_LOADERS.ingest(present))).toBe('ok');
      const absent = withSources(podEnv(pod, containerOf('ingest'), 'absent', join(dir, 'ingest-sources', 'absent')));
      const refused = boot(() => CONFIG_LOADERS.ingest(absent));
      for (const v of sourceVars()) expect(refused).toContain(v);
    });
  });

  it('would catch a pod without a variable its service requires, or with a bad value (the check itself works)', () => {
    const pod = structuredClone(deploymentOf('console').spec.template.spec);
    const c = pod.containers[0];
    c.env = c.env.filter((e: any) => e.name !== 'DATABASE_URL');
    expect(boot(() => CONFIG_LOADERS.console(podEnv(pod, c, 'present', join(dir, 'broken', 'a'))))).toMatch(/DATABASE_URL: required/);
    c.env.find((e: any) => e.name === 'SERVICE_URLS').value = 'tickets=tickets:3002';
    expect(boot(() => CONFIG_LOADERS.console(podEnv(pod, c, 'present', join(dir, 'broken', 'b'))))).toMatch(/SERVICE_URLS/);
  });

  it('gives the console every other service by its Service name and port, for the ops page\'s probes', () => {
    const env = podEnv(deploymentOf('console').spec.template.spec, containerOf('console'), 'present', join(dir, 'urls'));
    const cfg = CONFIG_LOADERS.console(env) as { serviceUrls: Record<string, string>; ticketsUrl: string };
    const others = SERVICES.filter((s) => s !== 'console');
    expect(cfg.serviceUrls).toEqual(Object.fromEntries(others.map((s) => [s, `http://${one('Service', s).metadata.name}:${one('Service', s).spec.ports[0].port}`])));
    expect(cfg.ticketsUrl).toBe(cfg.serviceUrls.tickets);
  });
});

describe('migrations', () => {
  const job = one('Job', 'closeloop-migrate');
  const c = job.spec.template.spec.containers[0];

  it('runs every database service\'s migrate.js, and no other service\'s', () => {
    const script = [...(c.command ?? []), ...(c.args ?? [])].join(' ');
    expect(script).toMatch(/services\/\$service\/dist\/migrate\.js/);
    expect(migrateLoop(script)).toEqual(DB_SERVICES);
    expect(DB_SERVICES).toContain('console');
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  it('gets what every migrate.js requires and can reach Postgres', () => {
    const required = [...new Set(DB_SERVICES.flatMap((s) => [...migrationEnvUse(s).required]))];
    const known = new Set(DB_SERVICES.flatMap((s) => [...migrationEnvUse(s).reads]));
    expect(envProblems(c, required, known)).toEqual([]);
    expect(job.spec.template.metadata.labels['closeloop.io/database-client']).toBe('true');
  });

  it('is applied alone and completes before the services are applied (README step 8)', () => {
    const sel = commands.map((x) => /^kubectl apply -k \$OVERLAY -l (\S+)=(\S+)$/.exec(x)).find(Boolean);
    expect(sel).toBeTruthy();
    const [, key, value] = sel as RegExpExecArray;
    expect(overlay.filter((o) => o.metadata.labels?.[key] === value).map(describeObject)).toEqual(['Job/closeloop-migrate']);
    const applyMigrate = commands.indexOf(`kubectl apply -k $OVERLAY -l ${key}=${value}`);
    const wait = commands.findIndex((x) => /kubectl -n closeloop wait --for=condition=complete job\/closeloop-migrate/.test(x));
    const applyAll = commands.indexOf('kubectl apply -k $OVERLAY');
    expect(applyMigrate).toBeGreaterThanOrEqual(0);
    expect(wait).toBeGreaterThan(applyMigrate);
    expect(applyAll).toBeGreaterThan(wait);
  });
});

describe('Kafka', () => {
  it('has exactly the contracts library\'s topics and dead-letter topics, 3 replicas, min.insync.replicas=2', () => {
    expect(topics.map((t) => t.spec.topicName).sort()).toEqual([...allTopicsWithDlq()].sort());
    for (const t of topics) {
      expect(t.spec.replicas).toBe(3);
      expect(String(t.spec.config['min.insync.replicas'])).toBe('2');
    }
  });

  it('runs a cluster that can lose a broker: 3 nodes, replication 3, min.insync.replicas 2', () => {
    const pools = ofKind('KafkaNodePool');
    expect(pools.reduce((n, p) => n + (p.spec.roles.includes('broker') ? p.spec.replicas : 0), 0)).toBeGreaterThanOrEqual(3);
    expect(pools.reduce((n, p) => n + (p.spec.roles.includes('controller') ? p.spec.replicas : 0), 0)).toBeGreaterThanOrEqual(3);
    expect(kafka.spec.kafka.config).toMatchObject({ 'default.replication.factor': 3, 'min.insync.replicas': 2, 'auto.create.topics.enable': false });
  });

  it('matches the partition table in deploy/README.md', () => {
    const rows = markdownTable(readme, 'topic');
    const table = Object.fromEntries(rows.map((r) => [r[0].replace(/`/g, ''), Number(r[1])]));
    const mainTopics = topics.filter((t) => !t.spec.topicName.endsWith('.dlq'));
    expect(table).toEqual(Object.fromEntries(mainTopics.map((t) => [t.spec.topicName, t.spec.partitions])));
    for (const t of topics.filter((x) => x.spec.topicName.endsWith('.dlq'))) expect(t.spec.partitions).toBe(1);
  });

  it('agrees with closeloop.env: bootstrap, TLS, SASL mechanism, user and CA', () => {
    expect(overlayEnv.KAFKA_BROKERS).toBe(`${kafka.metadata.name}-kafka-bootstrap:${listener.port}`);
    expect(overlayEnv.KAFKA_SSL).toBe(String(listener.tls));
    expect(overlayEnv.KAFKA_SASL_MECHANISM).toBe(listener.authentication.type);
    expect(kafkaUsers.map((u) => u.metadata.name)).toContain(overlayEnv.KAFKA_SASL_USERNAME);
    for (const service of SERVICES) {
      const pod = deploymentOf(service).spec.template.spec;
      const c = containerOf(service);
      expect(resolveEnv(c).get('KAFKA_SASL_PASSWORD')?.from).toBe(`Secret ${overlayEnv.KAFKA_SASL_USERNAME}/password`);
      const ca = mountedFile(pod, c, overlayEnv.KAFKA_SSL_CA_FILE);
      expect(ca?.volume.secret.secretName).toBe(`${kafka.metadata.name}-cluster-ca-cert`);
      expect(ca?.volume.secret.items).toEqual([{ key: 'ca.crt', path: ca?.key }]);
    }
  });

  it('lets the services\' user use every topic and consumer group, and KEDA\'s only describe them', () => {
    const allows = (user: string, type: string, name: string, op: string) => one('KafkaUser', user).spec.authorization.acls.some((a: any) => a.resource.type === type
      && (type === 'cluster' || (a.resource.patternType === 'prefix' ? name.startsWith(a.resource.name) : name === a.resource.name))
      && (a.operations.includes(op) || a.operations.includes('All')));
    const app = overlayEnv.KAFKA_SASL_USERNAME;
    for (const topic of allTopicsWithDlq()) for (const op of ['Describe', 'Read', 'Write']) expect(`${op} ${topic}: ${allows(app, 'topic', topic, op)}`).toBe(`${op} ${topic}: true`);
    for (const group of ['scoring', 'tickets', 'notification', 'console', 'ingest']) expect(`${group}: ${allows(app, 'group', group, 'Read')}`).toBe(`${group}: true`);
    const keda = one('Secret', 'closeloop-keda-kafka').stringData.username;
    for (const so of ofKind('ScaledObject')) {
      for (const t of so.spec.triggers) {
        expect(allows(keda, 'group', t.metadata.consumerGroup, 'Describe')).toBe(true);
        expect(allows(keda, 'topic', t.metadata.topic, 'Describe')).toBe(true);
      }
    }
    for (const acl of one('KafkaUser', keda).spec.authorization.acls) expect(acl.operations).toEqual(['Describe']);
  });
});

describe('KEDA', () => {
  const scaled = ofKind('ScaledObject');

  it('scales every database-service consumer but the console on lag; each target Deployment leaves replicas to it', () => {
    // the console runs one replica: it holds the whole live view (a second would split its group's partitions);
    // ingest consumes only the rare erasure requests (SPEC §13; no lag worth scaling on): its HorizontalPodAutoscaler scales it on CPU
    expect(scaled.map((s) => s.spec.scaleTargetRef.name).sort()).toEqual(DB_SERVICES.filter((s) => s !== 'console' && s !== 'ingest').sort());
    expect(deploymentOf('console').spec.replicas).toBe(1);
    for (const so of scaled) expect(deploymentOf(so.spec.scaleTargetRef.name).spec.replicas).toBeUndefined();
    expect(deploymentOf('ingest').spec.replicas).toBeUndefined();
  });

  it.each(scaled.map((s) => [s.metadata.name, s] as const))('%s: watches its own group on existing topics, through Strimzi\'s TLS listener', (_name, so) => {
    for (const t of so.spec.triggers) {
      expect(t.type).toBe('kafka');
      expect(t.metadata.bootstrapServers).toBe(`${kafka.metadata.name}-kafka-bootstrap.${NAMESPACE}.svc:${listener.port}`);
      expect(t.metadata.consumerGroup).toBe(so.spec.scaleTargetRef.name);
      expect(partitionsOf(t.metadata.topic)).toBeGreaterThan(0);
      expect(t.metadata.sasl).toBe(listener.authentication.type.replace(/-/g, '_').replace('sha_', 'sha'));
      expect(t.metadata.tls).toBe(listener.tls ? 'enable' : 'disable');
      const auth = one('TriggerAuthentication', t.authenticationRef.name);
      const params = Object.fromEntries(auth.spec.secretTargetRef.map((r: any) => [r.parameter, r]));
      expect(Object.keys(params).sort()).toEqual(['ca', 'password', 'username']);
      for (const r of auth.spec.secretTargetRef) expect(`${r.name}/${r.key}: ${secrets.get(r.name)?.has(r.key)}`).toBe(`${r.name}/${r.key}: true`);
      expect(params.password.name).toBe(one('Secret', params.username.name).stringData[params.username.key]);
    }
  });

  it.each(scaled.map((s) => [s.metadata.name, s] as const))('%s: never scales past the partitions its triggers watch, and keeps 2 pods for drains', (_name, so) => {
    const limit = Math.max(...so.spec.triggers.map((t: any) => partitionsOf(t.metadata.topic) as number));
    expect(so.spec.maxReplicaCount).toBeLessThanOrEqual(limit);
    expect(so.spec.minReplicaCount).toBeGreaterThanOrEqual(2);
    expect(so.spec.triggers.every((t: any) => t.metadata.allowIdleConsumers === undefined)).toBe(true);
  });

  it('matches the scaling table in deploy/README.md', () => {
    const rows = markdownTable(readme, 'Deployment');
    expect(rows.map((r) => r[0]).sort()).toEqual([...SERVICES].sort());
    for (const [service, by, min, max] of rows) {
      const b = replicaBounds(service);
      expect(`${service} ${by.split(':')[0]} ${min}-${max}`).toBe(`${service} ${b.by} ${b.min}-${b.max}`);
    }
  });
});

describe('Postgres', () => {
  const postgres = one('StatefulSet', 'closeloop-postgres');
  const args: string[] = postgres.spec.template.spec.containers[0].args;
  const maxConnections = Number(args.find((a) => a.startsWith('max_connections='))?.split('=')[1]);
  const budget = [...DB_SERVICES.map((s) => {
    const pool = Number(resolveEnv(containerOf(s)).get('DATABASE_POOL_SIZE')?.value);
    return { name: s, pool, pods: replicaBounds(s).max, surge: deploymentOf(s).spec.strategy.rollingUpdate.maxSurge as number };
  }), { name: 'closeloop-migrate', pool: Number(resolveEnv(one('Job', 'closeloop-migrate').spec.template.spec.containers[0]).get('DATABASE_POOL_SIZE')?.value), pods: 1, surge: 0 }];

  it('fits every pool at full scale, plus a surge pod per Deployment, in max_connections less 3 reserved', () => {
    expect(maxConnections).toBeGreaterThan(0);
    const total = budget.reduce((n, b) => n + b.pool * (b.pods + b.surge), 0);
    expect(total).toBeLessThanOrEqual(maxConnections - 3);
    expect(readme).toContain(`max_connections=${maxConnections}`);
  });

  it('matches the connection budget table in deploy/README.md', () => {
    const rows = markdownTable(readme, 'service');
    expect(rows).toEqual(budget.map((b) => [b.name, String(b.pool), String(b.pods), String(b.pool * b.pods)]));
    expect(readme).toContain(`Total ${budget.reduce((n, b) => n + b.pool * b.pods, 0)} at full scale, ${budget.reduce((n, b) => n + b.pool * (b.pods + b.surge), 0)} with a surge pod`);
  });

  it('is what the README\'s DATABASE_URL points at', () => {
    const url = commands.map((c) => /DATABASE_URL=(\S+)/.exec(c)?.[1]).find(Boolean) as string;
    const env = Object.fromEntries(postgres.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    const svc = one('Service', 'closeloop-postgres');
    const u = new URL(url.replace('$PGPASSWORD', 'password'));
    expect([u.protocol, u.username, u.hostname, u.port, u.pathname]).toEqual(['postgres:', env.POSTGRES_USER, svc.metadata.name, String(svc.spec.ports[0].port), `/${env.POSTGRES_DB}`]);
    expect(selects({ matchLabels: svc.spec.selector }, postgres.spec.template.metadata.labels)).toBe(true);
  });
});

describe('network policies', () => {
  const policies = ofKind('NetworkPolicy');
  const podsOf = (objects: K8sObject[]): Pod[] => objects.filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind)).map((o) => ({
    name: o.metadata.name,
    namespace: o.metadata.namespace as string,
    labels: o.spec.template.metadata.labels,
    ports: Object.fromEntries(containersOf(o.spec.template.spec).flatMap((c) => (c.ports ?? []).map((p: any) => [p.name, p.containerPort]))),
  }));
  const pods = Object.fromEntries(podsOf([...overlay, ...postgresObjects]).map((p) => [p.name, p]));
  const outsider = (name: string, namespace: string, labels: Record<string, string> = {}): Pod => ({ name, namespace, labels, ports: {} });
  const ingressController = outsider('traefik', 'traefik', { 'app.kubernetes.io/name': 'traefik' });
  const prometheus = outsider('prometheus', 'monitoring', { 'app.kubernetes.io/name': 'prometheus' });
  const strangers = [
    outsider('other-namespace', 'default', { 'closeloop.io/database-client': 'true', 'app.kubernetes.io/part-of': 'closeloop' }),
    outsider('kafka-broker', NAMESPACE, { 'strimzi.io/kind': 'Kafka' }),
    outsider('unlabelled', NAMESPACE),
  ];
  const may = (from: Pod, to: string, port = 'http') => ingressAllowed(policies, from, pods[to], port);

  it('lets nothing reach Postgres but the database services and their migrations', () => {
    const allowed = Object.values(pods).filter((p) => may(p, 'closeloop-postgres', 'postgres')).map((p) => p.name).sort();
    expect(allowed).toEqual([...DB_SERVICES, 'closeloop-migrate'].sort());
    for (const p of [ingressController, prometheus, ...strangers]) expect(`${p.name}: ${may(p, 'closeloop-postgres', 'postgres')}`).toBe(`${p.name}: false`);
  });

  it('lets the ingress controller reach exactly the services an Ingress routes to; scoring is never exposed', () => {
    const routed = new Set(ofKind('Ingress').flatMap((i) => i.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => p.backend.service.name))));
    for (const s of SERVICES) expect(`${s}: ${may(ingressController, s)}`).toBe(`${s}: ${routed.has(s)}`);
    expect(routed.has('scoring')).toBe(false);
  });

  it('lets Prometheus scrape every service, and only the console call the others (tickets\' API, everyone\'s health and metrics)', () => {
    for (const s of SERVICES) expect(may(prometheus, s)).toBe(true);
    for (const from of SERVICES) for (const to of SERVICES) {
      if (from !== to) expect(`${from} → ${to}: ${may(pods[from], to)}`).toBe(`${from} → ${to}: ${from === 'console'}`);
    }
    for (const p of strangers) for (const s of SERVICES) expect(may(p, s)).toBe(false);
  });

  it('names the namespaces README step 1 installs the ingress controller and Prometheus into', () => {
    expect(commands).toContain('helm install traefik traefik/traefik --namespace traefik --create-namespace');
    expect(commands.some((c) => c.startsWith('helm install monitoring prometheus-community/kube-prometheus-stack --namespace monitoring'))).toBe(true);
    for (const i of ofKind('Ingress')) expect(i.spec.ingressClassName).toBe('traefik');
  });
});

describe('ingress and webhooks', () => {
  const publicHost = new URL(overlayEnv.PUBLIC_BASE_URL).host;
  const rules = ofKind('Ingress').flatMap((i) => i.spec.rules.map((r: any) => ({ ingress: i, host: r.host, paths: r.http.paths })));

  it('routes the PUBLIC_BASE_URL host only to notification\'s public paths (webhooks, recheck page, unsubscribe link), over TLS', () => {
    const hooks = rules.filter((r) => r.host === publicHost);
    expect(hooks).toHaveLength(1);
    expect(hooks[0].paths.map((p: any) => `${p.pathType} ${p.path} → ${p.backend.service.name}`).sort()).toEqual([
      'Exact /slack/interactions → notification', 'Exact /twilio/inbound → notification', 'Exact /twilio/status → notification',
      'Prefix /r/ → notification', 'Prefix /u/ → notification',
    ]);
    expect(overlayEnv.PUBLIC_BASE_URL).toMatch(/^https:\/\//);
    expect(hooks[0].ingress.spec.tls.flatMap((t: any) => t.hosts)).toContain(publicHost);
  });

  it('sends no webhook path anywhere but notification, and every backend port exists', () => {
    for (const r of rules) {
      for (const p of r.paths) {
        if (/^\/(slack|twilio)/.test(p.path)) expect(p.backend.service.name).toBe('notification');
        const svc = one('Service', p.backend.service.name);
        expect(svc.spec.ports.map((x: any) => x.name)).toContain(p.backend.service.port.name);
      }
    }
    expect(new URL(overlayEnv.CONSOLE_URL).host).toBe(rules.find((r) => r.paths.some((p: any) => p.backend.service.name === 'console'))?.host);
  });

  it('sends every HTTP API path of ingest (its v1 controllers: feedback, survey tools\' sources) to ingest, on the app host', () => {
    const files = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(d, e.name)) : e.name.endsWith('.controller.ts') ? [join(d, e.name)] : []));
    const prefixes = files(join(ROOT, 'services', 'ingest', 'src')).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/@Controller\('(v1\/[^']*)'\)/g)].map((m) => `/${m[1]}`));
    // /v1/sources: the survey tools' webhooks and the ops API on their records (two controllers, one prefix)
    expect([...new Set(prefixes)].sort()).toEqual(['/v1/feedback', '/v1/sources']);
    const app = rules.find((r) => r.host === new URL(overlayEnv.CONSOLE_URL).host);
    for (const prefix of prefixes) {
      const route = app?.paths.find((p: any) => p.path === prefix);
      expect(`${prefix} → ${route?.pathType} ${route?.backend.service.name}`).toBe(`${prefix} → Prefix ingest`);
    }
  });

  it('has a README command or cert-manager note for every TLS Secret an Ingress names', () => {
    for (const i of ofKind('Ingress')) for (const t of i.spec.tls) expect(secrets.get(t.secretName)).toEqual(new Set(['tls.crt', 'tls.key']));
  });
});

describe('observability', () => {
  it('scrapes /metrics on the http port of all five Services', () => {
    const sm = one('ServiceMonitor', 'closeloop');
    const scraped = ofKind('Service', overlay).filter((s) => selects(sm.spec.selector, s.metadata.labels ?? {})).map((s) => s.metadata.name).sort();
    expect(scraped).toEqual([...SERVICES].sort());
    expect(sm.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
  });

  it('scrapes consumer lag from Strimzi\'s Kafka Exporter', () => {
    expect(kafka.spec.kafkaExporter).toBeDefined();
    expect(one('PodMonitor', 'closeloop-kafka-exporter').spec.selector.matchLabels['strimzi.io/name']).toBe(`${kafka.metadata.name}-kafka-exporter`);
  });
});

describe('deploy/README.md steps', () => {
  it('applies only kustomizations that exist, Kafka and Postgres before the services', () => {
    const applies = commands.filter((c) => c.startsWith('kubectl apply -k ')).map((c) => c.split(' ')[3].replace('$OVERLAY', 'deploy/k8s/overlays/example'));
    for (const dir of applies) expect(existsSync(join(ROOT, dir, 'kustomization.yaml')) ? dir : `${dir} (missing)`).toBe(dir);
    const first = (dir: string) => commands.findIndex((c) => c.startsWith(`kubectl apply -k ${dir}`));
    expect(first('deploy/k8s/kafka')).toBeLessThan(first('$OVERLAY'));
    expect(first('deploy/k8s/postgres')).toBeLessThan(first('$OVERLAY'));
    expect(commands).toContain('export OVERLAY=deploy/k8s/overlays/example');
  });

  it('creates every Secret the manifests reference, in the closeloop namespace, before the services', () => {
    const referenced = new Set(all.flatMap(podSpecsOf).flatMap((pod) => [
      ...containersOf(pod).flatMap((c) => (c.env ?? []).map((e: any) => e.valueFrom?.secretKeyRef?.name)),
      ...containersOf(pod).flatMap((c) => (c.envFrom ?? []).map((e: any) => e.secretRef?.name)),
      ...(pod.volumes ?? []).map((v: any) => v.secret?.secretName),
    ]).filter(Boolean));
    const strimzi = new Set([...kafkaUsers.map((u) => u.metadata.name), `${kafka.metadata.name}-cluster-ca-cert`]);
    const created = commands.filter((c) => / create secret /.test(c));
    for (const name of referenced) {
      if (strimzi.has(name)) continue;
      expect(created.some((c) => c.startsWith('kubectl -n closeloop create secret ') && c.includes(` ${name} `)) ? name : `${name} (not created)`).toBe(name);
    }
    const lastCreate = Math.max(...created.map((c) => commands.indexOf(c)));
    expect(lastCreate).toBeLessThan(commands.findIndex((c) => c.startsWith('kubectl apply -k $OVERLAY')));
  });

  it('refers only to files that exist', () => {
    for (const c of commands) for (const m of c.matchAll(/--from-file=(\S+)/g)) expect(existsSync(join(ROOT, m[1])) ? m[1] : `${m[1]} (missing)`).toBe(m[1]);
  });
});
