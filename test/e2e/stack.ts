import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { Client } from 'pg';
import { testInfra, uniqueName } from '@closeloop/testing';

const stack = require('../../scripts/lib/stack.cjs') as {
  SERVICES: { name: string; port: number; portVar: string; migrate: boolean | string }[];
  migrateAll(env: NodeJS.ProcessEnv, out?: (l: string) => void): Promise<void>;
  startService(s: unknown, env: NodeJS.ProcessEnv, out?: (l: string) => void): ServiceHandle;
  waitReady(url: string, timeoutMs: number, isAlive?: () => boolean): Promise<void>;
};

export interface ServiceHandle {
  name: string;
  port: number;
  child: { exitCode: number | null; pid?: number };
  stop(timeoutMs?: number): Promise<void>;
  kill(): Promise<unknown>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** A database of its own for one end-to-end file: the services keep their default schemas, as in production. */
export async function createE2eDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new URL(testInfra().databaseUrl);
  const name = uniqueName('e2e').toLowerCase();
  const c = new Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query(`CREATE DATABASE "${name}"`);
  await c.end();
  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const d = new Client({ connectionString: admin.toString() });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await d.end();
    },
  };
}

export function writeRoutingFile(yaml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'closeloop-e2e-'));
  const file = path.join(dir, 'closeloop.yaml');
  writeFileSync(file, yaml);
  return file;
}

export const randomToken = (p: string) => `${p}${randomBytes(12).toString('hex')}`;

/** Starts the named services (built, as child processes) with `env`; returns their handles and base URLs. */
export async function startServices(
  names: string[],
  env: NodeJS.ProcessEnv,
  log: (l: string) => void = () => {},
  /** env that depends on the chosen ports, e.g. PUBLIC_BASE_URL */
  derived: (url: (service: string) => string) => NodeJS.ProcessEnv = () => ({}),
) {
  const ports: Record<string, number> = {};
  for (const n of names) ports[n] = await freePort();
  const portEnv = Object.fromEntries(stack.SERVICES.filter((s) => names.includes(s.name)).map((s) => [s.portVar, String(ports[s.name])]));
  const url = (n: string) => `http://127.0.0.1:${ports[n]}`;
  const fullEnv: NodeJS.ProcessEnv = { ...env, ...portEnv, HOST: '127.0.0.1', ...derived(url) };
  await stack.migrateAll(fullEnv, log);
  const handles: Record<string, ServiceHandle> = {};
  for (const s of stack.SERVICES.filter((x) => names.includes(x.name))) handles[s.name] = stack.startService({ ...s, port: ports[s.name] }, fullEnv, log);
  await Promise.all(Object.values(handles).map((h) => stack.waitReady(`http://127.0.0.1:${h.port}/health/ready`, 90_000, () => h.child.exitCode === null)));
  return {
    handles,
    url,
    env: fullEnv,
    async restart(name: string) {
      const s = stack.SERVICES.find((x) => x.name === name);
      if (!s) throw new Error(`unknown service ${name}`);
      handles[name] = stack.startService({ ...s, port: ports[name] }, fullEnv, log);
      await stack.waitReady(`${url(name)}/health/ready`, 90_000, () => handles[name].child.exitCode === null);
    },
    async stop() {
      await Promise.allSettled(Object.values(handles).map((h) => h.stop()));
    },
  };
}
