import { requestLogLevel } from './observability.module';

describe('requestLogLevel', () => {
  it.each([
    ['/v1/feedback', 202, false, 'debug'],
    ['/v1/feedback', 400, false, 'warn'],
    ['/v1/feedback', 401, false, 'warn'],
    ['/v1/tickets/x', 404, false, 'warn'],
    ['/v1/feedback', 503, false, 'error'],
    ['/v1/feedback', 200, true, 'error'],
    ['/v1/sources/tf-checkout', 401, false, 'debug'],
    ['/v1/sources/nope', 404, false, 'debug'],
    ['/v1/sources/tf-checkout', 422, false, 'warn'],
    ['/v1/sources/tf-checkout', 503, false, 'error'],
  ])('%s answered %i (failed: %s) → %s', (url, status, failed, level) => {
    expect(requestLogLevel(url, status, failed)).toBe(level);
  });
});
