// SPEC §12: GET /v1/tickets/export.csv — every filter of the list, all pages, RFC 4180, UTF-8 with a BOM.
import { DataSource } from 'typeorm';
import { Topic } from '@closeloop/contracts';
import { RunningTickets, TOKENS, TestBus, api, dropSchema, migrate, scoredEvent, startApp, testEnvironment, ticketIdFor } from './harness';

const { cfg, kafka, schema } = testEnvironment('export');
const bus = new TestBus(kafka);
let ds: DataSource;
let svc: RunningTickets;

/** An RFC 4180 reader written for this test (independent of the writer in src/export/csv.ts). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"') { quoted = true; i++; continue; }
    if (c === ',') { record.push(field); field = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { record.push(field); records.push(record); record = []; field = ''; i += 2; continue; }
    if (c === '\n' || c === '\r') throw new Error(`a bare line break outside quotes at ${i}`);
    field += c; i++;
  }
  if (field !== '' || record.length) throw new Error('the last record does not end in CRLF');
  return records;
}

const COMMENTS = [
  'Slow, and the waiter said "not my table"\nthen left. השירות היה גרוע',
  '=HYPERLINK("http://evil.test","click")',
  'Kasada çok bekledim · 服务太慢',
];

beforeAll(async () => {
  ds = await migrate(cfg);
  svc = await startApp(cfg);
  await bus.start();
  // team support (checkout): three tickets, one of them claimed; and one of team cx that no filter of support shows
  for (const [i, comment] of COMMENTS.entries()) {
    await bus.publish(Topic.FeedbackScored, `c-exp-${i}`, scoredEvent({ externalId: `exp-${i}`, customerId: `c-exp-${i}`, comment, severity: i === 0 ? 'high' : 'normal' }));
  }
  await bus.publish(Topic.FeedbackScored, 'c-exp-cx', scoredEvent({ externalId: 'exp-cx', customerId: 'c-exp-cx', touchpoint: 'dine-in', team: 'cx' }));
  for (const id of [...COMMENTS.keys()].map((i) => ticketIdFor(`exp-${i}`)).concat(ticketIdFor('exp-cx'))) {
    await bus.waitForEvent((e) => e.type === 'ticket.opened' && e.data.ticket.id === id, `opened ${id}`);
  }
  expect((await api(svc.url, 'noa')('POST', `/v1/tickets/${ticketIdFor('exp-1')}/claim`)).status).toBe(200);
});

afterAll(async () => {
  await bus.stop();
  await svc?.app.close();
  await dropSchema(ds, schema);
});

async function exportCsv(query: string, as: keyof typeof TOKENS = 'wei') {
  const res = await fetch(`${svc.url}/v1/tickets/export.csv${query}`, { headers: { authorization: `Bearer ${TOKENS[as]}` } });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

it.each([
  ['no filter (a lead: their team)', ''],
  ['status=open', '?status=open'],
  ['severity=high', '?severity=high'],
  ['assignee=noa', '?assignee=noa'],
  ['touchpoint=checkout&status=open,claimed', '?touchpoint=checkout&status=open,claimed'],
])('%s: the CSV parsed back equals the API’s list with the same filter', async (_name, query) => {
  const { res, bytes } = await exportCsv(query);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
  expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="tickets-\d{4}-\d{2}-\d{2}\.csv"$/);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM
  const [header, ...rows] = parseCsv(bytes.toString('utf8').slice(1));
  expect(header).toEqual(['id', 'status', 'severity', 'team', 'touchpoint', 'customer id', 'metric', 'score', 'comment', 'assignee', 'openedAt', 'claimedAt', 'resolvedAt', 'rootCause']);

  const list = await api(svc.url, 'wei')('GET', `/v1/tickets${query}${query ? '&' : '?'}limit=200`);
  expect(list.status).toBe(200);
  const formula = (s: string | null) => (s !== null && /^[=+\-@\t\r]/.test(s) ? `'${s}` : (s ?? ''));
  expect(rows).toEqual(list.body.items.map((t: any) => [
    t.id, t.status, t.severity, t.team, t.touchpoint, t.customer.id, t.metric, String(t.score), formula(t.comment), t.assignee?.id ?? '',
    t.openedAt, t.claimedAt ?? '', t.resolvedAt ?? '', t.rootCause ?? '',
  ]));
  expect(rows.length).toBeGreaterThan(0);
});

it('the comma, quote, newline and Hebrew come back intact; a formula stays text', async () => {
  const { bytes } = await exportCsv('');
  const rows = parseCsv(bytes.toString('utf8').slice(1));
  const comments = rows.map((r) => r[8]);
  expect(comments).toEqual(expect.arrayContaining([COMMENTS[0], `'${COMMENTS[1]}`, COMMENTS[2]]));
  expect(rows.some((r) => r[3] === 'cx')).toBe(false);
});

it('an agent gets 403 naming the roles; a bad filter is 400 like the list’s', async () => {
  const byAgent = await exportCsv('', 'noa');
  expect(byAgent.res.status).toBe(403);
  expect(JSON.parse(byAgent.bytes.toString()).requiredRoles).toEqual(['lead', 'admin']);
  expect((await exportCsv('?status=lost')).res.status).toBe(400);
});
