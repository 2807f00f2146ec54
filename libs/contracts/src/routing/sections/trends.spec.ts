import { stringify } from 'yaml';
import { parseRoutingConfig } from '../parse-routing-config';

const REST = {
  defaults: { team: 'cx', alertAt: { nps: 6, csat: 2, ces: 3 } },
  teams: [{ id: 'cx', sla: { firstResponse: 'PT1H', resolve: 'PT48H' } }],
  rootCauses: ['other'],
};
const TRENDS = { window: 'PT1H', minNegatives: 5, factor: 3, by: ['touchpoint', 'attributes.store'] };
const DIGEST = { at: '09:00', timezone: 'Europe/Istanbul' };

function errorsOf(extra: Record<string, unknown>): { path: string; message: string }[] {
  const r = parseRoutingConfig(stringify({ ...REST, ...extra }));
  if (r.ok) throw new Error('expected the file to be rejected');
  return r.errors.map(({ path, message }) => ({ path, message }));
}

describe('routing file: trends and digest', () => {
  it('accepts both sections as the SPEC writes them', () => {
    const r = parseRoutingConfig(stringify({ ...REST, trends: TRENDS, digest: DIGEST }));
    if (!r.ok) throw new Error(r.message);
    expect(r.config.trends).toEqual({ ...TRENDS, windowMs: 3_600_000 });
    expect(r.config.digest).toEqual(DIGEST);
  });

  it('both are optional', () => {
    const r = parseRoutingConfig(stringify(REST));
    if (!r.ok) throw new Error(r.message);
    expect(r.config.trends).toBeUndefined();
    expect(r.config.digest).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, { path: string; message: string }[]]>([
    ['every bad trends field at once', { trends: { window: '1h', minNegatives: 0, factor: 0.5, by: ['store', 'touchpoint', 'touchpoint'] } }, [
      { path: 'trends.window', message: expect.stringContaining('1h') },
      { path: 'trends.minNegatives', message: 'must be an integer of at least 1 (got number 0; quote it if it is meant as text)' },
      { path: 'trends.factor', message: 'must be a number of at least 1 (got number 0.5; quote it if it is meant as text)' },
      { path: 'trends.by[0]', message: 'must be "touchpoint" or "attributes.<name>" (got "store")' },
      { path: 'trends.by[2]', message: 'duplicate key "touchpoint" (first at trends.by[1])' },
    ]],
    ['missing keys and an unknown one', { trends: { windw: 'PT1H' } }, [
      { path: 'trends.window', message: 'is required' },
      { path: 'trends.minNegatives', message: 'is required' },
      { path: 'trends.factor', message: 'is required' },
      { path: 'trends.by', message: 'is required' },
      { path: 'trends.windw', message: expect.stringContaining('did you mean "window"') },
    ]],
    ['an empty by and a window over a day', { trends: { ...TRENDS, window: 'P2D', by: [] } }, [
      { path: 'trends.window', message: 'must be at most a day ("P2D"); the baseline is the same window over 7 days' },
      { path: 'trends.by', message: 'must list at least one key (touchpoint or attributes.<name>)' },
    ]],
    ['a digest time and zone that do not exist', { digest: { at: '9am', timezone: 'Mars/Olympus' } }, [
      { path: 'digest.at', message: 'must be a time "HH:MM" from 00:00 to 23:59 (got "9am")' },
      { path: 'digest.timezone', message: 'unknown time zone "Mars/Olympus"; expected an IANA name like "Europe/Istanbul"' },
    ]],
    ['a digest without its keys', { digest: {} }, [
      { path: 'digest.at', message: 'is required' },
      { path: 'digest.timezone', message: 'is required' },
    ]],
  ])('%s', (_name, extra, expected) => {
    expect(errorsOf(extra)).toEqual(expected);
  });
});
