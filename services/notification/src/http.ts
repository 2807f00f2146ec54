import type { IncomingHttpHeaders } from 'node:http';

/** What the webhook handlers use of Express' request (Nest created with `rawBody: true` keeps the exact bytes). */
export interface RawRequest {
  rawBody?: Buffer;
  headers: IncomingHttpHeaders;
  /** Path and query string as received. */
  originalUrl: string;
}

/** What the webhook handlers use of Express' response. */
export interface HttpResponse {
  status(code: number): HttpResponse;
  type(contentType: string): HttpResponse;
  json(body: unknown): void;
  send(body?: string): void;
  setHeader(name: string, value: string): unknown;
}
