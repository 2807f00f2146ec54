import { randomBytes } from 'node:crypto';
import { readBody } from './read-body';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getExpectedTwilioSignature } from 'twilio';

/**
 * A local stand-in for Twilio's Messages API. The product's Twilio client is redirected to it through
 * `TWILIO_API_URL` (a custom `httpClient`); it checks Basic auth, records what was sent and answers like Twilio.
 */

export type TwilioStubResponse =
  /** An error the way Twilio sends one: `{code, message, more_info, status}`. Omit `code` for a bare HTTP error. */
  | { status: number; code?: number; message?: string; retryAfter?: number; body?: unknown; headers?: Record<string, string> }
  | { hang: true };

export interface TwilioStubRequest {
  /** `POST` (send), `GET` (list) or `DELETE` (a message record). */
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  form: Record<string, string>;
  To?: string;
  From?: string;
  MessagingServiceSid?: string;
  Body?: string;
  StatusCallback?: string;
  /** Decoded Basic credentials, if any were sent. */
  auth?: { username: string; password: string };
  time: number;
}

/** A created message, as Twilio's 201 body describes it. */
export interface TwilioStubMessage {
  sid: string;
  account_sid: string;
  api_version: string;
  to: string;
  from: string | null;
  messaging_service_sid: string | null;
  body: string;
  status: string;
  direction: 'outbound-api' | 'inbound';
  num_segments: string;
  num_media: string;
  error_code: number | null;
  error_message: string | null;
  price: string | null;
  price_unit: string;
  date_created: string;
  date_updated: string;
  date_sent: string | null;
  uri: string;
  subresource_uris: Record<string, string>;
  /** Not part of Twilio's answer: the StatusCallback the message was created with. */
  statusCallback?: string;
}

export interface TwilioStub {
  /** Base URL to put in `TWILIO_API_URL`. */
  url: string;
  requests: TwilioStubRequest[];
  /** Messages created successfully, oldest first. */
  messages: TwilioStubMessage[];
  /** Queues answers for the next Messages.json POSTs; then successes resume. */
  script(...responses: TwilioStubResponse[]): void;
  /** Queues answers for the next Messages.json GETs (message list); then real lists resume. */
  listScript(...responses: TwilioStubResponse[]): void;
  /**
   * Plays a phone texting our number: the account gets an inbound message record (`direction: 'inbound'`, listed and
   * deletable like the others); returns it, so a test can post the incoming-message webhook with its `MessageSid`.
   */
  receive(message: { from: string; to: string; body: string }): TwilioStubMessage;
  /** SIDs whose message record a `DELETE …/Messages/{Sid}.json` removed (answered 204), in order. */
  deleted: string[];
  /** Queues answers for the next `DELETE …/Messages/{Sid}.json`; then real deletions resume. */
  deleteScript(...responses: TwilioStubResponse[]): void;
  /**
   * Plays Twilio's part of a status callback: POSTs a signed form (`MessageSid`, `MessageStatus`, `ErrorCode`, …)
   * to the StatusCallback the message was created with.
   */
  deliverStatus(sid: string, status: string, extra?: Record<string, string>): Promise<{ status: number; body: string }>;
  /** Resolves once `count` requests have arrived; rejects after `timeoutMs`. */
  waitForRequests(count?: number, timeoutMs?: number): Promise<TwilioStubRequest[]>;
  reset(): void;
  close(): Promise<void>;
}

export interface TwilioStubOptions {
  accountSid: string;
  authToken: string;
}

/** Signs a callback the way Twilio does (`X-Twilio-Signature`). */
export function signTwilioCallback(authToken: string, url: string, params: Record<string, string>): string {
  return getExpectedTwilioSignature(authToken, url, params);
}

export async function startTwilioStub(options: TwilioStubOptions): Promise<TwilioStub> {
  const { accountSid, authToken } = options;
  const requests: TwilioStubRequest[] = [];
  const messages: TwilioStubMessage[] = [];
  const scripts: TwilioStubResponse[] = [];
  const listScripts: TwilioStubResponse[] = [];
  const deleteScripts: TwilioStubResponse[] = [];
  const deleted: string[] = [];
  const waiters = new Set<() => void>();

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, 20500, `stub internal error: ${String(err)}`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://stub').pathname;
    const raw = await readBody(req);
    const form = Object.fromEntries(new URLSearchParams(raw));
    const auth = parseBasic(req.headers.authorization);
    requests.push({
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      form,
      To: form.To,
      From: form.From,
      MessagingServiceSid: form.MessagingServiceSid,
      Body: form.Body,
      StatusCallback: form.StatusCallback,
      auth,
      time: Date.now(),
    });
    for (const w of [...waiters]) w();

    if (!auth || auth.username !== accountSid || auth.password !== authToken) {
      res.setHeader('WWW-Authenticate', 'Basic realm="Twilio API"');
      return sendError(res, 401, 20003, 'Authenticate');
    }
    const one = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\.json$/.exec(path);
    if (one && req.method === 'DELETE') return deleteMessage(res, path, one[1], one[2]);
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
    if (!match || (req.method !== 'POST' && req.method !== 'GET')) return sendError(res, 404, 20404, `The requested resource ${path} was not found`);
    if (match[1] !== accountSid) return sendError(res, 404, 20404, `The requested resource ${path} was not found`);
    if (req.method === 'GET') return listMessages(res, path, new URL(req.url ?? '/', 'http://stub').searchParams);

    const scripted = scripts.shift();
    if (scripted !== undefined) return answerScripted(res, scripted);

    // Twilio's own request validation, in its order.
    if (!form.To) return sendError(res, 400, 21604, "A 'To' phone number is required.");
    if (!form.From && !form.MessagingServiceSid) return sendError(res, 400, 21603, "A 'From' phone number is required.");
    if (!form.Body && !form.MediaUrl) return sendError(res, 400, 21602, 'Message body is required.');
    if (!/^\+[1-9]\d{6,14}$/.test(form.To)) return sendError(res, 400, 21211, `Invalid 'To' Phone Number: ${form.To}`);
    if ((form.Body ?? '').length > 1600) return sendError(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');

    const sid = `SM${randomBytes(16).toString('hex')}`;
    const now = rfc2822(new Date());
    const message: TwilioStubMessage = {
      sid,
      account_sid: accountSid,
      api_version: '2010-04-01',
      to: form.To,
      from: form.From ?? null,
      messaging_service_sid: form.MessagingServiceSid ?? null,
      body: form.Body ?? '',
      // A Messaging Service first accepts, then queues.
      status: form.MessagingServiceSid ? 'accepted' : 'queued',
      direction: 'outbound-api',
      num_segments: String(segmentCount(form.Body ?? '')),
      num_media: '0',
      error_code: null,
      error_message: null,
      price: null,
      price_unit: 'USD',
      date_created: now,
      date_updated: now,
      date_sent: null,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
      subresource_uris: {
        media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json`,
        feedback: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Feedback.json`,
      },
    };
    messages.push({ ...message, ...(form.StatusCallback ? { statusCallback: form.StatusCallback } : {}) });
    send(res, 201, message);
  }

  /**
   * `GET Messages.json` as Twilio answers it: newest first, filtered by `To`/`From`, one page of `PageSize`
   * (default 50; the stub has no further pages). Scripted answers apply to it too (`listScript`).
   */
  function listMessages(res: ServerResponse, path: string, query: URLSearchParams): void {
    const scripted = listScripts.shift();
    if (scripted !== undefined) return answerScripted(res, scripted);
    const to = query.get('To');
    const from = query.get('From');
    const pageSize = Math.min(1000, Math.max(1, Number(query.get('PageSize')) || 50));
    const found = messages
      .filter((m) => (!to || m.to === to) && (!from || m.from === from))
      .reverse()
      .slice(0, pageSize)
      .map(({ statusCallback: _callback, ...m }) => m);
    const uri = `${path}?${query.toString()}`;
    send(res, 200, {
      messages: found,
      end: Math.max(0, found.length - 1),
      first_page_uri: uri,
      next_page_uri: null,
      page: 0,
      page_size: pageSize,
      previous_page_uri: null,
      start: 0,
      uri,
    });
  }

  /**
   * "Delete a Message resource" as Twilio documents it: `DELETE /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json`
   * answers `204 No Content` with no body and the record is gone from the account (no longer listed); a SID the
   * account does not have (never existed, or already deleted) answers `404` with error 20404.
   * https://www.twilio.com/docs/messaging/api/message-resource#delete-a-message-resource
   * https://www.twilio.com/docs/api/errors/20404
   */
  function deleteMessage(res: ServerResponse, path: string, account: string, sid: string): void {
    const scripted = deleteScripts.shift();
    if (scripted !== undefined) return answerScripted(res, scripted);
    const i = messages.findIndex((m) => m.sid === sid);
    if (account !== accountSid || i < 0) return sendError(res, 404, 20404, `The requested resource ${path} was not found`);
    messages.splice(i, 1);
    deleted.push(sid);
    res.writeHead(204);
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    messages,
    script: (...responses) => {
      scripts.push(...responses);
    },
    listScript: (...responses) => {
      listScripts.push(...responses);
    },
    receive: ({ from, to, body }) => {
      const sid = `SM${randomBytes(16).toString('hex')}`;
      const now = rfc2822(new Date());
      const message: TwilioStubMessage = {
        sid, account_sid: accountSid, api_version: '2010-04-01', to, from, messaging_service_sid: null, body, status: 'received', direction: 'inbound',
        num_segments: String(segmentCount(body)), num_media: '0', error_code: null, error_message: null, price: null, price_unit: 'USD',
        date_created: now, date_updated: now, date_sent: now, uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
        subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json`, feedback: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Feedback.json` },
      };
      messages.push(message);
      return { ...message };
    },
    deleted,
    deleteScript: (...responses) => {
      deleteScripts.push(...responses);
    },
    deliverStatus: async (sid, status, extra = {}) => {
      const message = messages.find((m) => m.sid === sid);
      if (!message) throw new Error(`twilio stub: no message ${sid}`);
      if (!message.statusCallback) throw new Error(`twilio stub: message ${sid} was sent without a StatusCallback`);
      message.status = status;
      message.date_updated = rfc2822(new Date());
      const params: Record<string, string> = {
        AccountSid: accountSid,
        ApiVersion: '2010-04-01',
        From: message.from ?? '',
        To: message.to,
        MessageSid: sid,
        SmsSid: sid,
        MessageStatus: status,
        SmsStatus: status,
        ...(message.messaging_service_sid ? { MessagingServiceSid: message.messaging_service_sid } : {}),
        ...extra,
      };
      const res = await fetch(message.statusCallback, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
          'X-Twilio-Signature': signTwilioCallback(authToken, message.statusCallback, params),
          'User-Agent': 'TwilioProxy/1.1',
        },
        body: new URLSearchParams(params).toString(),
      });
      return { status: res.status, body: await res.text() };
    },
    waitForRequests: (count = 1, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve([...requests]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`twilio stub: expected ${count} request(s) within ${timeoutMs} ms, got ${requests.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    reset: () => {
      requests.length = 0;
      messages.length = 0;
      scripts.length = 0;
      listScripts.length = 0;
      deleteScripts.length = 0;
      deleted.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function answerScripted(res: ServerResponse, scripted: TwilioStubResponse): void {
  if ('hang' in scripted) return; // never answer; close() destroys the socket
  const headers: Record<string, string> = { ...(scripted.headers ?? {}) };
  if (scripted.retryAfter !== undefined) headers['Retry-After'] = String(scripted.retryAfter);
  if (scripted.body !== undefined) return send(res, scripted.status, scripted.body, headers);
  if (scripted.code === undefined) return send(res, scripted.status, `<html><body>HTTP ${scripted.status}</body></html>`, headers);
  return sendError(res, scripted.status, scripted.code, scripted.message ?? `Error ${scripted.code}`, headers);
}

function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  const m = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? undefined : { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

// GSM 03.38: basic set (1 septet) and extension table (2 septets). Anything else forces UCS-2.
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';

/** Segments as Twilio counts them: 160/153 GSM-7 septets, or 70/67 UCS-2 code units. */
export function segmentCount(body: string): number {
  let septets = 0;
  let gsm = true;
  for (const ch of body) {
    if (GSM_BASIC.includes(ch)) septets += 1;
    else if (GSM_EXTENDED.includes(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  const units = body.length; // UTF-16 code units, as UCS-2 counts them
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

function rfc2822(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

function sendError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  send(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const isText = typeof body === 'string';
  res.writeHead(status, { 'Content-Type': isText ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8', ...headers });
  res.end(isText ? body : JSON.stringify(body));
}
