import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ContentSecurityPolicy } from '@closeloop/platform';

/**
 * The SPA's Content-Security-Policy: Vite's build has no inline script or style (one module script and one
 * stylesheet from /assets; React sets styles through the DOM, which style-src does not govern), and the app only
 * talks to its own origin (fetch for /api and the live feed).
 */
export const CONSOLE_CSP: ContentSecurityPolicy = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** Paths the SPA must never shadow. */
export function isServerPath(path: string): boolean {
  return /^\/(api|health|metrics)(\/|$)/.test(path);
}

interface Req {
  method: string;
  path: string;
}
interface Res {
  status(code: number): Res;
  setHeader(name: string, value: string): void;
  send(body: string): void;
  sendFile(path: string, options: { headers: Record<string, string> }, cb: (err?: Error) => void): void;
}

/**
 * Serves the built SPA (services/console/web/dist) with express.static (ETags, ranges, streaming), and index.html
 * for client-side routes. Hashed assets are cached for a year; index.html never, so a deploy is picked up at the
 * next load.
 */
export function serveSpa(app: INestApplication, webDir: string): void {
  const express = app as NestExpressApplication;
  express.useStaticAssets(webDir, {
    index: false,
    redirect: false,
    setHeaders: (res, file) => res.setHeader('cache-control', file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  const indexFile = join(webDir, 'index.html');
  express.use((req: Req, res: Res, next: (err?: unknown) => void) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isServerPath(req.path)) return next();
    if (!existsSync(indexFile)) {
      res.status(503).setHeader('content-type', 'text/plain; charset=utf-8');
      return res.send('The console UI is not built: run `npm run build -w @closeloop/console` (vite build of services/console/web).');
    }
    res.sendFile(indexFile, { headers: { 'cache-control': 'no-cache', 'content-type': 'text/html; charset=utf-8' } }, (err) => err && next(err));
  });
}
