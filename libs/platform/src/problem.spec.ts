import { ArgumentsHost, BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { ProblemException, ProblemFilter, problem } from './problem';

function host(type = 'http') {
  const res = { statusCode: 0, headers: {} as Record<string, unknown>, body: '', headersSent: false, setHeader(n: string, v: unknown) { res.headers[n.toLowerCase()] = v; }, end(b: string) { res.body = b; } };
  const h = { getType: () => type, switchToHttp: () => ({ getResponse: () => res, getRequest: () => ({ method: 'GET', originalUrl: '/api/ops/lag?group=x' }) }) } as unknown as ArgumentsHost;
  return { h, res };
}

describe('ProblemFilter', () => {
  const logged: { obj: any; msg: string }[] = [];
  const filter = new ProblemFilter({ error: (obj, msg) => void logged.push({ obj, msg }) });
  beforeEach(() => (logged.length = 0));

  it.each([
    ['an unexpected error', new Error('secret internals'), 500, 'an unexpected error occurred; it has been logged', true],
    ['a 502 thrown on purpose', new HttpException('tickets unreachable', 502), 502, 'tickets unreachable', true],
    ['a ProblemException', new ProblemException(problem(409, 'already claimed')), 409, 'already claimed', false],
    ['Nest’s 400', new BadRequestException(['a must be a string', 'b is required']), 400, 'a must be a string; b is required', false],
    ['Nest’s 404', new NotFoundException('Cannot GET /x'), 404, 'Cannot GET /x', false],
    ['a body-parser error', Object.assign(new Error('request entity too large'), { status: 413, expose: true }), 413, 'request entity too large', false],
  ])('%s → problem+json; logged only when 5xx', (_name, err, status, detail, isLogged) => {
    const { h, res } = host();
    filter.catch(err, h);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(res.body)).toMatchObject({ type: 'about:blank', status, detail });
    expect(res.body).not.toContain('secret internals');
    expect(logged.length).toBe(isLogged ? 1 : 0);
    if (isLogged) expect(logged[0]).toEqual({ obj: { err, method: 'GET', path: '/api/ops/lag', status }, msg: 'request failed' });
  });

  it('passes its headers (Retry-After) and challenges a 401', () => {
    const a = host();
    filter.catch(new ProblemException(problem(429, 'slow down'), { 'Retry-After': '7' }), a.h);
    expect(a.res.headers['retry-after']).toBe('7');
    const b = host();
    filter.catch(new ProblemException(problem(401, 'sign in')), b.h);
    expect(b.res.headers['www-authenticate']).toBe('Bearer');
  });

  it('still logs a 5xx when the response has already started, and leaves the response alone', () => {
    const { h, res } = host();
    res.headersSent = true;
    filter.catch(new Error('mid-stream'), h);
    expect([res.statusCode, logged.length]).toEqual([0, 1]);
  });

  it('rethrows outside HTTP (Kafka handlers retry or dead-letter)', () => {
    const err = new Error('x');
    expect(() => filter.catch(err, host('rpc').h)).toThrow(err);
  });
});
