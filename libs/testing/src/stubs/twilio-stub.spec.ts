import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { segmentCount, signTwilioCallback, startTwilioStub, type TwilioStub } from './twilio-stub';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'stub-auth-token';

async function raw(stub: TwilioStub, path: string, form: Record<string, string>, auth?: string) {
  const res = await fetch(`${stub.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(auth ? { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}) },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('Twilio stub', () => {
  let stub: TwilioStub;
  const messagesPath = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;

  beforeAll(async () => {
    stub = await startTwilioStub({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  });
  afterAll(() => stub.close());
  beforeEach(() => stub.reset());

  it('creates a message with a Twilio-shaped 201', async () => {
    const res = await raw(stub, messagesPath, { To: '+905551112233', From: '+15005550006', Body: 'hello' }, `${ACCOUNT_SID}:${AUTH_TOKEN}`);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      sid: expect.stringMatching(/^SM[0-9a-f]{32}$/),
      account_sid: ACCOUNT_SID,
      status: 'queued',
      error_code: null,
      num_segments: '1',
      direction: 'outbound-api',
      date_created: expect.stringMatching(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/),
    });
  });

  it('requires Basic auth with the account SID and token (20003)', async () => {
    for (const auth of [undefined, `${ACCOUNT_SID}:wrong`, `ACother:${AUTH_TOKEN}`]) {
      const res = await raw(stub, messagesPath, { To: '+905551112233', From: '+15005550006', Body: 'x' }, auth);
      expect(res).toEqual({ status: 401, body: { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 } });
    }
    expect(stub.messages).toHaveLength(0);
  });

  it.each([
    [{ From: '+15005550006', Body: 'x' }, 21604],
    [{ To: '+905551112233', Body: 'x' }, 21603],
    [{ To: '+905551112233', From: '+15005550006' }, 21602],
    [{ To: '05551112233', From: '+15005550006', Body: 'x' }, 21211],
  ])('validates %j like Twilio (%i)', async (form, code) => {
    const res = await raw(stub, messagesPath, form as Record<string, string>, `${ACCOUNT_SID}:${AUTH_TOKEN}`);
    expect(res).toMatchObject({ status: 400, body: { code, status: 400 } });
  });

  it('counts segments like Twilio (GSM-7 vs UCS-2)', () => {
    expect(segmentCount('a'.repeat(160))).toBe(1);
    expect(segmentCount('a'.repeat(161))).toBe(2);
    expect(segmentCount('€'.repeat(80))).toBe(1); // extension chars count double: 160 septets
    expect(segmentCount('€'.repeat(81))).toBe(2);
    expect(segmentCount('ş'.repeat(70))).toBe(1); // Turkish ş forces UCS-2
    expect(segmentCount('ş'.repeat(71))).toBe(2);
    expect(segmentCount('律'.repeat(135))).toBe(3);
  });

  it('posts a signed status callback that twilio.validateRequest accepts', async () => {
    const received: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];
    const app = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    try {
      const callback = `http://127.0.0.1:${(app.address() as AddressInfo).port}/twilio/status?delivery=d-1`;
      const client = twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: redirectTo(stub.url) });
      const message = await client.messages.create({ to: '+905551112233', from: '+15005550006', body: 'x', statusCallback: callback });

      expect(await stub.deliverStatus(message.sid, 'undelivered', { ErrorCode: '30003' })).toEqual({ status: 204, body: '' });

      const params = Object.fromEntries(new URLSearchParams(received[0].body));
      expect(params).toMatchObject({ MessageSid: message.sid, MessageStatus: 'undelivered', ErrorCode: '30003', AccountSid: ACCOUNT_SID, To: '+905551112233' });
      expect(twilio.validateRequest(AUTH_TOKEN, String(received[0].headers['x-twilio-signature']), callback, params)).toBe(true);
      expect(signTwilioCallback(AUTH_TOKEN, callback, params)).toBe(received[0].headers['x-twilio-signature']);
      expect(stub.messages[0].status).toBe('undelivered');
    } finally {
      app.closeAllConnections();
      await new Promise<void>((r) => app.close(() => r()));
    }
  });

  it('deletes a message record through the SDK: 204 once, then 404 (20404); the record leaves the list', async () => {
    const client = twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: redirectTo(stub.url) });
    const kept = await client.messages.create({ to: '+905551112233', from: '+15005550006', body: 'kept' });
    const gone = await client.messages.create({ to: '+905551112233', from: '+15005550006', body: 'gone' });

    await expect(client.messages(gone.sid).remove()).resolves.toBe(true);
    const second = await client.messages(gone.sid).remove().then(() => undefined, (err: unknown) => err);
    expect(second).toMatchObject({ status: 404, code: 20404 });
    const unknown = await client.messages('SM00000000000000000000000000000000').remove().then(() => undefined, (err: unknown) => err);
    expect(unknown).toMatchObject({ status: 404, code: 20404 });

    expect(stub.deleted).toEqual([gone.sid]);
    const deletes = stub.requests.filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => r.path)).toEqual([
      `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${gone.sid}.json`,
      `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${gone.sid}.json`,
      `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/SM00000000000000000000000000000000.json`,
    ]);
    expect((await client.messages.list({ to: '+905551112233' })).map((m) => m.sid)).toEqual([kept.sid]);
  });

  it('an inbound message (receive) is an account record like the others: listed, then deleted once', async () => {
    const client = twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: redirectTo(stub.url) });
    const inbound = stub.receive({ from: '+905551234567', to: '+15005550006', body: 'merhaba' });
    expect(inbound).toMatchObject({ sid: expect.stringMatching(/^SM[0-9a-f]{32}$/), direction: 'inbound', status: 'received', from: '+905551234567' });
    expect((await client.messages.list({ from: '+905551234567' })).map((m) => m.sid)).toEqual([inbound.sid]);
    await expect(client.messages(inbound.sid).remove()).resolves.toBe(true);
    await expect(client.messages(inbound.sid).remove()).rejects.toMatchObject({ status: 404, code: 20404 });
    expect(stub.deleted).toEqual([inbound.sid]);
  });

  it('deleting needs the account credentials, and scripted delete answers come first', async () => {
    const client = twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: redirectTo(stub.url) });
    const m = await client.messages.create({ to: '+905551112233', from: '+15005550006', body: 'x' });
    const res = await fetch(`${stub.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${m.sid}.json`, { method: 'DELETE' });
    expect(res.status).toBe(401);
    stub.deleteScript({ status: 503 });
    await expect(client.messages(m.sid).remove()).rejects.toMatchObject({ status: 503 });
    await expect(client.messages(m.sid).remove()).resolves.toBe(true);
    expect(stub.deleted).toEqual([m.sid]);
  });

  it('scripted answers are served in order, then successes resume', async () => {
    stub.script({ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' }, { status: 503 });
    const form = { To: '+905551112233', From: '+15005550006', Body: 'x' };
    const auth = `${ACCOUNT_SID}:${AUTH_TOKEN}`;
    expect(await raw(stub, messagesPath, form, auth)).toMatchObject({ status: 400, body: { code: 21610, message: 'Attempt to send to unsubscribed recipient' } });
    await expect(raw(stub, messagesPath, form, auth)).rejects.toThrow(); // HTML body, not JSON
    expect((await raw(stub, messagesPath, form, auth)).status).toBe(201);
    expect(stub.requests).toHaveLength(3);
  });
});

/** Minimal redirecting client, independent of the product's adapter. */
function redirectTo(base: string): twilio.RequestClient {
  const client = new twilio.RequestClient();
  const request = client.request.bind(client);
  client.request = (opts) => request({ ...opts, uri: opts.uri.replace('https://api.twilio.com', base) });
  return client;
}
