import type { Agent, EscalationNotify, Team } from '@closeloop/contracts';

/** Who one escalation step reaches (SPEC §12), from the team and its leads (agents with role `lead`). */
export interface EscalationTargets {
  /** `oncall-sms` → the team's onCall, `lead-sms` → the leads' phones; one SMS per number, whoever lists it */
  phones: string[];
  /** `lead-email` → the leads' addresses, on one email (a reply in the ticket's thread) */
  emails: string[];
  /** `channel-mention` → who the thread reply mentions: the team's user group, else each lead on Slack (`<!subteam^S…>`, `<@U…>`) */
  mention?: string;
}

export function planEscalation(notify: readonly EscalationNotify[], team: Pick<Team, 'onCall' | 'slackUserGroup'>, leads: readonly Agent[]): EscalationTargets {
  const phones = new Set<string>();
  const emails = new Set<string>();
  let mention: string | undefined;
  for (const kind of notify) {
    if (kind === 'oncall-sms') team.onCall.forEach((p) => phones.add(p));
    if (kind === 'lead-sms') leads.forEach((l) => l.phone && phones.add(l.phone));
    if (kind === 'lead-email') leads.forEach((l) => l.email && emails.add(l.email));
    if (kind === 'channel-mention') {
      const ids = team.slackUserGroup ? [`<!subteam^${team.slackUserGroup}>`] : leads.flatMap((l) => (l.slackUserId ? [`<@${l.slackUserId}>`] : []));
      if (ids.length) mention = ids.join(' ');
    }
  }
  return { phones: [...phones], emails: [...emails], ...(mention ? { mention } : {}) };
}
