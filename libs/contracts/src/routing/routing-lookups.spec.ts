import { parseRoutingConfig } from './parse-routing-config';
import type { QuietHours, RoutingConfig } from './routing-config';
import { agentById, agentBySlackUserId, alertThresholdFor, isInQuietHours, teamById, teamTimeZone, teamFor, touchpointById } from './routing-lookups';

const result = parseRoutingConfig(`
defaults: { team: cx, alertAt: { nps: 6, csat: 2, ces: 3 } }
teams:
  - { id: cx, slackChannel: C0CX, sla: { firstResponse: PT1H, resolve: PT48H } }
  - { id: support, sla: { firstResponse: PT2H, resolve: P3D } }
touchpoints:
  - { id: checkout, team: support, alertAt: { nps: 5 } }
  - { id: support-call, team: support, alertAt: { csat: 3, ces: 4 } }
  - { id: dine-in, team: cx }
agents:
  - { id: ayse, name: "Ayşe Yılmaz", team: cx, slackUserId: U0AYSE }
  - { id: noa, name: "Noa Levi", team: support }
rootCauses: [other]
`);
if (!result.ok) throw new Error(result.message);
const config: RoutingConfig = result.config;

describe('routing lookups', () => {
  it.each([
    ['checkout', 'support'],
    ['support-call', 'support'],
    ['dine-in', 'cx'],
    ['not-listed', 'cx'], // defaults.team
  ])('teamFor(%s) → %s', (touchpoint, team) => {
    expect(teamFor(config, touchpoint).id).toBe(team);
  });

  it.each([
    ['checkout', 'nps', 5], // override
    ['checkout', 'csat', 2], // not overridden → default
    ['support-call', 'csat', 3],
    ['support-call', 'ces', 4],
    ['support-call', 'nps', 6],
    ['dine-in', 'ces', 3], // listed without overrides
    ['not-listed', 'nps', 6],
  ] as const)('alertThresholdFor(%s, %s) → %d', (touchpoint, metric, threshold) => {
    expect(alertThresholdFor(config, touchpoint, metric)).toBe(threshold);
  });

  it('finds agents by id and by Slack user id', () => {
    expect(agentById(config, 'ayse')?.name).toBe('Ayşe Yılmaz');
    expect(agentById(config, 'nobody')).toBeUndefined();
    expect(agentBySlackUserId(config, 'U0AYSE')?.id).toBe('ayse');
    expect(agentBySlackUserId(config, 'U0UNKNOWN')).toBeUndefined();
  });

  it('finds teams and touchpoints by id', () => {
    expect(teamById(config, 'cx')?.slackChannel).toBe('C0CX');
    expect(teamById(config, 'sales')).toBeUndefined();
    expect(touchpointById(config, 'checkout')?.alertAt).toEqual({ nps: 5 });
    expect(touchpointById(config, 'web')).toBeUndefined();
  });

  it('teamFor fails loudly on a config that skipped validation', () => {
    const broken: RoutingConfig = { ...config, defaults: { ...config.defaults, team: 'ghost' } };
    expect(() => teamFor(broken, 'not-listed')).toThrow('routing config has no team "ghost"');
  });
});

describe('isInQuietHours', () => {
  const istanbulNights: QuietHours = { start: '22:00', end: '07:00', timezone: 'Europe/Istanbul' }; // UTC+3, no DST
  const lunch: QuietHours = { start: '12:00', end: '13:30', timezone: 'UTC' };
  const newYork: QuietHours = { start: '22:00', end: '07:00', timezone: 'America/New_York' };

  it.each([
    [istanbulNights, '2026-11-23T18:59:00Z', false], // 21:59 local
    [istanbulNights, '2026-11-23T19:00:00Z', true], // 22:00 local, start is inclusive
    [istanbulNights, '2026-11-23T21:00:00Z', true], // 00:00 local
    [istanbulNights, '2026-11-24T03:59:00Z', true], // 06:59 local
    [istanbulNights, '2026-11-24T04:00:00Z', false], // 07:00 local, end is exclusive
    [istanbulNights, '2026-11-24T09:00:00Z', false], // noon
    [lunch, '2026-11-23T11:59:59Z', false],
    [lunch, '2026-11-23T12:00:00Z', true],
    [lunch, '2026-11-23T13:29:00Z', true],
    [lunch, '2026-11-23T13:30:00Z', false],
    [newYork, '2026-07-01T02:30:00Z', true], // 22:30 EDT (UTC-4)
    [newYork, '2026-01-01T02:30:00Z', false], // 21:30 EST (UTC-5)
    [undefined, '2026-11-23T21:00:00Z', false],
  ])('%j at %s → %s', (quietHours, at, expected) => {
    expect(isInQuietHours(quietHours, new Date(at))).toBe(expected);
  });
});

describe('teamTimeZone (SPEC §14: the dates of a team\'s alerts)', () => {
  const quietHours: QuietHours = { start: '22:00', end: '07:00', timezone: 'Asia/Jakarta' };
  it.each([
    ['its own time zone first', { timezone: 'Asia/Jerusalem', quietHours }, 'Asia/Jerusalem'],
    ['else the quiet hours\' time zone', { quietHours }, 'Asia/Jakarta'],
    ['else UTC', {}, 'UTC'],
  ] as const)('%s', (_, team, expected) => {
    expect(teamTimeZone(team)).toBe(expected);
  });
});
