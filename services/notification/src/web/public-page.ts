import { textDirection, type Locale } from '@closeloop/contracts';
import type { HttpResponse } from '../http';

/**
 * The pages customers open from our messages (recheck, unsubscribe): one small HTML document, in their language,
 * right to left where the language is, no JavaScript, nothing cached, no referrer (the URL holds a capability).
 */
export function publicPage(p: { lang: Locale; title: string; body: string[] }): string {
  return [
    '<!doctype html>',
    `<html lang="${p.lang}" dir="${textDirection(p.lang)}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${esc(p.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<h1>${esc(p.title)}</h1>`,
    ...p.body.filter((l) => l !== ''),
    '</main>',
    '</body>',
    '</html>',
  ].join('\n');
}

export function sendPublicPage(res: HttpResponse, status: number, html: string): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Robots-Tag', 'noindex');
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
  res.status(status).type('text/html; charset=utf-8').send(html);
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const STYLE = [
  'body{font-family:system-ui,sans-serif;margin:0;padding:1.5rem;color:#1b1b1b;background:#fafafa}',
  'main{max-width:36rem;margin:0 auto}',
  'fieldset{border:0;padding:0;margin:0 0 1rem}',
  'legend{font-size:1.1rem;margin-bottom:.75rem}',
  '.scale{display:flex;flex-wrap:wrap;gap:.35rem}',
  '.scale label{display:flex;flex-direction:column;align-items:center;min-width:2.4rem;padding:.35rem;border:1px solid #bbb;border-radius:.4rem;background:#fff;cursor:pointer}',
  '.ends{display:flex;justify-content:space-between;font-size:.85rem;color:#555}',
  'button{font-size:1rem;padding:.6rem 1.4rem}',
  '.error{color:#a00000}',
].join('');
