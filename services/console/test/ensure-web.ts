import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const WEB = path.resolve(__dirname, '../web');
/** The module of contracts the SPA bundles (its catalogs and translator): a changed text is a changed SPA. */
const I18N = path.resolve(__dirname, '../../../libs/contracts/src/i18n');

function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    const p = path.join(dir, e.name);
    return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);
}

/** Builds the SPA (vite build → web/dist) when it is missing or older than its sources, so browser tests test this code. */
export function ensureConsoleWebBuilt(): string {
  const index = path.join(WEB, 'dist', 'index.html');
  const sourcesAt = Math.max(newest(path.join(WEB, 'src')), newest(I18N), statSync(path.join(WEB, 'index.html')).mtimeMs, statSync(path.join(WEB, 'vite.config.mjs')).mtimeMs);
  if (!existsSync(index) || statSync(index).mtimeMs < sourcesAt) {
    const vite = path.resolve(__dirname, '../../../node_modules/.bin/vite');
    execFileSync(vite, ['build', '--config', path.join(WEB, 'vite.config.mjs'), '--logLevel', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 180_000 });
  }
  return path.join(WEB, 'dist');
}
