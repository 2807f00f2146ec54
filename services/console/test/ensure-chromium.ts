import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The browser tests drive an installed Chromium or Google Chrome through playwright-core (which never downloads a
 * browser). Found, in order: `CHROMIUM_PATH`, the usual install paths, then `chromium`, `chromium-browser`,
 * `google-chrome`, `google-chrome-stable` on PATH. Where none is installed and apt can install one (root and
 * apt-get present: CI and these dev machines), Debian's `chromium` package is installed, serialized with flock so
 * parallel test files don't fight over the dpkg lock. Anywhere else the tests stop with a message saying what to do.
 */

export const BROWSER_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

export const USUAL_PATHS: Readonly<Record<string, readonly string[]>> = {
  linux: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable',
    '/opt/google/chrome/chrome', '/snap/bin/chromium'],
  darwin: ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium'],
  win32: ['C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', 'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe'],
};

export interface BrowserLookup {
  env: Record<string, string | undefined>;
  platform: string;
  isExecutable(file: string): boolean;
}

export interface FoundBrowser {
  path: string;
  /** how it was found: `CHROMIUM_PATH`, `usual path` or `PATH` */
  from: string;
}

/** Where the browser is, or undefined. A CHROMIUM_PATH that is not an executable is an error, not a miss. */
export function findChromium({ env, platform, isExecutable }: BrowserLookup): FoundBrowser | undefined {
  const given = env.CHROMIUM_PATH?.trim();
  if (given) {
    if (!isExecutable(given)) throw new Error(`CHROMIUM_PATH=${given} is not an executable file: point it at Chromium's or Chrome's executable, or unset it`);
    return { path: given, from: 'CHROMIUM_PATH' };
  }
  const usual = (USUAL_PATHS[platform] ?? []).find(isExecutable);
  if (usual) return { path: usual, from: 'usual path' };
  const separator = platform === 'win32' ? ';' : ':';
  const dirs = (env.PATH ?? '').split(separator).filter(Boolean);
  for (const name of BROWSER_NAMES) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return { path: candidate, from: 'PATH' };
    }
  }
  return undefined;
}

/** apt can install the browser only as root on a machine that has apt-get. */
export function canInstallWithApt({ env, platform, isExecutable, uid }: BrowserLookup & { uid: number | undefined }): boolean {
  if (platform !== 'linux' || uid !== 0) return false;
  return (env.PATH ?? '').split(':').filter(Boolean).some((dir) => isExecutable(path.join(dir, 'apt-get')));
}

export function notFoundMessage(platform: string): string {
  const looked = [...(USUAL_PATHS[platform] ?? []), ...BROWSER_NAMES.map((n) => `${n} on PATH`)].join(', ');
  return 'The browser tests need Chromium or Google Chrome, and none was found ' +
    `(looked at CHROMIUM_PATH, ${looked}); it can be installed automatically only as root with apt-get. ` +
    'Install one (Debian: apt-get install chromium; Ubuntu: Google Chrome\'s .deb; macOS: Google Chrome or Chromium in /Applications), ' +
    'or set CHROMIUM_PATH to its executable.';
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The browser's executable: found where installed, else installed with apt where that is possible, else a clear error. */
export function ensureChromium(): string {
  const lookup: BrowserLookup = { env: process.env, platform: process.platform, isExecutable };
  const found = findChromium(lookup);
  if (found) return found.path;
  if (!canInstallWithApt({ ...lookup, uid: process.getuid?.() })) throw new Error(notFoundMessage(process.platform));
  process.stderr.write('[browser tests] no Chromium or Chrome installed: installing Debian\'s chromium package with apt-get (takes a minute or two)\n');
  const install = 'test -x /usr/bin/chromium || { apt-get update -q && apt-get install -y -q --no-install-recommends chromium; }';
  const flock = (process.env.PATH ?? '').split(':').map((dir) => path.join(dir, 'flock')).find(isExecutable);
  try {
    execFileSync(flock ?? 'sh', flock ? ['/tmp/closeloop-apt.lock', 'sh', '-c', install] : ['-c', install], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 15 * 60_000,
    });
  } catch (err) {
    throw new Error(`apt-get could not install chromium (${err instanceof Error ? err.message.split('\n')[0] : err}). ${notFoundMessage(process.platform)}`);
  }
  const installed = findChromium(lookup);
  if (!installed) throw new Error(`apt-get install chromium finished but no browser was found. ${notFoundMessage(process.platform)}`);
  return installed.path;
}

/** How the tests launch it: headless, no sandbox (root in a container), and nothing that phones home. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
