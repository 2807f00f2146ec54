/** Where Slack's `response_url`s point (https://api.slack.com/interactivity/handling#message_responses). */
export const SLACK_HOOKS_ORIGIN = 'https://hooks.slack.com';
/** The origin of Slack's own Web API (the default `SLACK_API_URL`). */
const SLACK_API_ORIGIN = 'https://slack.com';

/**
 * The origins a `response_url` may be POSTed to. It reaches us inside events and interaction payloads, so it is
 * data, not configuration: anything but Slack's hooks host is refused (no request to internal addresses). With
 * `SLACK_API_URL` overridden — a stand-in for Slack, such as the test stub — that origin is allowed too: the bot
 * token is already sent there, so trusting it with an ephemeral answer adds nothing.
 */
export function responseUrlOrigins(slackApiUrl = `${SLACK_API_ORIGIN}/api/`): string[] {
  const origins = [SLACK_HOOKS_ORIGIN];
  const api = URL.canParse(slackApiUrl) ? new URL(slackApiUrl).origin : undefined;
  if (api && api !== SLACK_API_ORIGIN && !origins.includes(api)) origins.push(api);
  return origins;
}

/** Whether `url` may be POSTed to: an absolute URL on one of `origins`, without credentials. */
export function isAllowedResponseUrl(url: string, origins: readonly string[]): boolean {
  if (!URL.canParse(url)) return false;
  const u = new URL(url);
  if (u.username !== '' || u.password !== '') return false;
  return origins.includes(u.origin);
}
