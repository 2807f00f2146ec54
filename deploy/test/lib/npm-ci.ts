/**
 * The image's `npm ci`, asked offline whether it accepts the lockfile: the manifests the Dockerfile's first stage
 * keeps (package.json, package-lock.json and each workspace's package.json) are copied to a temporary folder, and
 * `npm ci --dry-run --offline` runs there with an empty cache. A lockfile that is complete needs nothing from the
 * network for that; one that is not (package.json and lock disagree, or the lock lacks other platforms' optional
 * binaries such as @swc/core-darwin-arm64) makes npm refuse it here as it would in `docker build`.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './repo';

/** `lock`: another package-lock.json to try instead of the repository's (the tests' check of the check). */
export function npmCiDryRun(lock?: object): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'closeloop-npm-ci-'));
  try {
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    if (lock) writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
    else cpSync(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
    for (const group of ['libs', 'services']) {
      for (const w of readdirSync(join(ROOT, group))) {
        if (!existsSync(join(ROOT, group, w, 'package.json'))) continue;
        mkdirSync(join(dir, group, w), { recursive: true });
        cpSync(join(ROOT, group, w, 'package.json'), join(dir, group, w, 'package.json'));
      }
    }
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const res = spawnSync(npm, ['ci', '--dry-run', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', '--cache', join(dir, '.npm-cache')], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    const output = `${res.stdout ?? ''}${res.stderr ?? ''}`.split('\n').filter((l) => /^npm error/.test(l)).slice(0, 20).join('\n');
    return { ok: res.status === 0, output: res.status === 0 ? '' : output || `npm ci exited with ${res.status}${res.error ? `: ${res.error.message}` : ''}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const readLockfile = (): { packages: Record<string, { optionalDependencies?: Record<string, string> }> } =>
  JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
