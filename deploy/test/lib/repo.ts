/** Paths and shared facts for the deployment tests. */
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');
export const DEPLOY = join(ROOT, 'deploy');
export const K8S = join(DEPLOY, 'k8s');
export const EXAMPLE_OVERLAY = join(K8S, 'overlays', 'example');

/** SPEC §2 ports; each service reads its own `<NAME>_PORT`. */
export const PORTS: Record<string, number> = { ingest: 3001, tickets: 3002, notification: 3003, scoring: 3004, console: 3000 };
export const portVar = (service: string) => `${service.toUpperCase()}_PORT`;

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

/**
 * An environment as a process inside a container sees it, for a test on this machine: a value that is a path
 * inside a mounted directory becomes the path of the same file here (`mounts`: [directory here, mount point]).
 * Nothing else changes.
 */
export function withHostPaths(env: Record<string, string>, mounts: [string, string][]): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => {
    const m = mounts.find(([, target]) => v.startsWith(`${target}/`));
    return [k, m ? join(m[0], v.slice(m[1].length + 1)) : v];
  }));
}

/** The service names of the loop in a migrations command (`for service in a b c; do … migrate.js; done`). */
export function migrateLoop(script: string): string[] | undefined {
  return /for service in ([a-z ]+);/.exec(script)?.[1].trim().split(/\s+/);
}
