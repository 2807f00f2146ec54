import { parseServiceUrls } from './service-urls';
import { upstreamPath } from '../proxy/upstream-path';

describe('SERVICE_URLS', () => {
  it('keeps the SPEC defaults for services not named', () => {
    expect(parseServiceUrls('tickets=http://tickets:8080/')).toEqual({
      ingest: 'http://127.0.0.1:3001', tickets: 'http://tickets:8080', notification: 'http://127.0.0.1:3003', scoring: 'http://127.0.0.1:3004',
    });
  });
  it('lists every bad entry', () => {
    expect(() => parseServiceUrls('tickets=ftp://x,=http://a,scoring=nope')).toThrow(/tickets: .*http\(s\).*"=http:\/\/a" is not name=url.*scoring: "nope" is not a URL/);
  });
});

describe('upstreamPath', () => {
  it.each([
    ['/api/tickets', '/v1/tickets'],
    ['/api/tickets?status=open&team=cx', '/v1/tickets?status=open&team=cx'],
    ['/api/tickets/abc/claim', '/v1/tickets/abc/claim'],
    ['/api/reports/summary?from=2026-01-01', '/v1/reports/summary?from=2026-01-01'],
  ])('%s → %s', (from, to) => expect(upstreamPath(from)).toBe(to));

  it.each(['/api/tickets/../../admin', '/api/tickets/%2e%2e/x', '/api/tickets/a%2Fb', '/api/tickets/%E0%A4%A', '/v1/tickets'])('refuses %s', (p) => {
    expect(() => upstreamPath(p)).toThrow();
  });
});
