import { createServer, Server } from 'node:http';
import { chromium } from 'playwright-core';
import { AddressInfo } from 'node:net';
import { PROBE_TTL_MS } from '../src/ops/service-probes';
import { ADMIN_TOKEN, AGENT_TOKEN, OTHER_TOKEN, startTestConsole } from './console-harness';
import { CHROMIUM_ARGS, ensureChromium } from './ensure-chromium';
import { ensureConsoleWebBuilt } from './ensure-web';

/** A stand-in for the other services: counts how often the console asks their /health/ready. */
async function countingService(): Promise<{ server: Server; url: string; readyCalls: () => number }> {
  let calls = 0;
  const server = createServer((req, res) => {
    if (req.url === '/health/ready') calls++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","details":{"kafka":{"status":"up"}}}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, readyCalls: () => calls };
}

/** Issue 9 §5 on the console: ops health behind the token and bounded, security headers, live-feed cap, deep bodies, sign-in throttling. */
describe('console security', () => {
  let c: Awaited<ReturnType<typeof startTestConsole>>;
  let svc: Awaited<ReturnType<typeof countingService>>;

  beforeAll(async () => {
    svc = await countingService();
    c = await startTestConsole('consolesec', {
      CONSOLE_WEB_DIR: ensureConsoleWebBuilt(),
      TICKETS_URL: 'http://127.0.0.1:9',
      SERVICE_URLS: ['tickets', 'notification', 'ingest', 'scoring'].map((s) => `${s}=${svc.url}`).join(','),
    });
  });
  afterAll(async () => {
    await c?.app.close();
    await new Promise((r) => svc?.server.close(r));
  });

  it('answers /api/ops/health only to a signed-in agent, and asks each service at most once per probe round however often it is called', async () => {
    const none = await c.api('/api/ops/health', { token: null });
    expect([none.status, none.type]).toEqual([401, expect.stringContaining('application/problem+json')]);
    expect(svc.readyCalls()).toBe(0);

    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 20 }, () => c.api('/api/ops/health')));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(answers[0].body.services.map((s: { status: string }) => s.status)).toEqual(['up', 'up', 'up', 'up']);
    for (let i = 0; i < 10; i++) expect((await c.api('/api/ops/health')).status).toBe(200);
    // four services, one round per PROBE_TTL_MS: not 4 × 30 (however slow this machine is today)
    const rounds = 1 + Math.floor((performance.now() - started) / PROBE_TTL_MS);
    expect(svc.readyCalls()).toBeLessThanOrEqual(4 * rounds);
  });

  it('sends security headers, and a CSP the built SPA lives with (no inline script anywhere in it)', async () => {
    for (const path of ['/', '/tickets/some-id', '/api/me', '/health/live']) {
      const res = await fetch(`${c.base}${path}`, { headers: { authorization: `Bearer ${AGENT_TOKEN}` } });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
    const html = await (await fetch(`${c.base}/`)).text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc="\/assets\//);
      expect(body.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b|\sstyle="|\son[a-z]+="/i);
    // the assets come from the same origin, with their type and the long cache
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const js = await fetch(`${c.base}${asset}`);
    expect([js.status, js.headers.get('content-type'), js.headers.get('cache-control')]).toEqual([200, expect.stringContaining('javascript'), 'public, max-age=31536000, immutable']);
    expect((await fetch(`${c.base}/`)).headers.get('cache-control')).toBe('no-cache');
  });

  it('runs the SPA in Chromium under that CSP without a single violation: sign-in, inbox, ops (charts), reports', async () => {
    const browser = await chromium.launch({ executablePath: ensureChromium(), args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/content security policy/i.test(m.text())) violations.push(m.text());
      });
      page.on('pageerror', (e) => violations.push(`page error: ${e.message}`));
      await page.addInitScript({
        content: "document.addEventListener('securitypolicyviolation', (e) => console.error('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI));",
      });
      await page.goto(`${c.base}/`);
      await page.fill('input[name=token]', ADMIN_TOKEN);
      await page.click('button[type=submit]');
      await page.click('a[href="/ops"]');
      await page.locator('h2', { hasText: 'Services' }).waitFor();
      await page.locator('svg').first().waitFor();
      await page.click('a[href="/reports"]');
      await page.locator('h1', { hasText: 'Reports' }).waitFor();
      // the stylesheet applied (not blocked): the body does not have the browser's default 8px margin
      expect(await page.evaluate('getComputedStyle(document.body).margin')).not.toBe('8px');
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('caps live streams per agent (429 beyond 5) and frees a slot when a stream closes', async () => {
    const open = (token: string) => {
      const ac = new AbortController();
      return fetch(`${c.base}/api/live`, { headers: { authorization: `Bearer ${token}` }, signal: ac.signal }).then((res) => ({ res, close: () => ac.abort() }));
    };
    const streams = await Promise.all(Array.from({ length: 5 }, () => open(AGENT_TOKEN)));
    expect(streams.map((s) => s.res.status)).toEqual([200, 200, 200, 200, 200]);
    const sixth = await open(AGENT_TOKEN);
    expect([sixth.res.status, sixth.res.headers.get('content-type'), sixth.res.headers.get('retry-after')]).toEqual([429, expect.stringContaining('application/problem+json'), '30']);
    const other = await open(OTHER_TOKEN);
    expect(other.res.status).toBe(200);
    other.close();
    streams[0].close();
    const again = await (async () => {
      for (let i = 0; i < 100; i++) {
        const s = await open(AGENT_TOKEN);
        if (s.res.status === 200) return s;
        await s.res.body?.cancel();
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('no slot freed');
    })();
    again.close();
    for (const s of streams.slice(1)) s.close();
  });

  it('answers a deeply nested body with a 400 naming the field, not a 500', async () => {
    const depth = 40_000; // 80 kB: under the JSON parser's 100 kB limit
    const res = await c.api('/api/tickets/00000000-0000-4000-8000-000000000000/notes', {
      method: 'POST',
      body: `{"text":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    });
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    expect(res.body.errors).toEqual([{ field: expect.stringMatching(/^text\[0\]\[0\]/), message: 'is nested deeper than 32 levels' }]);
  });

  it('throttles failed sign-ins per address: 429 with Retry-After, even for the right token (per-address accounting: libs/platform auth-throttle.spec)', async () => {
    // its own console, so its own throttle budget: whatever the tests before sent from 127.0.0.1 does not count,
    // and the lock-out it ends with goes away with this instance instead of refusing the tests after it
    const t = await startTestConsole('consolethrottle');
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await t.api('/api/me', { token: `guess-${i}-0123456789abcdef` })).status);
      expect(statuses).toEqual(Array(10).fill(401));
      const refused = await fetch(`${t.base}/api/me`, { headers: { authorization: `Bearer ${AGENT_TOKEN}` } });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await refused.json()).toMatchObject({ status: 429, detail: expect.stringMatching(/too many failed sign-ins/) });
    } finally {
      await t.app.close();
    }
  });
});
