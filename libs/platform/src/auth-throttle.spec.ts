import { parseAgentTokens } from './api-tokens';
import { AuthFailureThrottle, BearerAuth } from './auth-throttle';
import { ProblemException } from './problem';

function clock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const TOKEN = 'tok-ayse-0123456789';

function answer(auth: BearerAuth, header: string | undefined, ip = '10.0.0.1') {
  try {
    return { agent: auth.authenticate(header, ip) };
  } catch (err) {
    const e = err as ProblemException;
    return { status: e.problem.status, headers: e.headers, detail: e.problem.detail };
  }
}

describe('BearerAuth with AuthFailureThrottle', () => {
  const setup = () => {
    const c = clock();
    const auth = new BearerAuth(parseAgentTokens(`ayse:${TOKEN}`), new AuthFailureThrottle({ maxFailures: 3, windowMs: 60_000, now: c.now }), { realm: 'closeloop' });
    return { c, auth };
  };

  it('signs in with a valid token and challenges per RFC 6750 otherwise', () => {
    const { auth } = setup();
    expect(answer(auth, `Bearer ${TOKEN}`)).toEqual({ agent: 'ayse' });
    expect(answer(auth, undefined)).toMatchObject({ status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="closeloop"' } });
    expect(answer(auth, 'Bearer wrong-token-0123456789')).toMatchObject({ status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="closeloop", error="invalid_token"' } });
  });

  it('after maxFailures from one address, refuses it with 429 and Retry-After, even with the right token, until it has waited', () => {
    const { c, auth } = setup();
    for (let i = 0; i < 3; i++) expect(answer(auth, `Bearer guess-${i}-0123456789abc`)).toMatchObject({ status: 401 });
    expect(answer(auth, `Bearer ${TOKEN}`)).toEqual({ status: 429, headers: { 'Retry-After': '20' }, detail: expect.stringMatching(/too many failed sign-ins.*20 s/) });
    // another address is not affected
    expect(answer(auth, `Bearer ${TOKEN}`, '10.0.0.2')).toEqual({ agent: 'ayse' });
    c.advance(19_999);
    expect(answer(auth, `Bearer ${TOKEN}`)).toMatchObject({ status: 429, headers: { 'Retry-After': '1' } });
    c.advance(1); // one attempt regained (3 per minute)
    expect(answer(auth, `Bearer ${TOKEN}`)).toEqual({ agent: 'ayse' });
  });

  it('does not count requests without any credential (a page load before sign-in is not a guess)', () => {
    const { auth } = setup();
    for (let i = 0; i < 10; i++) expect(answer(auth, undefined)).toMatchObject({ status: 401 });
    expect(answer(auth, `Bearer ${TOKEN}`)).toEqual({ agent: 'ayse' });
  });

  it('remembers at most maxSources addresses', () => {
    const c = clock();
    const t = new AuthFailureThrottle({ maxFailures: 1, windowMs: 60_000, maxSources: 100, now: c.now });
    for (let i = 0; i < 1_000; i++) t.failed(`10.0.${i >> 8}.${i & 255}`);
    expect((t as unknown as { sources: Map<string, unknown> }).sources.size).toBe(100);
    expect(t.retryAfterSeconds('10.0.3.231')).toBe(60); // the latest is still refused
  });
});
