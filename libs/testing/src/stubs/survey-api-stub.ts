import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Local stand-ins for the two survey APIs ingest fetches answers from (SPEC §10): Qualtrics'
 * `GET /API/v3/surveys/{SurveyID}/responses/{ResponseID}` (token in `X-API-TOKEN`) and SurveyMonkey's
 * `GET /v3/surveys/{survey_id}/responses/{response_id}/details` (token as `Authorization: Bearer`). A source's
 * `api.url` points at the stub. Responses are registered with `respond`; unknown ones are the vendor's 404.
 */

export type SurveyApiStubResponse = { status: number; body?: unknown; headers?: Record<string, string> } | { hang: true };

export interface SurveyApiStubRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  surveyId?: string;
  responseId?: string;
  /** What the stub answered. */
  status: number;
}

export interface SurveyApiStub {
  /** Base URL to put in the source's `api.url`. */
  url: string;
  requests: SurveyApiStubRequest[];
  /** What `GET` of this survey's response answers with (200). */
  respond(surveyId: string, responseId: string, body: unknown): void;
  /** Queues answers for the next authenticated requests, whatever their path; then the registered responses resume. */
  script(...responses: SurveyApiStubResponse[]): void;
  reset(): void;
  close(): Promise<void>;
}

interface Vendor {
  route: RegExp;
  authentic(headers: IncomingHttpHeaders, token: string): boolean;
  /** The vendor's error body for a status. */
  error(status: number, message: string): unknown;
}

const QUALTRICS: Vendor = {
  route: /^\/API\/v3\/surveys\/([^/]+)\/responses\/([^/]+)$/,
  authentic: (headers, token) => headers['x-api-token'] === token,
  // Qualtrics' error envelope: {meta: {httpStatus: "404 - Not Found", error: {errorMessage, errorCode}}}
  error: (status, message) => ({ meta: { httpStatus: `${status} - ${status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Error'}`, error: { errorMessage: message, errorCode: status === 401 ? 'AUTH_1.0' : 'RP_0.1' } } }),
};

const SURVEYMONKEY: Vendor = {
  route: /^\/v3\/surveys\/([^/]+)\/responses\/([^/]+)\/details$/,
  authentic: (headers, token) => headers.authorization === `Bearer ${token}`,
  // SurveyMonkey's error envelope: {error: {id, name, docs, message, http_status_code}}
  error: (status, message) => ({
    error: { id: status === 401 ? '1011' : status === 404 ? '1020' : '1050', name: status === 401 ? 'Authorization Error' : status === 404 ? 'Resource Not Found' : 'Internal Server Error', docs: 'https://developer.surveymonkey.com/api/v3/#error-codes', message, http_status_code: status },
  }),
};

export const startQualtricsStub = (options: { token: string }) => startSurveyApiStub(QUALTRICS, options.token);
export const startSurveyMonkeyStub = (options: { token: string }) => startSurveyApiStub(SURVEYMONKEY, options.token);

async function startSurveyApiStub(vendor: Vendor, token: string): Promise<SurveyApiStub> {
  const requests: SurveyApiStubRequest[] = [];
  const responses = new Map<string, unknown>();
  const scripts: SurveyApiStubResponse[] = [];

  const server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://stub');
    const match = vendor.route.exec(url.pathname);
    const record = (status: number) => requests.push({
      method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers,
      ...(match && { surveyId: decodeURIComponent(match[1]), responseId: decodeURIComponent(match[2]) }), status,
    });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record(status);
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (!vendor.authentic(req.headers, token)) return send(401, vendor.error(401, 'the API token is missing or invalid'));
    const scripted = scripts.shift();
    if (scripted && 'hang' in scripted) return record(0); // never answered; close() destroys the socket
    if (scripted) return send(scripted.status, scripted.body ?? vendor.error(scripted.status, `scripted ${scripted.status}`), scripted.headers);
    if (!match || req.method !== 'GET') return send(404, vendor.error(404, `no route ${req.method} ${url.pathname}`));
    const body = responses.get(`${decodeURIComponent(match[1])}/${decodeURIComponent(match[2])}`);
    if (body === undefined) return send(404, vendor.error(404, 'response not found'));
    send(200, body);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond: (surveyId, responseId, body) => void responses.set(`${surveyId}/${responseId}`, body),
    script: (...r) => void scripts.push(...r),
    reset: () => {
      requests.length = 0;
      responses.clear();
      scripts.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
