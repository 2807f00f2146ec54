import type { TeamDigestData, Translator } from '@closeloop/contracts';

/**
 * The lead's DM (SPEC §12): yesterday's numbers of their team, plain text, in the team's language (SPEC §14).
 * `d.day` is the team's calendar day (YYYY-MM-DD); read at noon UTC it is that day in every time zone from UTC−11 to
 * UTC+11, so the team's time zone does not shift it.
 */
export function renderDigest(d: TeamDigestData, consoleUrl: string, i18n: Translator): string {
  const day = i18n.dateTime(`${d.day}T12:00:00Z`, { dateStyle: 'medium' });
  return [
    i18n.t('digest.title', { team: d.team, day }),
    i18n.t('digest.counts', { opened: d.opened, resolved: d.resolved, breached: d.breached }),
    i18n.t('digest.medians', { claim: i18n.duration(d.medianClaimMs), resolve: i18n.duration(d.medianResolveMs) }),
    d.nps === undefined ? i18n.t('digest.npsNone') : i18n.t('digest.nps', { nps: d.nps, responses: d.npsResponses }),
    `${consoleUrl}/reports`,
  ].join('\n');
}
