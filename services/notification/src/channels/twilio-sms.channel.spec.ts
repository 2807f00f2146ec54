import { startTwilioStub, type TwilioStub, type TwilioStubResponse } from '@closeloop/testing';
import twilio from 'twilio';
import type { ChannelLogger } from './channel';
import fixtures from './fixtures/twilio-errors.json';
import { DEFAULT_TWILIO_API_URL, TwilioHttpClient, TwilioSmsChannel } from './twilio-sms.channel';
import { AsyncLocalStorage } from 'node:async_hooks';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'f00dfeedf00dfeedf00dfeedf00dfeed';
const FROM = '+15005550006';
const CALLBACK = 'https://closeloop.example.com/twilio/status?delivery=d-1';

function recordingLogger() {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, obj, msg });
    };
  const logger: ChannelLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

describe('TwilioSmsChannel against the Twilio stub (real twilio SDK)', () => {
  let stub: TwilioStub;
  let sms: TwilioSmsChannel;
  let logs: ReturnType<typeof recordingLogger>;

  beforeAll(async () => {
    stub = await startTwilioStub({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  });
  afterAll(() => stub.close());
  beforeEach(() => {
    stub.reset();
    logs = recordingLogger();
    sms = new TwilioSmsChannel({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiUrl: stub.url, timeoutMs: 300, logger: logs.logger });
  });

  it('creates a message: path, Basic auth, To/From/Body/StatusCallback', async () => {
    const body = 'Closeloop: critical detractor at checkout (NPS 1). Claim: https://closeloop.example.com/t/tkt_42';
    const outcome = await sms.send({ to: '+905551112233', body, statusCallback: CALLBACK });

    expect(outcome).toEqual({ kind: 'sent', providerId: expect.stringMatching(/^SM[0-9a-f]{32}$/), status: 'queued' });
    expect(stub.requests).toHaveLength(1);
    const [req] = stub.requests;
    expect(req.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(req.auth).toEqual({ username: ACCOUNT_SID, password: AUTH_TOKEN });
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.form).toEqual({ To: '+905551112233', From: FROM, Body: body, StatusCallback: CALLBACK });
    expect(stub.messages).toEqual([expect.objectContaining({ sid: outcome.kind === 'sent' && outcome.providerId, status: 'queued', num_segments: '1', error_code: null })]);
    expect(JSON.stringify(logs.lines)).not.toContain('+905551112233');
    expect(logs.lines).toContainEqual(expect.objectContaining({ level: 'debug', obj: expect.objectContaining({ to: '+90555***2233' }) }));
  });

  it('omits StatusCallback when none is given', async () => {
    await sms.send({ to: '+905551112233', body: 'hi' });
    expect(stub.requests[0].form).toEqual({ To: '+905551112233', From: FROM, Body: 'hi' });
  });

  it('sends through a Messaging Service when TWILIO_FROM_NUMBER is an MG sid', async () => {
    const viaService = new TwilioSmsChannel({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: 'MG0123456789abcdef0123456789abcdef', apiUrl: stub.url });
    const outcome = await viaService.send({ to: '+905551112233', body: 'Müşteri çok kızgın' });

    expect(outcome).toMatchObject({ kind: 'sent', status: 'queued' });
    expect(stub.requests[0].form).toEqual({ To: '+905551112233', MessagingServiceSid: 'MG0123456789abcdef0123456789abcdef', Body: 'Müşteri çok kızgın' });
    expect(stub.messages[0].status).toBe('accepted');
  });

  it('wrong credentials → Twilio 20003 → failed', async () => {
    const wrong = new TwilioSmsChannel({ accountSid: ACCOUNT_SID, authToken: 'not-the-token', from: FROM, apiUrl: stub.url });
    const outcome = await wrong.send({ to: '+905551112233', body: 'hi' });

    expect(outcome).toMatchObject({ kind: 'failed', code: '20003' });
    expect(stub.requests[0].auth).toEqual({ username: ACCOUNT_SID, password: 'not-the-token' });
  });

  it('21610 (recipient replied STOP) → failed permanently, sent once', async () => {
    stub.script({ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    const outcome = await sms.send({ to: '+905551112233', body: 'hi' });

    expect(outcome).toEqual({ kind: 'failed', reason: expect.stringContaining('STOP'), code: '21610' });
    expect(stub.requests).toHaveLength(1);
    expect(logs.lines).toContainEqual(expect.objectContaining({ level: 'error', obj: expect.objectContaining({ code: '21610', to: '+90555***2233' }) }));
  });

  it('20429 → retry, honouring Retry-After; the SDK does not retry on its own', async () => {
    stub.script({ status: 429, code: 20429, message: 'Too Many Requests', retryAfter: 2 });
    const outcome = await sms.send({ to: '+905551112233', body: 'hi' });

    expect(outcome).toMatchObject({ kind: 'retry', code: '20429', retryAfterMs: 2000 });
    expect(stub.requests).toHaveLength(1);
  });

  it('keeps Retry-After with the call it belongs to when sends run concurrently', async () => {
    stub.script({ status: 429, code: 20429, retryAfter: 5 }, { status: 429, code: 20429, retryAfter: 7 });
    const to = ['+905550000001', '+905550000002'];
    const outcomes = await Promise.all(to.map((n) => sms.send({ to: n, body: 'hi' })));

    // The stub answers scripts in arrival order.
    const expectedFor = new Map(stub.requests.map((r, i) => [r.To, i === 0 ? 5000 : 7000]));
    to.forEach((n, i) => expect(outcomes[i]).toMatchObject({ kind: 'retry', retryAfterMs: expectedFor.get(n) }));
  });

  it('HTTP 500 → retry', async () => {
    stub.script({ status: 500 });
    expect(await sms.send({ to: '+905551112233', body: 'hi' })).toMatchObject({ kind: 'retry', code: 'http_500', maybeDelivered: true });
  });

  it('a hung request → retry after the configured timeout', async () => {
    stub.script({ hang: true });
    const started = Date.now();
    const outcome = await sms.send({ to: '+905551112233', body: 'hi' });

    expect(outcome).toMatchObject({ kind: 'retry', code: 'timeout', maybeDelivered: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a refused connection → retry, known not delivered', async () => {
    const gone = await startTwilioStub({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    const url = gone.url;
    await gone.close();
    const outcome = await new TwilioSmsChannel({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiUrl: url }).send({ to: '+905551112233', body: 'hi' });

    expect(outcome).toMatchObject({ kind: 'retry', code: 'ECONNREFUSED', maybeDelivered: false });
  });

  it.each<[string, TwilioStubResponse | undefined, string, string | undefined]>([
    ['a message record it has', undefined, 'deleted', undefined],
    ['a record already deleted (404, 20404)', { status: 404, code: 20404, message: 'The requested resource was not found' }, 'not_found', undefined],
    ['a message still in progress (20009)', { status: 409, code: 20009, message: 'Cannot delete this resource before it is complete' }, 'retry', '20009'],
    ['an outage (503)', { status: 503 }, 'retry', 'http_503'],
    ['refused credentials (20003)', { status: 401, code: 20003, message: 'Authenticate' }, 'failed', '20003'],
  ])('deleteMessage: %s → %s', async (_what, scripted, kind, code) => {
    const sent = await sms.send({ to: '+905551234567', body: 'x' });
    const sid = sent.kind === 'sent' ? sent.providerId : '';
    if (scripted) stub.deleteScript(scripted);
    const outcome = await sms.deleteMessage(sid);
    expect(outcome.kind).toBe(kind);
    if (code !== undefined) expect(outcome).toMatchObject({ code });
    expect(stub.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${sid}.json`]);
    expect(stub.deleted).toEqual(scripted ? [] : [sid]);
    // deleting again: the record is gone (or was never deleted, for a scripted failure)
    expect((await sms.deleteMessage(sid)).kind).toBe(scripted ? 'deleted' : 'not_found');
  });

  it('the stub validates like Twilio: an invalid To is 21211 → failed', async () => {
    expect(await sms.send({ to: '0555 111 22 33', body: 'hi' })).toMatchObject({ kind: 'failed', code: '21211' });
  });

  describe('findSent (the message list, for an SMS whose result was not recorded)', () => {
    const since = () => new Date(Date.now() - 60_000);

    it('finds what this account sent to the number with exactly that body; nothing else', async () => {
      const sent = await sms.send({ to: '+905551112233', body: 'critical ticket t-1' });
      await sms.send({ to: '+905551112233', body: 'critical ticket t-2' });
      await sms.send({ to: '+905551112244', body: 'critical ticket t-1' });
      const found = await sms.findSent({ to: '+905551112233', body: 'critical ticket t-1', since: since() });
      expect(found).toEqual({ kind: 'found', messages: [{ providerId: sent.kind === 'sent' && sent.providerId, status: 'queued' }] });
      const list = stub.requests.find((r) => r.method === 'GET');
      expect(list?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
      expect(JSON.stringify(logs.lines)).not.toContain('+905551112233');
    });

    it('not found: a different body, or a message older than `since`', async () => {
      await sms.send({ to: '+905551112233', body: 'critical ticket t-1' });
      expect(await sms.findSent({ to: '+905551112233', body: 'critical ticket t-9', since: since() })).toEqual({ kind: 'not_found' });
      expect(await sms.findSent({ to: '+905551112233', body: 'critical ticket t-1', since: new Date(Date.now() + 60_000) })).toEqual({ kind: 'not_found' });
    });

    it('the list failing is a retry, never "not sent"', async () => {
      stub.listScript({ status: 500 }, { status: 429, code: 20429, retryAfter: 2 });
      expect(await sms.findSent({ to: '+905551112233', body: 'x', since: since() })).toMatchObject({ kind: 'retry' });
      expect(await sms.findSent({ to: '+905551112233', body: 'x', since: since() })).toMatchObject({ kind: 'retry', retryAfterMs: 2000 });
    });

    it('through a Messaging Service: only that service\'s messages count', async () => {
      const viaService = new TwilioSmsChannel({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: 'MG0123456789abcdef0123456789abcdef', apiUrl: stub.url, timeoutMs: 300 });
      await sms.send({ to: '+905551112233', body: 'same text' });
      expect(await viaService.findSent({ to: '+905551112233', body: 'same text', since: since() })).toEqual({ kind: 'not_found' });
      const sent = await viaService.send({ to: '+905551112233', body: 'same text' });
      expect(await viaService.findSent({ to: '+905551112233', body: 'same text', since: since() })).toEqual({
        kind: 'found',
        messages: [{ providerId: sent.kind === 'sent' && sent.providerId, status: expect.any(String) }],
      });
    });
  });

  describe('provider error table, driven by fixtures through the real SDK', () => {
    it.each(fixtures.cases.map((c) => [c.name, c] as const))('%s', async (_name, fixture) => {
      stub.script({ status: fixture.http.status, body: fixture.http.body, headers: fixture.http.headers } as TwilioStubResponse);
      const outcome = await sms.send({ to: '+905551112233', body: 'hi' });

      expect(outcome).toMatchObject(fixture.expect);
      expect(stub.requests).toHaveLength(1);
    });
  });
});

describe('TwilioHttpClient', () => {
  const calls = new AsyncLocalStorage<{ retryAfter?: string }>();
  let seen: string[];

  beforeEach(() => {
    seen = [];
    jest.spyOn(twilio.RequestClient.prototype, 'request').mockImplementation(async (opts) => {
      seen.push(opts.uri);
      return { statusCode: 200, body: {}, headers: {} } as never;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  it.each([
    [DEFAULT_TWILIO_API_URL, 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json'],
    [`${DEFAULT_TWILIO_API_URL}/`, 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json'],
    ['http://127.0.0.1:4010', 'http://127.0.0.1:4010/2010-04-01/Accounts/AC1/Messages.json'],
    ['http://twilio-proxy.internal/prefix/', 'http://twilio-proxy.internal/prefix/2010-04-01/Accounts/AC1/Messages.json'],
  ])('with TWILIO_API_URL=%s requests %s', async (apiUrl, expected) => {
    const client = new TwilioHttpClient(apiUrl, calls, {});
    await client.request({ method: 'post', uri: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json' });
    expect(seen).toEqual([expected]);
  });

  it('leaves other Twilio hosts alone', async () => {
    const client = new TwilioHttpClient('http://127.0.0.1:4010', calls, {});
    await client.request({ method: 'get', uri: 'https://messaging.twilio.com/v1/Services' });
    expect(seen).toEqual(['https://messaging.twilio.com/v1/Services']);
  });
});
