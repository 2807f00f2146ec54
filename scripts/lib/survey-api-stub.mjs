// Local stand-ins for the two survey APIs ingest fetches answers from (SPEC §10), for `npm run demo`: Qualtrics'
// `GET /API/v3/surveys/{SurveyID}/responses/{ResponseID}` (token in `X-API-TOKEN`) and SurveyMonkey's
// `GET /v3/surveys/{survey_id}/responses/{response_id}/details` (`Authorization: Bearer`). The same routes, token
// checks and error envelopes as libs/testing/src/stubs/survey-api-stub.ts (the tests' stub, in TypeScript, which the
// scripts do not load), without the test controls.
import { createServer } from 'node:http';

const VENDORS = {
  qualtrics: {
    route: /^\/API\/v3\/surveys\/([^/]+)\/responses\/([^/]+)$/,
    authentic: (headers, token) => headers['x-api-token'] === token,
    error: (status, message) => ({ meta: { httpStatus: `${status} - ${status === 401 ? 'Unauthorized' : 'Not Found'}`, error: { errorMessage: message, errorCode: status === 401 ? 'AUTH_1.0' : 'RP_0.1' } } }),
  },
  surveymonkey: {
    route: /^\/v3\/surveys\/([^/]+)\/responses\/([^/]+)\/details$/,
    authentic: (headers, token) => headers.authorization === `Bearer ${token}`,
    error: (status, message) => ({ error: { id: status === 401 ? '1011' : '1020', name: status === 401 ? 'Authorization Error' : 'Resource Not Found', message, http_status_code: status } }),
  },
};

/**
 * Starts the stub of `vendor` on 127.0.0.1:`port`; `respond(surveyId, responseId, body)` registers an answer.
 * Resolves once it listens; rejects when the port is taken.
 */
export function startSurveyApiStub(vendor, { port, token }) {
  const v = VENDORS[vendor];
  const responses = new Map();
  const requests = [];
  const server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://stub');
    const match = v.route.exec(url.pathname);
    const send = (status, body) => {
      requests.push({ path: url.pathname, status });
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!v.authentic(req.headers, token)) return send(401, v.error(401, 'the API token is missing or invalid'));
    const body = match && req.method === 'GET' ? responses.get(`${decodeURIComponent(match[1])}/${decodeURIComponent(match[2])}`) : undefined;
    if (body === undefined) return send(404, v.error(404, 'response not found'));
    send(200, body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({
      requests,
      respond: (surveyId, responseId, body) => void responses.set(`${surveyId}/${responseId}`, body),
      close: () => new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
    }));
  });
}
