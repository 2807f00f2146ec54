import { parseRoutingConfig } from '@closeloop/contracts';
import { decodeCursor, encodeCursor, parseListQuery } from './list-query';

const parsed = parseRoutingConfig(`
defaults: { team: cx, alertAt: { nps: 6, csat: 2, ces: 3 } }
teams:
  - { id: cx, onCall: [], sla: { firstResponse: PT1H, resolve: PT48H } }
  - { id: support, onCall: [], sla: { firstResponse: PT2H, resolve: P3D } }
agents:
  - { id: ayse, name: "Ayşe", team: cx }
rootCauses: [other]
`);
if (!parsed.ok) throw new Error(parsed.message);
const routing = parsed.config;

describe('cursor', () => {
  it('round-trips and is opaque', () => {
    const p = { openedAtUs: '1795460000123456', id: '6f1c1f3e-3a2b-4c5d-8e9f-0a1b2c3d4e5f' };
    const c = encodeCursor(p);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c)).toEqual(p);
  });
  it.each(['garbage', '', Buffer.from('[1,2]').toString('base64url'), Buffer.from('["12","not-a-uuid"]').toString('base64url'),
    Buffer.from('["1e5","6f1c1f3e-3a2b-4c5d-8e9f-0a1b2c3d4e5f"]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url')])(
    'rejects %p', (c) => expect(decodeCursor(c)).toBeNull());
});

describe('parseListQuery', () => {
  it.each<[string, Record<string, string>, unknown]>([
    ['no filters', {}, { filter: {}, limit: 50, after: null }],
    ['several statuses, deduplicated', { status: 'open,claimed,open' }, { filter: { statuses: ['open', 'claimed'] } }],
    ['severity list', { severity: 'critical,high' }, { filter: { severities: ['critical', 'high'] } }],
    ['known team', { team: 'support' }, { filter: { team: 'support' } }],
    ['assignee=me is the caller', { assignee: 'me' }, { filter: { assignee: 'ayse' } }],
    ['assignee=none is unassigned', { assignee: 'none' }, { filter: { assignee: null } }],
    ['assignee by id', { assignee: 'ayse' }, { filter: { assignee: 'ayse' } }],
    ['touchpoints are free-form (unlisted ones belong to the default team)', { touchpoint: 'kiosk' }, { filter: { touchpoint: 'kiosk' } }],
    ['customer', { customer: 'c-42' }, { filter: { customer: 'c-42' } }],
    ['limit', { limit: '200' }, { limit: 200 }],
  ])('%s', (_name, q, expected) => {
    const r = parseListQuery(q, routing, 'ayse');
    expect(r).toMatchObject({ ok: true, ...(expected as object) });
  });

  it('names every bad field', () => {
    const r = parseListQuery({ team: 'nope', assignee: 'ghost', limit: '0', cursor: 'x' }, routing, 'ayse');
    expect(r).toEqual({
      ok: false,
      errors: [
        { field: 'team', message: 'unknown team "nope" (teams: cx, support)' },
        { field: 'assignee', message: 'unknown agent "ghost" (use an agent id, "me" or "none")' },
        { field: 'limit', message: 'must be an integer from 1 to 200' },
        { field: 'cursor', message: 'is not a cursor returned by this API (use nextCursor as is)' },
      ],
    });
  });
});
