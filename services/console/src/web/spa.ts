import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

interface Req {
  method: string;
  path: string;
}
interface Res {
  status(code: number): Res;
  setHeader(name: string, value: string): void;
  send(body: Buffer | string): void;
}

/** Paths the SPA must never shadow. */
export function isServerPath(path: string): boolean {
  return /^\/(api|health|metrics)(\/|$)/.test(path);
}

/**
 * Serves the built SPA (services/console/web/dist): a file if it exists, else index.html for client-side routes.
 * Hashed assets are cached for a year; index.html never, so a deploy is picked up at the next load.
 */
export function spaMiddleware(webDir: string) {
  const root = normalize(webDir + sep);
  const indexFile = join(root, 'index.html');
  return (req: Req, res: Res, next: () => void) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isServerPath(req.path)) return next();
    let file: string;
    try {
      file = normalize(join(root, decodeURIComponent(req.path)));
    } catch {
      return next();
    }
    if (!file.startsWith(root)) return next();
    const isFile = existsSync(file) && statSync(file).isFile();
    const target = isFile ? file : indexFile;
    if (!existsSync(target)) {
      res.status(503).setHeader('content-type', 'text/plain; charset=utf-8');
      return res.send('The console UI is not built: run `npm run build -w @closeloop/console` (vite build of services/console/web).');
    }
    res.setHeader('content-type', TYPES[extname(target)] ?? 'application/octet-stream');
    res.setHeader('cache-control', isFile && target.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.status(200).send(readFileSync(target));
  };
}
