/** The Dockerfile read as instructions: continuations joined, comments dropped. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './repo';

export const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
export const instructions = dockerfile.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

/** The instructions of the last stage (the image that runs). */
export function runtimeStage(): string[] {
  const stages = instructions.filter((l) => l.startsWith('FROM '));
  return instructions.slice(instructions.indexOf(stages[stages.length - 1]));
}

/** The runtime stage's WORKDIR and ENV: what every container of the image starts with. */
export function imageDefaults(): { workdir: string; env: Record<string, string> } {
  let workdir = '/';
  const env: Record<string, string> = {};
  for (const l of runtimeStage()) {
    if (l.startsWith('WORKDIR ')) workdir = l.slice('WORKDIR '.length).trim();
    if (l.startsWith('ENV ')) {
      for (const m of l.slice(4).matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) env[m[1]] = m[2].replace(/^"|"$/g, '');
    }
  }
  return { workdir, env };
}
