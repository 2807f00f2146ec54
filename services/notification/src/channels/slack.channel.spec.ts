import { Writable } from 'node:stream';
import { startSlackStub, type SlackStub, type SlackStubResponse } from '@closeloop/testing';
import pino from 'pino';
import type { ChatBlock } from './channel';
import fixtures from './fixtures/slack-errors.json';
import { SlackChannel } from './slack.channel';

const TOKEN = 'xoxb-1111-2222-closeloopTEST';

function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

const alertBlocks: ChatBlock[] = [
  { type: 'section', text: { type: 'mrkdwn', text: '*Critical* detractor at *checkout* — NPS 2' } },
  {
    type: 'actions',
    elements: [
      { type: 'button', action_id: 'claim', text: { type: 'plain_text', text: 'Claim' }, value: 'tkt_42' },
      { type: 'button', action_id: 'resolve', text: { type: 'plain_text', text: 'Resolve' }, value: 'tkt_42' },
    ],
  },
];

describe('SlackChannel against the Slack stub (real @slack/web-api)', () => {
  let stub: SlackStub;
  let slack: SlackChannel;
  let logs: ReturnType<typeof captureLogs>;

  beforeAll(async () => {
    stub = await startSlackStub({ token: TOKEN });
  });
  afterAll(() => stub.close());
  beforeEach(() => {
    stub.reset();
    logs = captureLogs();
    slack = new SlackChannel({ botToken: TOKEN, apiUrl: stub.url, timeoutMs: 300, logger: logs.logger });
  });

  it('posts a top-level alert: form fields, parsed blocks, bearer token', async () => {
    const outcome = await slack.postMessage({ channel: 'C0CX', text: 'Critical detractor at checkout', blocks: alertBlocks });

    expect(outcome).toEqual({ kind: 'sent', providerId: expect.stringMatching(/^\d{10}\.\d{6}$/), channel: 'C0CX', ts: expect.any(String) });
    expect(outcome.kind === 'sent' && outcome.providerId).toBe(outcome.kind === 'sent' && outcome.ts);
    const [req] = stub.calls('chat.postMessage');
    expect(stub.requests).toHaveLength(1);
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.form).toEqual({
      channel: 'C0CX',
      text: 'Critical detractor at checkout',
      blocks: alertBlocks,
      unfurl_links: 'false',
      unfurl_media: 'false',
    });
  });

  it('posts a thread reply with thread_ts = parent ts, as a string', async () => {
    const parent = await slack.postMessage({ channel: 'C0CX', text: 'alert' });
    if (parent.kind !== 'sent') throw new Error('parent not sent');
    const reply = await slack.postMessage({ channel: 'C0CX', text: 'Claimed by Ayşe', threadTs: parent.ts });

    expect(reply).toMatchObject({ kind: 'sent', channel: 'C0CX' });
    expect(stub.calls('chat.postMessage')[1].form).toMatchObject({ thread_ts: parent.ts, text: 'Claimed by Ayşe' });
    expect(stub.messages('C0CX').map((m) => m.thread_ts)).toEqual([undefined, parent.ts]);
  });

  it('sends message metadata so a post can be reconciled after a timeout', async () => {
    await slack.postMessage({ channel: 'C0CX', text: 'alert', metadata: { eventType: 'closeloop_alert', payload: { deliveryKey: 'd-1' } } });
    expect(stub.calls('chat.postMessage')[0].form.metadata).toEqual({ event_type: 'closeloop_alert', event_payload: { deliveryKey: 'd-1' } });
  });

  it('updates the message in place with chat.update', async () => {
    const parent = await slack.postMessage({ channel: 'C0CX', text: 'open', blocks: alertBlocks });
    if (parent.kind !== 'sent' || !parent.ts) throw new Error('parent not sent');
    const updated: ChatBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: 'Claimed by <@U0AYSE>' } }];

    const outcome = await slack.update({ channel: 'C0CX', ts: parent.ts, text: 'claimed', blocks: updated });

    expect(outcome).toEqual({ kind: 'sent', providerId: parent.ts, channel: 'C0CX', ts: parent.ts });
    expect(stub.calls('chat.update')[0].form).toEqual({ channel: 'C0CX', ts: parent.ts, text: 'claimed', blocks: updated });
    expect(stub.messages('C0CX')).toEqual([expect.objectContaining({ ts: parent.ts, text: 'claimed', blocks: updated, edits: 1 })]);
  });

  it('opens a modal with views.open', async () => {
    const view = {
      type: 'modal' as const,
      callback_id: 'resolve_ticket',
      private_metadata: 'tkt_42',
      title: { type: 'plain_text' as const, text: 'Resolve ticket' },
      submit: { type: 'plain_text' as const, text: 'Resolve' },
      blocks: [
        {
          type: 'input' as const,
          block_id: 'root_cause',
          label: { type: 'plain_text' as const, text: 'Root cause' },
          element: { type: 'static_select' as const, action_id: 'value', options: [{ text: { type: 'plain_text' as const, text: 'billing' }, value: 'billing' }] },
        },
      ],
    };
    const outcome = await slack.openView({ triggerId: '12345.98765.abcd2358fdea', view });

    expect(outcome).toEqual({ kind: 'sent', providerId: expect.stringMatching(/^V/) });
    expect(stub.calls('views.open')[0].form).toEqual({ trigger_id: '12345.98765.abcd2358fdea', view });
  });

  it('answers through response_url with a JSON POST', async () => {
    const url = stub.respondUrl('T0/B0/secret-xyz');
    const outcome = await slack.respond(url, { response_type: 'ephemeral', text: 'You are not mapped to an agent.' });

    expect(outcome).toEqual({ kind: 'sent', providerId: 'response_url' });
    const [req] = stub.calls('response_url');
    expect(req.responseUrlId).toBe('T0/B0/secret-xyz');
    expect(req.headers['content-type']).toMatch(/^application\/json/);
    expect(req.headers.authorization).toBeUndefined();
    expect(req.form).toEqual({ response_type: 'ephemeral', text: 'You are not mapped to an agent.' });
    expect(JSON.stringify(logs.lines)).not.toContain('secret-xyz');
  });

  it('maps a used-up response_url to a permanent failure', async () => {
    const url = stub.respondUrl('once-too-often');
    for (let i = 0; i < 5; i++) expect(await slack.respond(url, { text: `update ${i}` })).toMatchObject({ kind: 'sent' });
    expect(await slack.respond(url, { text: 'sixth' })).toMatchObject({ kind: 'failed', code: 'used_url' });
  });

  it('maps response_url 5xx and 429 to retry', async () => {
    stub.script('response_url', { status: 500 }, { status: 429, retryAfter: 4 });
    const url = stub.respondUrl('flaky');
    expect(await slack.respond(url, { text: 'a' })).toMatchObject({ kind: 'retry', code: 'http_500' });
    expect(await slack.respond(url, { text: 'b' })).toMatchObject({ kind: 'retry', code: 'http_429', retryAfterMs: 4000 });
  });

  it('never POSTs to a response_url off Slack\'s hooks host (or the configured stand-in): a permanent failure, no request', async () => {
    const elsewhere = await startSlackStub({ token: TOKEN });
    try {
      for (const url of [elsewhere.respondUrl('internal'), 'http://169.254.169.254/latest/meta-data/', 'not a url']) {
        expect(await slack.respond(url, { text: 'hi' })).toMatchObject({ kind: 'failed', code: 'response_url_not_allowed' });
      }
      expect(elsewhere.requests).toEqual([]);
      // the stand-in SLACK_API_URL points at is allowed, as Slack's hooks host is in production
      expect(await slack.respond(stub.respondUrl('allowed'), { text: 'hi' })).toMatchObject({ kind: 'sent' });
    } finally {
      await elsewhere.close();
    }
  });

  it('429 with Retry-After → retry after 2000 ms, and the SDK does not retry on its own', async () => {
    stub.script('chat.postMessage', { status: 429, retryAfter: 2 });
    const started = Date.now();
    const outcome = await slack.postMessage({ channel: 'C0CX', text: 'alert' });

    expect(outcome).toEqual({ kind: 'retry', reason: expect.any(String), code: 'ratelimited', retryAfterMs: 2000 });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(stub.calls('chat.postMessage')).toHaveLength(1);
  });

  it('channel_not_found → failed (permanent), sent once', async () => {
    stub.script('chat.postMessage', { ok: false, error: 'channel_not_found' });
    const outcome = await slack.postMessage({ channel: 'C0GONE', text: 'alert' });

    expect(outcome).toEqual({ kind: 'failed', reason: expect.any(String), code: 'channel_not_found' });
    expect(stub.calls('chat.postMessage')).toHaveLength(1);
    expect(logs.lines).toContainEqual(expect.objectContaining({ level: 50, method: 'chat.postMessage', code: 'channel_not_found' }));
  });

  it('HTTP 500 → retry, with no SDK-level retries', async () => {
    stub.script('chat.update', { status: 500 });
    const outcome = await slack.update({ channel: 'C0CX', ts: '1700000000.000100', text: 'x' });

    expect(outcome).toMatchObject({ kind: 'retry', code: 'http_500', maybeDelivered: true });
    expect(stub.calls('chat.update')).toHaveLength(1);
  });

  it('a hung request → retry after the configured timeout, flagged as maybe delivered', async () => {
    stub.script('chat.postMessage', { hang: true });
    const started = Date.now();
    const outcome = await slack.postMessage({ channel: 'C0CX', text: 'alert' });

    expect(outcome).toMatchObject({ kind: 'retry', code: 'timeout', maybeDelivered: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a refused connection → retry', async () => {
    const gone = await startSlackStub();
    const url = gone.url;
    await gone.close();
    const outcome = await new SlackChannel({ botToken: TOKEN, apiUrl: url, timeoutMs: 1000 }).postMessage({ channel: 'C0CX', text: 'alert' });

    // Under jest the SDK loses the error's cause (cross-realm instanceof), so only the kind is asserted here;
    // networkErrorOutcome is tested with a real ECONNREFUSED in provider-errors.spec.ts.
    expect(outcome).toMatchObject({ kind: 'retry', reason: expect.stringContaining('fetch failed') });
  });

  it('a wrong token gets invalid_auth → failed, and the token is never logged', async () => {
    const outcome = await new SlackChannel({ botToken: 'xoxb-wrong-token', apiUrl: stub.url, logger: logs.logger }).postMessage({ channel: 'C0CX', text: 'x' });

    expect(outcome).toMatchObject({ kind: 'failed', code: 'invalid_auth' });
    expect(stub.calls('chat.postMessage')[0].headers.authorization).toBe('Bearer xoxb-wrong-token');
    expect(JSON.stringify(logs.lines)).not.toMatch(/xoxb-/);
  });

  describe('findPostedMessage (conversations.history)', () => {
    const meta = (ticketId: string) => ({ eventType: 'closeloop_alert', payload: { ticket_id: ticketId } });

    it('finds our top-level post by its metadata, asking for metadata and only recent messages', async () => {
      const before = String(Math.floor(Date.now() / 1000) - 60);
      await slack.postMessage({ channel: 'C0CX', text: 'other ticket', metadata: meta('t-1') });
      const mine = await slack.postMessage({ channel: 'C0CX', text: 'alert', metadata: meta('t-2') });
      await slack.postMessage({ channel: 'C0CX', text: 'no metadata' });

      const found = await slack.findPostedMessage({ channel: 'C0CX', ...meta('t-2'), oldest: before });
      expect(found).toEqual({ kind: 'found', ts: mine.kind === 'sent' ? mine.ts : 'x' });
      expect(stub.calls('conversations.history')[0].form).toMatchObject({ channel: 'C0CX', include_all_metadata: 'true', limit: '200', oldest: before });
    });

    it('pages through history, and answers not_found when it is not there', async () => {
      // one after the other: a request still in flight when the test ends would eat the next test's scripted answer
      for (let i = 0; i < 201; i++) {
        expect(await slack.postMessage({ channel: 'C0BUSY', text: `m${i}`, ...(i === 0 ? { metadata: meta('t-old') } : {}) })).toMatchObject({ kind: 'sent' });
      }
      expect(await slack.findPostedMessage({ channel: 'C0BUSY', ...meta('t-old') })).toMatchObject({ kind: 'found' });
      expect(stub.calls('conversations.history')).toHaveLength(2);
      expect(await slack.findPostedMessage({ channel: 'C0BUSY', ...meta('t-never') })).toEqual({ kind: 'not_found' });
    });

    it('with threadTs searches that thread (conversations.replies), not the channel', async () => {
      const reply = (deliveryId: string) => ({ eventType: 'closeloop_reply', payload: { delivery_id: deliveryId } });
      const parent = await slack.postMessage({ channel: 'C0TH', text: 'alert', metadata: meta('t-9') });
      const parentTs = parent.kind === 'sent' ? String(parent.ts) : 'x';
      await slack.postMessage({ channel: 'C0TH', text: 'first', threadTs: parentTs, metadata: reply('d-1') });
      const mine = await slack.postMessage({ channel: 'C0TH', text: 'second', threadTs: parentTs, metadata: reply('d-2') });

      expect(await slack.findPostedMessage({ channel: 'C0TH', threadTs: parentTs, ...reply('d-2') })).toEqual({ kind: 'found', ts: mine.kind === 'sent' ? mine.ts : 'x' });
      expect(stub.calls('conversations.replies')[0].form).toMatchObject({ channel: 'C0TH', ts: parentTs, include_all_metadata: 'true' });
      expect(await slack.findPostedMessage({ channel: 'C0TH', threadTs: parentTs, ...reply('d-3') })).toEqual({ kind: 'not_found' });
      // replies are not channel history: without threadTs the reply is not found
      expect(await slack.findPostedMessage({ channel: 'C0TH', ...reply('d-2') })).toEqual({ kind: 'not_found' });
      stub.script('conversations.replies', { ok: false, error: 'thread_not_found' });
      expect(await slack.findPostedMessage({ channel: 'C0TH', threadTs: parentTs, ...reply('d-2') })).toMatchObject({ kind: 'failed', code: 'thread_not_found' });
    });

    it('a failing history call is a retry or a failure, never "not found"', async () => {
      stub.script('conversations.history', { status: 503 }, { ok: false, error: 'missing_scope' });
      expect(await slack.findPostedMessage({ channel: 'C0CX', ...meta('t-1') })).toMatchObject({ kind: 'retry' });
      expect(await slack.findPostedMessage({ channel: 'C0CX', ...meta('t-1') })).toMatchObject({ kind: 'failed', code: 'missing_scope' });
    });
  });

  describe('provider error table, driven by fixtures through the real SDK', () => {
    it.each(fixtures.cases.map((c) => [c.name, c] as const))('%s', async (_name, fixture) => {
      stub.script('chat.postMessage', fixture.http as SlackStubResponse);
      const outcome = await slack.postMessage({ channel: 'C0CX', text: 'alert' });

      expect(outcome).toMatchObject(fixture.expect);
      expect(stub.calls('chat.postMessage')).toHaveLength(1);
    });
  });
});
