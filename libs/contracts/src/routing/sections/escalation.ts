// SPEC §12: a team's escalation chain while nobody has claimed a ticket. The shape is checked with the team; what the
// steps need from the rest of the file (leads with a phone or an email, a Slack channel) once the agents are known.
import { checkIsoDuration } from '../iso-duration';
import { ESCALATION_NOTIFY_KINDS, type Agent, type EscalationNotify, type EscalationStep, type Team } from '../routing-config';
import { Path, Problems, Unique, got, list, mapping, suggest } from './building-blocks';

/** A Slack user-group id (`<!subteam^S0123>`), not its handle. */
const USER_GROUP = /^S[A-Z0-9]{2,}$/;

export function validateEscalation(p: Problems, raw: unknown, path: Path): EscalationStep[] {
  if (raw == null) return [];
  const items = list(p, raw, path);
  if (!items) return [];
  const steps: EscalationStep[] = [];
  let previous: { ms: number; text: string } | undefined;
  items.forEach((item, i) => {
    const at = [...path, i];
    const o = mapping(p, item, at, ['after', 'notify'], []);
    if (!o) return;
    let after: { ms: number; text: string } | undefined;
    if (o.after != null) {
      const r = typeof o.after === 'string' ? checkIsoDuration(o.after) : undefined;
      if (!r) p.add([...at, 'after'], `not an ISO-8601 duration${got(o.after)}; expected e.g. PT15M`);
      else if (!r.ok) p.add([...at, 'after'], r.message);
      else if (r.ms <= 0) p.add([...at, 'after'], `must be longer than zero (${JSON.stringify(o.after)})`);
      else after = { ms: r.ms, text: o.after as string };
    }
    if (after && previous && after.ms <= previous.ms) {
      p.add([...at, 'after'], `must be later than the step before (${after.text} is not after ${previous.text})`);
    }
    if (after) previous = after;
    const notify: EscalationNotify[] = [];
    if (o.notify != null) {
      const kinds = list(p, o.notify, [...at, 'notify']);
      if (kinds && kinds.length === 0) p.add([...at, 'notify'], `must name at least one of ${ESCALATION_NOTIFY_KINDS.join(', ')}`);
      const seen = new Unique(p, 'notify kind');
      kinds?.forEach((k, j) => {
        if (typeof k === 'string' && (ESCALATION_NOTIFY_KINDS as readonly string[]).includes(k)) {
          seen.check(k, [...at, 'notify', j]);
          if (!notify.includes(k as EscalationNotify)) notify.push(k as EscalationNotify);
        } else {
          const hint = typeof k === 'string' ? suggest(k, ESCALATION_NOTIFY_KINDS) : ` (kinds: ${ESCALATION_NOTIFY_KINDS.join(', ')})`;
          p.add([...at, 'notify', j], `unknown kind${typeof k === 'string' ? ` ${JSON.stringify(k)}` : got(k)}${hint.replace('allowed:', 'kinds:')}`);
        }
      });
    }
    if (after) steps.push({ after: after.text, afterMs: after.ms, notify });
  });
  return steps;
}

export function validateUserGroup(p: Problems, raw: unknown, path: Path): string | undefined {
  if (raw == null) return undefined;
  if (typeof raw === 'string' && USER_GROUP.test(raw)) return raw;
  p.add(path, `must be a Slack user-group id like "S0123ABCD"${got(raw)}`);
  return undefined;
}

/** The team's leads: its agents with role `lead`. */
export function leadsOf(team: Pick<Team, 'id'>, agents: readonly Agent[]): Agent[] {
  return agents.filter((a) => a && a.team === team.id && a.role === 'lead');
}

/** What each step asks of the rest of the file: a lead to text, a lead to email, a channel to mention in. */
export function checkEscalationTargets(p: Problems, teams: readonly Team[], agents: readonly Agent[], path: Path): void {
  teams.forEach((team, t) => {
    if (!team) return;
    const leads = leadsOf(team, agents);
    (team.escalation ?? []).forEach((step, s) => {
      step.notify.forEach((kind, k) => {
        const at = [...path, t, 'escalation', s, 'notify', k];
        if (kind === 'oncall-sms' && team.onCall.length === 0) p.add(at, `oncall-sms needs on-call numbers: team ${team.id} has no onCall`);
        if (kind === 'lead-sms' && !leads.some((l) => l.phone)) p.add(at, `lead-sms needs a lead with a phone: team ${team.id} has ${leadsSaid(leads)}`);
        if (kind === 'lead-email' && !leads.some((l) => l.email)) p.add(at, `lead-email needs a lead with an email: team ${team.id} has ${leadsSaid(leads)}`);
        if (kind === 'channel-mention') {
          if (!team.slackChannel) p.add(at, `channel-mention needs the team's slackChannel`);
          else if (!team.slackUserGroup && !leads.some((l) => l.slackUserId)) {
            p.add(at, `channel-mention needs the team's slackUserGroup or a lead with a slackUserId: team ${team.id} has ${leadsSaid(leads)}`);
          }
        }
      });
    });
  });
}

function leadsSaid(leads: Agent[]): string {
  return leads.length === 0 ? 'no agent with role lead' : `leads ${leads.map((l) => l.id).join(', ')}`;
}
