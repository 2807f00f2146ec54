import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The browser tests drive Debian's Chromium through playwright-core (which never downloads a browser).
 * If it is missing, install the distribution package — the one way to get a browser on these machines, which
 * reach Debian's archive but no browser CDN. Needs root (CI and the dev machines run as root); serialized with
 * flock so parallel test files don't fight over the dpkg lock.
 */
export function ensureChromium(path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'): string {
  if (existsSync(path)) return path;
  if (process.getuid?.() !== 0) {
    throw new Error(`Chromium not found at ${path}: install Debian's "chromium" package (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  process.stderr.write(`[browser tests] ${path} missing: installing Debian's chromium package with apt-get (takes a minute or two)\n`);
  const install = `test -x ${JSON.stringify(path)} || { apt-get update -q && apt-get install -y -q --no-install-recommends chromium; }`;
  execFileSync('flock', ['/tmp/closeloop-apt.lock', 'sh', '-c', install], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 15 * 60_000,
  });
  if (!existsSync(path)) throw new Error(`apt-get install chromium finished but ${path} does not exist`);
  return path;
}

/** How the tests launch it: headless, no sandbox (root in a container), and nothing that phones home. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
