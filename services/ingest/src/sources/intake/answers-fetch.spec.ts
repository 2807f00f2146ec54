import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchAnswers, MAX_RESPONSE_BYTES, type FetchPolicy } from './answers-fetch';

/** A local vendor API: each test sets how it answers; every request is counted. */
let server: Server;
let url: string;
let requests = 0;
let handler: (req: IncomingMessage, res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/responses/r-1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  requests = 0;
});

const policy: FetchPolicy = { timeoutMs: 10_000, attempts: 3, backoffMs: () => 0 };
const noSleep = () => Promise.resolve();
const fetchIt = () => fetchAnswers({ url, headers: { authorization: 'Bearer t' } }, policy, noSleep);

/**
 * Streams 64 KiB chunks without a Content-Length (so chunked), up to `total` bytes, waiting on the socket as it
 * drains; `sent` resolves with what the socket took once the response ends or the client goes away.
 */
function streamChunked(total: number): Promise<number> {
  return new Promise((resolveSent) => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      let closed = false;
      res.on('close', () => {
        closed = true;
        resolveSent(sent);
      });
      const pump = () => {
        while (!closed && sent < total) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!closed) res.end();
      };
      pump();
    };
  });
}

describe('fetchAnswers: the size limit', () => {
  it('stops reading a chunked body (no Content-Length) once it passes MAX_RESPONSE_BYTES, and fails at once', async () => {
    const total = 64 * 1024 * 1024;
    const sent = streamChunked(total);
    const result = await fetchIt();
    expect(result).toEqual({ ok: false, reason: 'the API answered with more than 5 MiB' });
    expect(requests).toBe(1); // not retried: the next try would be as large
    // the connection was dropped: far less than the whole body ever left the server
    expect(await sent).toBeLessThan(total / 2);
  });

  it('still refuses on a Content-Length over the limit without reading the body', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(MAX_RESPONSE_BYTES + 1) });
      res.write('{');
    };
    expect(await fetchIt()).toEqual({ ok: false, reason: 'the API answered with more than 5 MiB' });
    expect(requests).toBe(1);
  });

  it('reads a chunked body under the limit whole, a character split across chunks included', async () => {
    const json = Buffer.from(JSON.stringify({ result: { values: { QID1: 3 }, text: 'Kargo geç geldi, çok üzgünüm' } }));
    const split = json.indexOf(Buffer.from('ç')) + 1; // inside the two bytes of the first "ç"
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(json.subarray(0, split));
      setTimeout(() => res.end(json.subarray(split)), 10);
    };
    expect(await fetchIt()).toEqual({ ok: true, body: { result: { values: { QID1: 3 }, text: 'Kargo geç geldi, çok üzgünüm' } } });
    expect(requests).toBe(1);
  });

  it('takes a chunked body of exactly MAX_RESPONSE_BYTES', async () => {
    const body = Buffer.alloc(MAX_RESPONSE_BYTES, 0x20);
    body.write('{"big":true}');
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let at = 0; at < body.length; at += 1024 * 1024) res.write(body.subarray(at, at + 1024 * 1024));
      res.end();
    };
    expect(await fetchIt()).toEqual({ ok: true, body: { big: true } });
  });
});
