/** Paths and shared facts for the deployment tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');
export const DEPLOY = join(ROOT, 'deploy');
export const K8S = join(DEPLOY, 'k8s');
export const EXAMPLE_OVERLAY = join(K8S, 'overlays', 'example');

export interface ServiceEnv { required: string[]; optional: string[]; migrateRequired?: string[] }
export const serviceEnv: Record<string, ServiceEnv> = JSON.parse(readFileSync(join(DEPLOY, 'service-env.json'), 'utf8'));
export const SERVICES = Object.keys(serviceEnv);
/** Services with a database: they have a migrate.js and need DATABASE_URL. */
export const DB_SERVICES = SERVICES.filter((s) => serviceEnv[s].required.includes('DATABASE_URL'));
/** SPEC §2 ports; each service reads its own `<NAME>_PORT`. */
export const PORTS: Record<string, number> = { ingest: 3001, tickets: 3002, notification: 3003, scoring: 3004, console: 3000 };
export const portVar = (service: string) => `${service.toUpperCase()}_PORT`;
export const knownVars = (service: string) => new Set([...serviceEnv[service].required, ...serviceEnv[service].optional]);

/** Shell commands in the README's ```sh blocks, with backslash continuations joined. */
export function readmeCommands(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.flatMap((b) => b.replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
}

/** Rows of the Markdown table whose header row starts with `firstHeader`. */
export function markdownTable(markdown: string, firstHeader: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${firstHeader} |`));
  if (start < 0) throw new Error(`no table starting with "${firstHeader}"`);
  const rows: string[][] = [];
  for (const l of lines.slice(start + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(l.split('|').slice(1, -1).map((c) => c.trim()));
  }
  return rows;
}
