/**
 * What a person reads in Slack, SMS and email alerts, their updates and thread replies, trend alerts, the digest and
 * the recheck page (SPEC §14). ICU MessageFormat (https://unicode-org.github.io/icu/userguide/format_parse/messages/):
 * `{name}` arguments, `{count, plural, one {…} other {…}}`. Dates and durations are formatted by the translator
 * (team's locale and timezone) and passed in as strings. Status: source.
 */
export const en = {
  'alert.button.claim': 'Claim',
  'alert.claimedBy': 'Claimed by {name}',
  'alert.button.resolve': 'Resolve',
} as const;

export type AlertsKey = keyof typeof en;
