import { stringify } from 'yaml';
import { parseRoutingConfig } from '../parse-routing-config';
import type { RoutingConfigProblem } from '../routing-config';

const TEAM = { id: 'cx', slackChannel: 'C0CX', onCall: ['+905551112233'], sla: { firstResponse: 'PT1H', resolve: 'PT48H' } };
const LEAD = { id: 'lea', name: 'Lea', team: 'cx', role: 'lead', phone: '+905550000009', email: 'lea@example.com', slackUserId: 'U0LEA' };
// SPEC §12's example
const CHAIN = [{ after: 'PT15M', notify: ['oncall-sms'] }, { after: 'PT45M', notify: ['lead-sms', 'lead-email', 'channel-mention'] }];

function parse(team: Record<string, unknown>, agents: unknown[] = [LEAD]) {
  return parseRoutingConfig(stringify({
    defaults: { team: 'cx', alertAt: { nps: 6, csat: 2, ces: 3 } }, teams: [{ ...TEAM, ...team }], agents, rootCauses: ['other'],
  }));
}

function errorsOf(team: Record<string, unknown>, agents?: unknown[]): Pick<RoutingConfigProblem, 'path' | 'message'>[] {
  const r = parse(team, agents);
  if (r.ok) throw new Error('expected the escalation to be rejected');
  return r.errors.map(({ path, message }) => ({ path, message }));
}

describe('routing file: teams[].escalation', () => {
  it('accepts SPEC §12 chain, with durations in ms', () => {
    const r = parse({ escalation: CHAIN, slackUserGroup: 'S0123ABC' });
    if (!r.ok) throw new Error(r.message);
    expect(r.config.teams[0].escalation).toEqual([
      { after: 'PT15M', afterMs: 900_000, notify: ['oncall-sms'] },
      { after: 'PT45M', afterMs: 2_700_000, notify: ['lead-sms', 'lead-email', 'channel-mention'] },
    ]);
    expect(r.config.teams[0].slackUserGroup).toBe('S0123ABC');
  });

  it('is optional: no chain → [] and no user group', () => {
    const r = parse({});
    if (!r.ok) throw new Error(r.message);
    expect(r.config.teams[0].escalation).toEqual([]);
    expect(r.config.teams[0]).not.toHaveProperty('slackUserGroup');
  });

  it('channel-mention is fine with leads that have a slackUserId and no user group', () => {
    expect(parse({ escalation: [{ after: 'PT1M', notify: ['channel-mention'] }] }).ok).toBe(true);
  });

  const at = (s: number, rest = '') => `teams[0].escalation[${s}]${rest}`;
  it.each<[string, Record<string, unknown>, unknown[] | undefined, { path: string; message: string }[]]>([
    ['a duration that is not ISO-8601 and one that is zero', { escalation: [{ after: '15m', notify: ['oncall-sms'] }, { after: 'PT0S', notify: ['oncall-sms'] }] }, undefined, [
      { path: at(0, '.after'), message: expect.stringContaining('ISO-8601') as unknown as string },
      { path: at(1, '.after'), message: 'must be longer than zero ("PT0S")' },
    ]],
    ['steps not strictly increasing (equal, then earlier)', { escalation: [
      { after: 'PT45M', notify: ['oncall-sms'] }, { after: 'PT45M', notify: ['lead-sms'] }, { after: 'PT15M', notify: ['lead-email'] },
    ] }, undefined, [
      { path: at(1, '.after'), message: 'must be later than the step before (PT45M is not after PT45M)' },
      { path: at(2, '.after'), message: 'must be later than the step before (PT15M is not after PT45M)' },
    ]],
    ['an unknown kind with a did-you-mean, a non-string, a repeat and an empty list', { escalation: [
      { after: 'PT1M', notify: ['lead_sms', 7, 'oncall-sms', 'oncall-sms'] }, { after: 'PT2M', notify: [] },
    ] }, undefined, [
      { path: at(0, '.notify[0]'), message: 'unknown kind "lead_sms" — did you mean "lead-sms"? (kinds: oncall-sms, lead-sms, lead-email, channel-mention)' },
      { path: at(0, '.notify[1]'), message: 'unknown kind (got number 7; quote it if it is meant as text) (kinds: oncall-sms, lead-sms, lead-email, channel-mention)' },
      { path: at(0, '.notify[3]'), message: 'duplicate notify kind "oncall-sms" (first at teams[0].escalation[0].notify[2])' },
      { path: at(1, '.notify'), message: 'must name at least one of oncall-sms, lead-sms, lead-email, channel-mention' },
    ]],
    ['missing keys and an unknown one', { escalation: [{ notify: ['oncall-sms'], after: 'PT1M', to: 'x' }, {}] }, undefined, [
      { path: at(0, '.to'), message: 'unknown key (allowed: after, notify)' },
      { path: at(1, '.after'), message: 'is required' },
      { path: at(1, '.notify'), message: 'is required' },
    ]],
    ['lead-sms and lead-email without a lead who has them', { escalation: [{ after: 'PT1M', notify: ['lead-sms', 'lead-email'] }] },
      [{ ...LEAD, phone: undefined, email: undefined }, { ...LEAD, id: 'ayse', slackUserId: 'U0AYSE', role: 'agent' }], [
        { path: at(0, '.notify[0]'), message: 'lead-sms needs a lead with a phone: team cx has leads lea' },
        { path: at(0, '.notify[1]'), message: 'lead-email needs a lead with an email: team cx has leads lea' },
      ]],
    ['a team with no lead at all', { escalation: [{ after: 'PT1M', notify: ['lead-sms'] }] }, [{ ...LEAD, role: 'agent' }], [
      { path: at(0, '.notify[0]'), message: 'lead-sms needs a lead with a phone: team cx has no agent with role lead' },
    ]],
    ['channel-mention without a Slack channel', { slackChannel: undefined, escalation: [{ after: 'PT1M', notify: ['channel-mention'] }] }, undefined, [
      { path: at(0, '.notify[0]'), message: "channel-mention needs the team's slackChannel" },
    ]],
    ['channel-mention with neither a user group nor a lead on Slack', { escalation: [{ after: 'PT1M', notify: ['channel-mention'] }] }, [{ ...LEAD, slackUserId: undefined }], [
      { path: at(0, '.notify[0]'), message: "channel-mention needs the team's slackUserGroup or a lead with a slackUserId: team cx has leads lea" },
    ]],
    ['oncall-sms without on-call numbers', { onCall: [], escalation: [{ after: 'PT1M', notify: ['oncall-sms'] }] }, undefined, [
      { path: at(0, '.notify[0]'), message: 'oncall-sms needs on-call numbers: team cx has no onCall' },
    ]],
    ['a user group that is a handle, and a chain that is not a list', { slackUserGroup: '@cx-leads', escalation: 'PT15M' }, undefined, [
      { path: 'teams[0].slackUserGroup', message: 'must be a Slack user-group id like "S0123ABCD" (got "@cx-leads")' },
      { path: 'teams[0].escalation', message: 'must be a list (got "PT15M")' },
    ]],
  ])('%s', (_name, team, agents, expected) => {
    expect(errorsOf(team, agents)).toEqual(expected);
  });
});
