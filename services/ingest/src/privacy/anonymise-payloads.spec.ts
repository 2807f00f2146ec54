import { PayloadScope, scopeWhere } from './anonymise-payloads';

describe('scopeWhere: one anonymising function for kept payloads, two WHERE clauses', () => {
  const at = new Date('2026-11-01T00:00:00Z');
  it.each<[string, PayloadScope, string, string | Date]>([
    ['an erasure: the payloads naming one customer', { customerId: 'c-1' }, 'customer_id = $1', 'c-1'],
    ['an erasure of an email-shaped id', { customerId: 'ayse@example.com' }, 'customer_id = $1', 'ayse@example.com'],
    ['an id that looks like SQL stays a parameter', { customerId: "'; DROP TABLE kept_payload; --" }, 'customer_id = $1', "'; DROP TABLE kept_payload; --"],
    ['retention: received before the cut-off', { receivedBefore: at }, 'received_at < $1', at],
  ])('%s', (_name, scope, sql, param) => {
    expect(scopeWhere(scope)).toEqual({ sql, param });
  });
});
