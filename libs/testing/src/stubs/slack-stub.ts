import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { readBody } from './read-body';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Slack Web API and for `response_url` targets. Real SDK clients point at it with
 * `slackApiUrl: stub.url`; it records what they sent and answers like Slack (or as scripted).
 */

/** A scripted answer. `{ok:…}` bodies are sent as HTTP 200 JSON, like Slack's own errors. */
export type SlackStubResponse =
  | ({ ok: false; error: string } & Record<string, unknown>)
  | ({ ok: true } & Record<string, unknown>)
  | { status: number; retryAfter?: number; body?: unknown; headers?: Record<string, string> }
  | { hang: true }
  /**
   * Slack did the work (the message exists, `conversations.history` shows it) but the answer never arrives:
   * the ambiguous timeout a client without an idempotency key has to reconcile.
   */
  | { dropResponse: true }
  /** Answers as Slack would (the default answer, the work done), only after `delayMs`: a slow Slack. */
  | { delayMs: number };

export interface SlackStubRequest {
  /** Web API method (`chat.postMessage`), or `response_url` for posts to `respondUrl(id)`. */
  method: string;
  headers: IncomingHttpHeaders;
  /** Form fields (JSON-valued ones such as `blocks`, `view`, `metadata` parsed), or the JSON body. */
  form: Record<string, any>;
  /** For `response_url` posts: the id given to `respondUrl`. */
  responseUrlId?: string;
  /** `Date.now()` when the request arrived. */
  time: number;
}

/** A message as the stub's channel history holds it, after every `chat.update`. */
export interface SlackStubMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown[];
  metadata?: unknown;
  /** How many times `chat.update` changed it. */
  edits: number;
  /** Every version it had, oldest first: as posted, then after each `chat.update` (the last is the one shown now). */
  versions: SlackStubMessageVersion[];
}

export interface SlackStubMessageVersion {
  text?: string;
  blocks?: unknown[];
}

export interface SlackStubOptions {
  /** When set, only `Bearer <token>` is accepted (others get `invalid_auth` / `not_authed`, like Slack). */
  token?: string;
}

export interface SlackStub {
  /** Base Web API URL ending in `/api/`: pass as `slackApiUrl` / `SLACK_API_URL`. */
  url: string;
  /** Everything received, oldest first. */
  requests: SlackStubRequest[];
  /** Requests for one method. */
  calls(method: string): SlackStubRequest[];
  /** Queues answers for the next calls of `method` (`response_url` for response_url posts); then defaults resume. */
  script(method: string, ...responses: SlackStubResponse[]): void;
  /** Top-level messages and replies as they stand now (updates applied), oldest first. */
  messages(channel?: string): SlackStubMessage[];
  /** A URL that behaves like an interaction's `response_url`. */
  respondUrl(id: string): string;
  /**
   * How many calls of `method` the stub is holding without an answer (`hang`, `dropResponse`) while their client is
   * still connected: a call in flight. A client that gave up (its timeout) or died closed the connection.
   */
  unanswered(method: string): number;
  /** Resolves once `method` has been called `count` times; rejects after `timeoutMs`. */
  waitForCalls(method: string, count?: number, timeoutMs?: number): Promise<SlackStubRequest[]>;
  reset(): void;
  close(): Promise<void>;
}

const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata'];
/** Slack allows a response_url to be used 5 times. */
const RESPONSE_URL_USES = 5;

export async function startSlackStub(options: SlackStubOptions = {}): Promise<SlackStub> {
  const requests: SlackStubRequest[] = [];
  const scripts = new Map<string, SlackStubResponse[]>();
  const history: SlackStubMessage[] = [];
  const responseUrlUses = new Map<string, number>();
  const waiters = new Set<() => void>();
  /** Calls held without an answer, until their connection closes. */
  const held = new Map<ServerResponse, string>();
  let lastTsMicros = 0;

  const nextTs = () => {
    // Like Slack: the posting time in seconds with a 6-digit suffix, unique and increasing per stub
    // ("1795460700.123400"), so `oldest`/`latest` filters of conversations.history mean what they mean in Slack.
    lastTsMicros = Math.max(Date.now() * 1000, lastTsMicros + 100);
    return `${Math.floor(lastTsMicros / 1_000_000)}.${String(lastTsMicros % 1_000_000).padStart(6, '0')}`;
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { ok: false, error: 'stub_internal_error', detail: String(err) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://stub').pathname;
    const raw = await readBody(req);
    const time = Date.now();

    const respondMatch = /^\/response\/([^/]+)$/.exec(path);
    if (respondMatch) {
      const id = decodeURIComponent(respondMatch[1]);
      let body: Record<string, any> = {};
      try {
        body = JSON.parse(raw || '{}');
      } catch {
        body = { _raw: raw };
      }
      record({ method: 'response_url', headers: req.headers, form: body, responseUrlId: id, time });
      if (req.method !== 'POST') return send(res, 405, 'method_not_allowed');
      if (answerScripted('response_url', res)) return;
      const uses = (responseUrlUses.get(id) ?? 0) + 1;
      responseUrlUses.set(id, uses);
      if (uses > RESPONSE_URL_USES) return send(res, 404, { ok: false, error: 'used_url' });
      if (!/^application\/json/i.test(req.headers['content-type'] ?? '')) return send(res, 400, { ok: false, error: 'invalid_payload' });
      return send(res, 200, { ok: true });
    }

    const apiMatch = /^\/api\/([A-Za-z0-9_.]+)$/.exec(path);
    if (!apiMatch || req.method !== 'POST') return send(res, 404, { ok: false, error: 'unknown_method' });
    const method = apiMatch[1];
    const form = parseForm(raw, req.headers['content-type']);
    record({ method, headers: req.headers, form, time });

    const queue = scripts.get(method);
    const dropResponse = queue?.[0] !== undefined && 'dropResponse' in queue[0];
    const delayed = queue?.[0] !== undefined && 'delayMs' in queue[0] ? queue.shift() as { delayMs: number } : undefined;
    if (delayed) await new Promise((r) => setTimeout(r, delayed.delayMs));
    else if (dropResponse) queue?.shift();
    else if (answerScripted(method, res)) return;

    const auth = req.headers.authorization ?? (typeof form.token === 'string' ? `Bearer ${form.token}` : undefined);
    if (options.token !== undefined) {
      if (!auth) return send(res, 200, { ok: false, error: 'not_authed' });
      if (auth !== `Bearer ${options.token}`) return send(res, 200, { ok: false, error: 'invalid_auth' });
    }
    const answer = defaultAnswer(method, form);
    // the work is done (a posted message stays in history), but the answer is lost; close() destroys the socket
    if (dropResponse) return hold(method, res);
    send(res, 200, answer);
  }

  function record(r: SlackStubRequest): void {
    requests.push(r);
    for (const w of [...waiters]) w();
  }

  function hold(method: string, res: ServerResponse): void {
    held.set(res, method);
    res.on('close', () => held.delete(res));
  }

  function answerScripted(method: string, res: ServerResponse): boolean {
    const queue = scripts.get(method);
    const next = queue?.shift();
    if (next === undefined) return false;
    if ('hang' in next || 'dropResponse' in next) {
      hold(method, res); // never answer; close() destroys the socket
      return true;
    }
    if ('status' in next && typeof next.status === 'number') {
      const headers: Record<string, string> = { ...(next.headers ?? {}) };
      if (next.retryAfter !== undefined) headers['Retry-After'] = String(next.retryAfter);
      const body = next.body ?? (next.status === 429 ? { ok: false, error: 'ratelimited' } : `<html><body>HTTP ${next.status}</body></html>`);
      send(res, next.status, body, headers);
      return true;
    }
    send(res, 200, next);
    return true;
  }

  function defaultAnswer(method: string, form: Record<string, any>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://closeloop-test.slack.com/', team: 'Closeloop Test', user: 'closeloop', team_id: 'T0STUB', user_id: 'U0BOT', bot_id: 'B0BOT', is_enterprise_install: false };
      case 'chat.postMessage': {
        const channel = str(form.channel);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (!str(form.text) && !form.blocks && !form.attachments) return { ok: false, error: 'no_text' };
        if (form.blocks !== undefined && !Array.isArray(form.blocks)) return { ok: false, error: 'invalid_blocks_format' };
        const threadTs = str(form.thread_ts);
        const ts = nextTs();
        const stored: SlackStubMessage = {
          channel, ts, edits: 0, text: str(form.text), blocks: form.blocks, metadata: form.metadata, ...(threadTs ? { thread_ts: threadTs } : {}),
          versions: [{ text: str(form.text), blocks: form.blocks }],
        };
        history.push(stored);
        return { ok: true, channel, ts, message: messageBody(stored) };
      }
      case 'chat.update': {
        const channel = str(form.channel);
        const ts = str(form.ts);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const stored = history.find((m) => m.channel === channel && m.ts === ts);
        if (!stored) return { ok: false, error: 'message_not_found' };
        if (!str(form.text) && !form.blocks && !form.attachments) return { ok: false, error: 'no_text' };
        // https://docs.slack.dev/reference/methods/chat.update: "If you don't include blocks, the message's previous
        // blocks will only be retained if the text argument is not provided. If the text argument is provided and
        // blocks are not provided, the blocks will be removed"; an empty array removes them too.
        const text = str(form.text);
        if (form.blocks !== undefined) stored.blocks = form.blocks;
        else if (text) stored.blocks = undefined;
        stored.text = text;
        stored.edits += 1;
        stored.versions.push({ text: stored.text, blocks: stored.blocks });
        return { ok: true, channel, ts, text: stored.text, message: messageBody(stored) };
      }
      case 'conversations.history':
        return history_(form);
      case 'conversations.replies':
        return replies_(form);
      case 'chat.postEphemeral':
        return str(form.channel) ? { ok: true, message_ts: nextTs() } : { ok: false, error: 'channel_not_found' };
      case 'views.open': {
        if (!str(form.trigger_id)) return { ok: false, error: 'invalid_arguments' };
        if (!form.view || typeof form.view !== 'object') return { ok: false, error: 'invalid_arguments' };
        const id = `V${String(requests.length).padStart(10, '0')}`;
        return { ok: true, view: { ...form.view, id, team_id: 'T0STUB', hash: `${Date.now()}.stub`, state: { values: {} } } };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /**
   * `conversations.history` as Slack answers it: the channel's top-level messages (thread replies are not part of
   * channel history), newest first, within `oldest`/`latest` (exclusive unless `inclusive`), `limit` per page with a
   * cursor, and message `metadata` only when `include_all_metadata` is true.
   */
  function history_(form: Record<string, any>): Record<string, unknown> {
    const channel = str(form.channel);
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const q = timeline(form, 100, 999);
    const all = history
      .filter((m) => m.channel === channel && (m.thread_ts === undefined || m.thread_ts === m.ts) && q.inRange(Number(m.ts)))
      .sort((a, b) => Number(b.ts) - Number(a.ts));
    const { page, more, nextCursor } = q.page(all);
    return {
      ok: true,
      messages: page.map((m) => ({
        ...messageBody(m),
        ...(q.withMetadata && m.metadata ? { metadata: m.metadata } : {}),
        ...(history.some((r) => r.thread_ts === m.ts && r.ts !== m.ts) ? { thread_ts: m.ts, reply_count: history.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts).length } : {}),
      })),
      has_more: more,
      pin_count: 0,
      channel_actions_ts: null,
      channel_actions_count: 0,
      response_metadata: { next_cursor: nextCursor },
    };
  }

  /** What conversations.history and conversations.replies share: `oldest`/`latest`/`inclusive`, metadata, `limit` and the cursor. */
  function timeline(form: Record<string, any>, defaultLimit: number, maxLimit: number) {
    const limit = Math.min(Math.max(Number(form.limit ?? defaultLimit) || defaultLimit, 1), maxLimit);
    const inclusive = form.inclusive === 'true' || form.inclusive === true;
    const oldest = Number(form.oldest ?? 0);
    const latest = form.latest !== undefined ? Number(form.latest) : Infinity;
    const start = form.cursor ? Number(Buffer.from(String(form.cursor), 'base64').toString('utf8').replace(/^offset:/, '')) || 0 : 0;
    return {
      withMetadata: form.include_all_metadata === 'true' || form.include_all_metadata === true,
      inRange: (t: number) => (inclusive ? t >= oldest && t <= latest : t > oldest && t < latest),
      page: <T>(all: T[]) => {
        const more = start + limit < all.length;
        return { page: all.slice(start, start + limit), more, nextCursor: more ? Buffer.from(`offset:${start + limit}`).toString('base64') : '' };
      },
    };
  }

  /**
   * `conversations.replies` as Slack answers it (https://api.slack.com/methods/conversations.replies): the thread of
   * `ts` — its parent first, then the replies, oldest first — within `oldest`/`latest`, `limit` per page with a
   * cursor, `metadata` only with `include_all_metadata`; `thread_not_found` when there is no such message.
   */
  function replies_(form: Record<string, any>): Record<string, unknown> {
    const channel = str(form.channel);
    const ts = str(form.ts);
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const parent = history.find((m) => m.channel === channel && m.ts === ts);
    if (!ts || !parent) return { ok: false, error: 'thread_not_found' };
    const q = timeline(form, 1000, 1000);
    const replies = history.filter((m) => m.channel === channel && m.thread_ts === ts && m.ts !== ts);
    const all = [parent, ...replies.filter((m) => q.inRange(Number(m.ts))).sort((a, b) => Number(a.ts) - Number(b.ts))];
    const { page, more, nextCursor } = q.page(all);
    return {
      ok: true,
      messages: page.map((m) => ({
        ...messageBody(m),
        thread_ts: ts,
        ...(m === parent ? { reply_count: replies.length } : { parent_user_id: 'U0BOT' }),
        ...(q.withMetadata && m.metadata ? { metadata: m.metadata } : {}),
      })),
      has_more: more,
      response_metadata: { next_cursor: nextCursor },
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    url: `${base}/api/`,
    requests,
    calls: (method) => requests.filter((r) => r.method === method),
    script: (method, ...responses) => {
      scripts.set(method, [...(scripts.get(method) ?? []), ...responses]);
    },
    messages: (channel) => history.filter((m) => channel === undefined || m.channel === channel).map((m) => ({ ...m, versions: m.versions.map((v) => ({ ...v })) })),
    respondUrl: (id) => `${base}/response/${encodeURIComponent(id)}`,
    unanswered: (method) => [...held.values()].filter((m) => m === method).length,
    waitForCalls: (method, count = 1, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const got = requests.filter((r) => r.method === method);
          if (got.length < count) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(got);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`slack stub: expected ${count} ${method} call(s) within ${timeoutMs} ms, got ${requests.filter((r) => r.method === method).length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    reset: () => {
      requests.length = 0;
      scripts.clear();
      history.length = 0;
      responseUrlUses.clear();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function messageBody(m: SlackStubMessage): Record<string, unknown> {
  return {
    type: 'message',
    user: 'U0BOT',
    bot_id: 'B0BOT',
    app_id: 'A0STUB',
    team: 'T0STUB',
    ts: m.ts,
    text: m.text ?? '',
    ...(m.blocks ? { blocks: m.blocks } : {}),
    ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
    ...(m.edits > 0 ? { edited: { user: 'B0BOT', ts: m.ts } } : {}),
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function parseForm(raw: string, contentType: string | undefined): Record<string, any> {
  if (/^application\/json/i.test(contentType ?? '')) {
    try {
      return JSON.parse(raw || '{}');
    } catch {
      return {};
    }
  }
  const form: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    form[key] = value;
    if (JSON_FIELDS.includes(key)) {
      try {
        form[key] = JSON.parse(value);
      } catch {
        // left as the raw string: the product sent something that is not JSON, which a test may want to see
      }
    }
  }
  return form;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const isText = typeof body === 'string';
  res.writeHead(status, { 'Content-Type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8', ...headers });
  res.end(isText ? body : JSON.stringify(body));
}
