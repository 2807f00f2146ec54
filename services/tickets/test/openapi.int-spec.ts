// SPEC §12: the OpenAPI document of the agent API at /docs and /docs-json documents every route Nest registers.
import { DataSource } from 'typeorm';
import { registeredRoutes } from '@closeloop/testing';
import { RunningTickets, dropSchema, migrate, startApp, testEnvironment } from './harness';

const { cfg, schema } = testEnvironment('openapi');
let ds: DataSource;
let svc: RunningTickets;

beforeAll(async () => {
  ds = await migrate(cfg);
  svc = await startApp(cfg);
});

afterAll(async () => {
  await svc?.app.close();
  await dropSchema(ds, schema);
});

it('every route Nest registers is in /docs-json; each /v1 route has its success answer, 401, and problem+json errors', async () => {
  const res = await fetch(`${svc.url}/docs-json`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { paths: Record<string, Record<string, { responses: Record<string, any>; requestBody?: unknown }>>; components: any };
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`)).sort();
  const routes = registeredRoutes(svc.app);
  expect(routes).toContain('POST /v1/tickets/:id/assign');
  expect(routes).toContain('GET /v1/tickets/export.csv');
  for (const r of routes) expect(documented).toContain(r);

  for (const r of routes.filter((x) => x.includes('/v1/'))) {
    const [method, path] = r.split(' ');
    const op = doc.paths[path.replace(/:(\w+)/g, '{$1}')][method.toLowerCase()];
    const ok = Object.keys(op.responses).filter((s) => s.startsWith('2'));
    expect({ r, ok: ok.length }).toEqual({ r, ok: 1 });
    expect({ r, documented: Boolean(op.responses[ok[0]].content ?? op.responses[ok[0]].schema) }).toEqual({ r, documented: true });
    expect(op.responses['401'].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
    for (const s of Object.keys(op.responses).filter((x) => x.startsWith('4'))) expect(op.responses[s].content).toHaveProperty(['application/problem+json']);
    // claim and erase take no body
    if (method === 'POST' && !path.endsWith('/claim') && !path.endsWith('/erase')) expect({ r, body: op.requestBody !== undefined }).toEqual({ r, body: true });
  }
  // every $ref names a schema the document has
  const refs = [...JSON.stringify(doc).matchAll(/#\/components\/schemas\/(\w+)/g)].map((m) => m[1]);
  for (const name of new Set(refs)) expect(doc.components.schemas).toHaveProperty([name]);
  expect(doc.paths['/v1/tickets/{id}/assign'].post.responses['422']).toBeDefined();
});

it('/docs serves Swagger UI without a token', async () => {
  const res = await fetch(`${svc.url}/docs`);
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('Closeloop agent API');
});
