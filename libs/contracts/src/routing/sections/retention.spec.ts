import { stringify } from 'yaml';
import { parseRoutingConfig } from '../parse-routing-config';

const REST = {
  defaults: { team: 'cx', alertAt: { nps: 6, csat: 2, ces: 3 } },
  teams: [{ id: 'cx', sla: { firstResponse: 'PT1H', resolve: 'PT48H' } }],
  rootCauses: ['other'],
};
const DAY = 24 * 3_600_000;

function parsed(extra: Record<string, unknown>) {
  const r = parseRoutingConfig(stringify({ ...REST, ...extra }));
  if (!r.ok) throw new Error(r.message);
  return r.config;
}

function errorsOf(extra: Record<string, unknown>): { path: string; message: string }[] {
  const r = parseRoutingConfig(stringify({ ...REST, ...extra }));
  if (r.ok) throw new Error('expected the file to be rejected');
  return r.errors.map(({ path, message }) => ({ path, message }));
}

describe('routing file: retention (SPEC §13)', () => {
  it('accepts the section as the SPEC writes it', () => {
    expect(parsed({ retention: { resolvedTickets: 'P365D', feedback: 'P180D', sourcePayloads: 'P30D' } }).retention).toEqual({
      resolvedTickets: { text: 'P365D', ms: 365 * DAY }, feedback: { text: 'P180D', ms: 180 * DAY }, sourcePayloads: { text: 'P30D', ms: 30 * DAY },
    });
  });

  it('is optional, and so is each kind (a kind not named is kept until erased)', () => {
    expect(parsed({}).retention).toBeUndefined();
    expect(parsed({ retention: { sourcePayloads: 'P2W' } }).retention).toEqual({ sourcePayloads: { text: 'P2W', ms: 14 * DAY } });
    expect(parsed({ retention: {} }).retention).toEqual({});
  });

  it.each<[string, unknown, { path: string; message: string }[]]>([
    ['not a duration', { feedback: '180 days' }, [{ path: 'retention.feedback', message: expect.stringContaining('180 days') }]],
    ['shorter than a day', { sourcePayloads: 'PT12H' }, [{ path: 'retention.sourcePayloads', message: 'must be at least a day ("PT12H"); retention is applied daily' }]],
    ['zero', { resolvedTickets: 'P0D' }, [{ path: 'retention.resolvedTickets', message: 'must be longer than zero ("P0D")' }]],
    ['an unknown kind', { notes: 'P30D' }, [{ path: 'retention.notes', message: 'unknown key (allowed: resolvedTickets, feedback, sourcePayloads)' }]],
    ['not a mapping', 'P30D', [{ path: 'retention', message: expect.any(String) }]],
  ])('rejects %s', (_name, retention, errors) => {
    expect(errorsOf({ retention })).toEqual(errors);
  });
});
