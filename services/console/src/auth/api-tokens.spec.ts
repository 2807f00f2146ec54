import { agentForAuthorization, parseApiTokens, parseServiceUrls } from './api-tokens';
import { upstreamPath } from '../proxy/upstream-path';

describe('API_TOKENS', () => {
  it('maps tokens to agents', () => {
    const t = parseApiTokens('ayse:tok-ayse-123, mehmet:tok-mehmet-123');
    expect(agentForAuthorization('Bearer tok-ayse-123', t)).toBe('ayse');
    expect(agentForAuthorization('bearer tok-mehmet-123', t)).toBe('mehmet');
  });

  it.each([
    [undefined, 'required'],
    ['ayse', 'entry 1 is not agentId:token'],
    ['ayse:short', 'shorter than 8'],
    ['ayse:same-token-1,mehmet:same-token-1', 'used twice'],
    [' , ', 'no agentId:token pair'],
  ])('%p is refused (%s) without echoing a token', (value, message) => {
    expect(() => parseApiTokens(value)).toThrow(message);
    try {
      parseApiTokens(value);
    } catch (err) {
      expect((err as Error).message).not.toContain('same-token-1');
    }
  });

  it.each([[undefined], [''], ['Basic abc'], ['Bearer'], ['Bearer unknown-token'], ['Bearer tok-ayse-123 extra']])('%p signs nobody in', (h) => {
    expect(agentForAuthorization(h, parseApiTokens('ayse:tok-ayse-123'))).toBeNull();
  });
});

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
