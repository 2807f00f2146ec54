import helmet from 'helmet';

export type ContentSecurityPolicy = Record<string, string[]>;

/**
 * The services answer JSON (and ingest its Swagger UI at /docs, whose page has an inline <style>): helmet's defaults
 * without `upgrade-insecure-requests`, which would send a plain-HTTP deployment's own assets to https.
 */
export const API_CSP: ContentSecurityPolicy = {
  'default-src': ["'self'"],
  'base-uri': ["'none'"],
  'frame-ancestors': ["'none'"],
  'form-action': ["'self'"],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
};

/** Security headers of every service (helmet): CSP, nosniff, frame denial, referrer policy, CORP/COOP, no X-Powered-By. */
export function securityHeaders(csp: ContentSecurityPolicy = API_CSP) {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: csp },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
