import { teamById, teamFor, teamTimeZone, translator, type RoutingConfig, type Team, type Translator } from '@closeloop/contracts';

/**
 * SPEC §14: everything the team reads (Slack, SMS, email, trends, digest) is in the team's language (`teams[].locale`)
 * with dates in the team's time zone (`teamTimeZone`). The one place a team's translator is made.
 */
export function teamTranslator(team: Pick<Team, 'locale' | 'timezone' | 'quietHours'>): Translator {
  return translator(team.locale, { timeZone: teamTimeZone(team) });
}

/**
 * The translator of the team a ticket belongs to: its recorded team, else its touchpoint's (a team since removed from
 * the file), else — a ticket not known yet — the default team's.
 */
export function ticketTranslator(routing: RoutingConfig, ticket: { team: string; touchpoint: string } | undefined): Translator {
  const team = ticket ? teamById(routing, ticket.team) ?? teamFor(routing, ticket.touchpoint) : teamById(routing, routing.defaults.team);
  return team ? teamTranslator(team) : translator('en');
}

/** The translator of a team named by id (a trend's, a digest's); `en` for a team the routing file no longer has. */
export function teamIdTranslator(routing: RoutingConfig, teamId: string): Translator {
  const team = teamById(routing, teamId);
  return team ? teamTranslator(team) : translator('en');
}
