import { DataSource } from 'typeorm';
import { RunningTickets, TOKENS, api, dropSchema, migrate, startApp, testEnvironment } from './harness';

/** Issue 9 §5 on the agent API: the report window is bounded, failed bearer tokens are throttled per address. */
const { cfg, schema } = testEnvironment('apilimits');
let ds: DataSource;
let svc: RunningTickets;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  ds = await migrate(cfg);
  svc = await startApp(cfg);
  call = api(svc.url);
});
afterAll(async () => {
  await svc?.app.close();
  await dropSchema(ds, schema);
});

it('refuses a report window longer than 366 days with a 400 naming the field; 366 days is fine', async () => {
  const long = await call('GET', '/v1/reports/summary?from=2020-01-01&to=2026-01-01', { as: 'dewi' });
  expect(long.status).toBe(400);
  expect(long.body).toMatchObject({ status: 400, errors: [{ field: 'from', message: 'must be at most 366 days before to' }] });
  expect((await call('GET', '/v1/reports/summary?from=2024-01-01&to=2025-01-01', { as: 'dewi' })).status).toBe(200);
});

it('throttles failed bearer tokens per address: 429 with Retry-After and problem+json, even for a valid token', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) statuses.push((await call('GET', '/v1/me', { token: `wrong-token-${i}-0123456789` })).status);
  expect(statuses).toEqual(Array(10).fill(401));
  const res = await fetch(`${svc.url}/v1/me`, { headers: { authorization: `Bearer ${TOKENS.ayse}` } });
  expect(res.status).toBe(429);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
});
