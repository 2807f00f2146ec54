import { LogLevel, WebClient } from '@slack/web-api';
import { startSlackStub, type SlackStub } from './slack-stub';
import { waitFor } from '../harness';

describe('Slack stub', () => {
  let stub: SlackStub;
  let client: WebClient;

  beforeAll(async () => {
    stub = await startSlackStub();
  });
  afterAll(() => stub.close());
  beforeEach(() => {
    stub.reset();
    client = new WebClient('xoxb-stub', { slackApiUrl: stub.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logLevel: LogLevel.ERROR });
  });

  it('serves the Web API under /api/', () => {
    expect(stub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('answers auth.test like Slack', async () => {
    expect(await client.auth.test()).toMatchObject({ ok: true, team_id: 'T0STUB', user_id: 'U0BOT', bot_id: 'B0BOT' });
    expect(stub.calls('auth.test')).toHaveLength(1);
  });

  it('hands out unique Slack-shaped ts values and keeps channel history with updates applied', async () => {
    const a = await client.chat.postMessage({ channel: 'C1', text: 'one' });
    const b = await client.chat.postMessage({ channel: 'C1', text: 'two', thread_ts: a.ts });
    await client.chat.postMessage({ channel: 'C2', text: 'elsewhere' });
    await client.chat.update({ channel: 'C1', ts: String(a.ts), text: 'one (edited)' });

    expect(a.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Math.abs(Number(a.ts) - Date.now() / 1000)).toBeLessThan(5);
    expect(Number(b.ts)).toBeGreaterThan(Number(a.ts));
    expect(a).toMatchObject({ ok: true, channel: 'C1', message: { type: 'message', text: 'one', ts: a.ts, bot_id: 'B0BOT' } });
    expect(stub.messages('C1')).toEqual([
      expect.objectContaining({ ts: a.ts, text: 'one (edited)', edits: 1 }),
      expect.objectContaining({ ts: b.ts, thread_ts: a.ts, text: 'two', edits: 0 }),
    ]);
    expect(stub.messages()).toHaveLength(3);
  });

  it('answers like Slack when arguments are wrong', async () => {
    await expect(client.chat.update({ channel: 'C1', ts: '1.2', text: 'x' })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
    await expect(client.apiCall('chat.postMessage', { channel: 'C1' })).rejects.toMatchObject({ data: { error: 'no_text' } });
    await expect(client.apiCall('no.such.method')).rejects.toMatchObject({ data: { error: 'unknown_method' } });
  });

  it('checks the token when told to', async () => {
    const guarded = await startSlackStub({ token: 'xoxb-right' });
    try {
      const wrong = new WebClient('xoxb-wrong', { slackApiUrl: guarded.url, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
      const none = new WebClient(undefined, { slackApiUrl: guarded.url, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
      await expect(wrong.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
      await expect(none.auth.test()).rejects.toMatchObject({ data: { error: 'not_authed' } });
      await expect(new WebClient('xoxb-right', { slackApiUrl: guarded.url }).auth.test()).resolves.toMatchObject({ ok: true });
    } finally {
      await guarded.close();
    }
  });

  it('plays scripted answers in order, per method, then falls back to defaults', async () => {
    stub.script('chat.postMessage', { ok: false, error: 'not_in_channel' }, { status: 429, retryAfter: 2 });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({ data: { error: 'not_in_channel' } });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({ retryAfter: 2 });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).resolves.toMatchObject({ ok: true });
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true });
  });

  it('records a response_url post and limits it to 5 uses', async () => {
    const url = stub.respondUrl('abc');
    for (let i = 1; i <= 6; i++) {
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: `n${i}` }) });
      expect(res.status).toBe(i <= 5 ? 200 : 404);
    }
    expect(stub.calls('response_url').map((r) => [r.responseUrlId, r.form.text])).toEqual([1, 2, 3, 4, 5, 6].map((i) => ['abc', `n${i}`]));
  });

  it('waitForCalls resolves when the calls arrive and rejects on timeout', async () => {
    const waiting = stub.waitForCalls('chat.postMessage', 2, 2000);
    await client.chat.postMessage({ channel: 'C1', text: 'a' });
    await client.chat.postMessage({ channel: 'C1', text: 'b' });
    await expect(waiting).resolves.toHaveLength(2);
    await expect(stub.waitForCalls('views.open', 1, 50)).rejects.toThrow(/views.open/);
  });

  it('answers conversations.history like Slack: top-level only, newest first, metadata on request, paged', async () => {
    const meta = { event_type: 'closeloop_alert', event_payload: { ticket_id: 't-1' } };
    const a = await client.chat.postMessage({ channel: 'C1', text: 'alert', metadata: meta });
    await client.chat.postMessage({ channel: 'C1', text: 'reply', thread_ts: a.ts });
    const b = await client.chat.postMessage({ channel: 'C1', text: 'second' });
    await client.chat.postMessage({ channel: 'C2', text: 'elsewhere' });

    const plain = await client.conversations.history({ channel: 'C1' });
    expect(plain.messages?.map((m) => m.text)).toEqual(['second', 'alert']);
    expect(plain.messages?.[1]).toMatchObject({ ts: a.ts, thread_ts: a.ts, reply_count: 1 });
    expect(plain.messages?.[1]).not.toHaveProperty('metadata');

    const withMeta = await client.conversations.history({ channel: 'C1', include_all_metadata: true });
    expect(withMeta.messages?.[1]).toMatchObject({ metadata: meta });

    const since = await client.conversations.history({ channel: 'C1', oldest: a.ts });
    expect(since.messages?.map((m) => m.ts)).toEqual([b.ts]);

    const page1 = await client.conversations.history({ channel: 'C1', limit: 1 });
    expect(page1).toMatchObject({ has_more: true, messages: [{ ts: b.ts }] });
    const page2 = await client.conversations.history({ channel: 'C1', limit: 1, cursor: page1.response_metadata?.next_cursor });
    expect(page2).toMatchObject({ has_more: false, messages: [{ ts: a.ts }], response_metadata: { next_cursor: '' } });
    expect((await client.conversations.history({ channel: 'C9' })).messages).toEqual([]);
  });

  it('answers conversations.replies like Slack: the parent then its replies oldest first, metadata on request, paged', async () => {
    const meta = { event_type: 'closeloop_reply', event_payload: { delivery_id: 'd-1' } };
    const parent = await client.chat.postMessage({ channel: 'C1', text: 'alert' });
    const parentTs = String(parent.ts);
    const r1 = await client.chat.postMessage({ channel: 'C1', text: 'first reply', thread_ts: parent.ts, metadata: meta });
    const r2 = await client.chat.postMessage({ channel: 'C1', text: 'second reply', thread_ts: parent.ts });
    await client.chat.postMessage({ channel: 'C1', text: 'not in the thread' });

    const thread = await client.conversations.replies({ channel: 'C1', ts: parentTs });
    expect(thread.messages?.map((m) => m.text)).toEqual(['alert', 'first reply', 'second reply']);
    expect(thread.messages?.[0]).toMatchObject({ ts: parent.ts, thread_ts: parent.ts, reply_count: 2 });
    expect(thread.messages?.[1]).toMatchObject({ ts: r1.ts, thread_ts: parent.ts, parent_user_id: 'U0BOT' });
    expect(thread.messages?.[1]).not.toHaveProperty('metadata');

    const withMeta = await client.conversations.replies({ channel: 'C1', ts: parentTs, include_all_metadata: true });
    expect(withMeta.messages?.[1]).toMatchObject({ metadata: meta });
    const since = await client.conversations.replies({ channel: 'C1', ts: parentTs, oldest: r1.ts });
    expect(since.messages?.map((m) => m.ts)).toEqual([parent.ts, r2.ts]);

    const page1 = await client.conversations.replies({ channel: 'C1', ts: parentTs, limit: 2 });
    expect(page1).toMatchObject({ has_more: true, messages: [{ ts: parent.ts }, { ts: r1.ts }] });
    const page2 = await client.conversations.replies({ channel: 'C1', ts: parentTs, limit: 2, cursor: page1.response_metadata?.next_cursor });
    expect(page2).toMatchObject({ has_more: false, messages: [{ ts: r2.ts }] });
    await expect(client.conversations.replies({ channel: 'C1', ts: '1.000001' })).rejects.toMatchObject({ data: { error: 'thread_not_found' } });
  });

  it('dropResponse: does the work but never answers, so only history tells', async () => {
    const dropping = await startSlackStub();
    try {
      dropping.script('chat.postMessage', { dropResponse: true });
      const c = new WebClient('x', { slackApiUrl: dropping.url, retryConfig: { retries: 0 }, timeout: 200, logLevel: LogLevel.ERROR });
      await expect(c.chat.postMessage({ channel: 'C1', text: 'lost answer' })).rejects.toBeDefined();
      expect(dropping.messages('C1')).toEqual([expect.objectContaining({ text: 'lost answer' })]);
      await expect(c.chat.postMessage({ channel: 'C1', text: 'next' })).resolves.toMatchObject({ ok: true });
    } finally {
      await dropping.close();
    }
  });

  it('keeps every version of a message; chat.update with text and no blocks removes the blocks, as Slack documents', async () => {
    const c = new WebClient('x', { slackApiUrl: stub.url, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'Ayşe said hi' } }];
    const posted = await c.chat.postMessage({ channel: 'CV', text: 'Ayşe said hi', blocks });
    const ts = String(posted.ts);
    const redacted = [{ type: 'section', text: { type: 'mrkdwn', text: 'erased' } }];
    await c.chat.update({ channel: 'CV', ts, text: 'erased', blocks: redacted });
    await c.chat.update({ channel: 'CV', ts, text: 'plain' });
    const [m] = stub.messages('CV');
    expect(m.versions).toEqual([{ text: 'Ayşe said hi', blocks }, { text: 'erased', blocks: redacted }, { text: 'plain', blocks: undefined }]);
    expect(m).toMatchObject({ text: 'plain', edits: 2 });
    expect(m.blocks).toBeUndefined();
    await expect(c.chat.update({ channel: 'CV', ts: '1.000001', text: 'x' })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
  });

  it('delayMs: answers as Slack would, later', async () => {
    const c = new WebClient('x', { slackApiUrl: stub.url, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
    const posted = await c.chat.postMessage({ channel: 'CD', text: 'a' });
    stub.script('chat.update', { delayMs: 300 });
    const started = Date.now();
    await expect(c.chat.update({ channel: 'CD', ts: String(posted.ts), text: 'b' })).resolves.toMatchObject({ ok: true, ts: posted.ts });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(stub.messages('CD')[0].text).toBe('b');
  });

  it('counts a hanging call as unanswered while its client waits, and no longer once the client gives up', async () => {
    stub.script('chat.update', { hang: true });
    const c = new WebClient('x', { slackApiUrl: stub.url, retryConfig: { retries: 0 }, timeout: 300, logLevel: LogLevel.ERROR });
    const pending = c.chat.update({ channel: 'CH', ts: '1.000001', text: 'x' }).catch((e: unknown) => e);
    await stub.waitForCalls('chat.update');
    expect(stub.unanswered('chat.update')).toBe(1);
    expect(stub.unanswered('chat.postMessage')).toBe(0);
    expect(await pending).toMatchObject({ code: 'slack_webapi_request_error' }); // the client's timeout closed the request
    await waitFor(() => stub.unanswered('chat.update') === 0, { what: 'the closed call no longer counted' });
  });

  it('closes even while a request hangs', async () => {
    const hanging = await startSlackStub();
    hanging.script('chat.postMessage', { hang: true });
    const pending = new WebClient('x', { slackApiUrl: hanging.url, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR }).chat.postMessage({ channel: 'C', text: 'x' }).catch((e: unknown) => e);
    await hanging.waitForCalls('chat.postMessage');
    await hanging.close();
    expect(await pending).toMatchObject({ code: 'slack_webapi_request_error' });
  });
});
