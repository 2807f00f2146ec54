import { isAllowedResponseUrl, responseUrlOrigins, SLACK_HOOKS_ORIGIN } from './response-url';

describe('response_url allow-list', () => {
  it('allows only Slack hooks by default, plus an overridden SLACK_API_URL origin', () => {
    expect(responseUrlOrigins()).toEqual([SLACK_HOOKS_ORIGIN]);
    expect(responseUrlOrigins('https://slack.com/api/')).toEqual([SLACK_HOOKS_ORIGIN]);
    expect(responseUrlOrigins('http://127.0.0.1:4567/api/')).toEqual([SLACK_HOOKS_ORIGIN, 'http://127.0.0.1:4567']);
  });

  const defaults = responseUrlOrigins();
  const withStub = responseUrlOrigins('http://127.0.0.1:4567/api/');
  it.each([
    ['a Slack hooks URL', 'https://hooks.slack.com/actions/T0/123/abc', defaults, true],
    ['Slack hooks with the default port spelled out', 'https://hooks.slack.com:443/actions/T0/123/abc', defaults, true],
    ['plain http to the hooks host', 'http://hooks.slack.com/actions/T0/123/abc', defaults, false],
    ['another port on the hooks host', 'https://hooks.slack.com:8443/actions/x', defaults, false],
    ['a look-alike host', 'https://hooks.slack.com.evil.example/actions/x', defaults, false],
    ['a subdomain trick', 'https://evil.example/hooks.slack.com/actions/x', defaults, false],
    ['credentials in the URL', 'https://user:pw@hooks.slack.com/actions/x', defaults, false],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/', defaults, false],
    ['an internal service', 'http://127.0.0.1:3002/v1/tickets', defaults, false],
    ['not a URL', 'hooks.slack.com/actions/x', defaults, false],
    ['the stub, when SLACK_API_URL points at it', 'http://127.0.0.1:4567/response/x', withStub, true],
    ['another local port, even with the stub configured', 'http://127.0.0.1:4568/response/x', withStub, false],
  ])('%s → %s', (_what, url, origins, allowed) => {
    expect(isAllowedResponseUrl(url, origins)).toBe(allowed);
  });
});
