import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { pinoHttp } from 'pino-http';
import { loggerOptions } from './logger';
import { httpLogSerializers, redactCapabilityPath } from './observability.module';

describe('request log: capabilities in URLs never reach a log', () => {
  it.each([
    ['/r/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde', '/r/[redacted]'],
    ['/r/AbC?x=1', '/r/[redacted]?x=1'],
    ['/v1/tickets/r/abc', '/v1/tickets/r/abc'],
    ['/u/AbCdEf', '/u/[redacted]'],
    ['/rx/abc', '/rx/abc'],
    ['/health/ready', '/health/ready'],
    ['/v1/customers/deniz%40example.com/erase', '/v1/customers/[redacted]/erase'],
    ['/v1/customers/c-42/erase?x=1', '/v1/customers/[redacted]/erase?x=1'],
    ['/v1/erasures/6f1c2b1e-1a2b-4c3d-8e4f-5a6b7c8d9e0f', '/v1/erasures/6f1c2b1e-1a2b-4c3d-8e4f-5a6b7c8d9e0f'],
  ])('%s → %s', (url, expected) => {
    expect(redactCapabilityPath(url)).toBe(expected);
  });

  it('through pino-http, as the services log each request (url and route params)', async () => {
    const token = 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5';
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
    const http = pinoHttp({ logger: pino(loggerOptions('t', 'debug'), stream), serializers: httpLogSerializers('t', 'debug') });
    const server: Server = createServer((req, res) => {
      http(req, res);
      (req as unknown as { params: unknown }).params = { token };
      res.statusCode = 410;
      res.end('gone');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve, reject) => {
        request({ port, host: '127.0.0.1', path: `/r/${token}`, method: 'GET' }, (res) => res.resume().on('end', resolve)).on('error', reject).end();
      });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const logged = lines.join('');
    expect(logged).toContain('"url":"/r/[redacted]"');
    expect(logged).not.toContain(token);
  });
});
