import type { Metric } from '../scales';
import type { Agent, QuietHours, RoutingConfig, Team, Touchpoint } from './routing-config';

// Lookups over a validated config. Lists are a handful of entries, so linear scans keep these pure and allocation-free.

export function teamById(config: RoutingConfig, teamId: string): Team | undefined {
  return config.teams.find((t) => t.id === teamId);
}

export function touchpointById(config: RoutingConfig, touchpointId: string): Touchpoint | undefined {
  return config.touchpoints.find((t) => t.id === touchpointId);
}

/** The team owning a touchpoint; touchpoints not listed in the file belong to `defaults.team`. */
export function teamFor(config: RoutingConfig, touchpointId: string): Team {
  const teamId = touchpointById(config, touchpointId)?.team ?? config.defaults.team;
  const team = teamById(config, teamId);
  // Unreachable for a config from parseRoutingConfig, which checks every team reference.
  if (!team) throw new Error(`routing config has no team "${teamId}" (for touchpoint "${touchpointId}")`);
  return team;
}

/** Alert when a score is at or below this: the touchpoint's override for the metric, else `defaults.alertAt`. */
export function alertThresholdFor(config: RoutingConfig, touchpointId: string, metric: Metric): number {
  return touchpointById(config, touchpointId)?.alertAt?.[metric] ?? config.defaults.alertAt[metric];
}

export function agentById(config: RoutingConfig, agentId: string): Agent | undefined {
  return config.agents.find((a) => a.id === agentId);
}

export function agentBySlackUserId(config: RoutingConfig, slackUserId: string): Agent | undefined {
  return config.agents.find((a) => a.slackUserId === slackUserId);
}

/**
 * SPEC §14: the time zone a team's alerts show dates in: `teams[].timezone`, else its quiet hours' time zone (where
 * the team is, as the file already says), else UTC.
 */
export function teamTimeZone(team: Pick<Team, 'timezone' | 'quietHours'>): string {
  return team.timezone ?? team.quietHours?.timezone ?? 'UTC';
}

/**
 * Whether `at` falls in the quiet hours (local time in their time zone): `start` inclusive, `end` exclusive;
 * a window with start after end spans midnight. No quiet hours → never quiet.
 */
export function isInQuietHours(quietHours: QuietHours | undefined, at: Date): boolean {
  if (!quietHours) return false;
  const now = localMinutes(quietHours.timezone, at);
  const start = hhmmToMinutes(quietHours.start);
  const end = hhmmToMinutes(quietHours.end);
  return start <= end ? now >= start && now < end : now >= start || now < end;
}

function hhmmToMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function localMinutes(timeZone: string, at: Date): number {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, fmt);
  }
  const parts = fmt.formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return (part('hour') % 24) * 60 + part('minute');
}

/** Who may be given a team's tickets (SPEC §12): its agents and leads (not ops or admins), in routing-file order. */
export function assignableAgents(agents: readonly Agent[], team: string): Agent[] {
  return agents.filter((a) => a.team === team && (a.role === 'agent' || a.role === 'lead'));
}
