import { ERASED } from '@closeloop/platform';
import { HistoryScope, scopeWhere } from './anonymise-history';

describe('scopeWhere: one anonymising function, two WHERE clauses', () => {
  const at = new Date('2026-06-01T00:00:00Z');
  it.each<[string, HistoryScope, string, string | Date]>([
    ['an erasure: one customer', { customerId: 'c-1' }, 'x.customer_id = $1', 'c-1'],
    ['an erasure of an id that looks like SQL stays a parameter', { customerId: "x' OR 1=1 --" }, 'x.customer_id = $1', "x' OR 1=1 --"],
    ['retention: answered before the cut-off', { respondedBefore: at }, 'x.responded_at < $1', at],
  ])('%s', (_name, scope, sql, param) => {
    expect(scopeWhere(scope, 'x')).toEqual({ sql, param });
  });

  it('never names the ERASED marker as a customer to erase (the marker is $2 of the statements)', () => {
    expect(scopeWhere({ customerId: 'c-1' }, 'y').sql).not.toContain(ERASED);
  });
});
