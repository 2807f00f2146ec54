import { RecentIds } from './recent-ids';

describe('RecentIds', () => {
  it('forgets the least recently used id beyond its capacity', () => {
    const r = new RecentIds(3);
    ['a', 'b', 'c'].forEach((id) => r.add(id));
    expect(r.has('a')).toBe(true); // a is now the most recent
    r.add('d'); // b goes
    expect([r.has('a'), r.has('b'), r.has('c'), r.has('d')]).toEqual([true, false, true, true]);
    expect(r.size).toBe(3);
  });

  it('re-adding an id does not grow it', () => {
    const r = new RecentIds(2);
    r.add('a');
    r.add('a');
    r.add('b');
    expect(r.size).toBe(2);
    expect(r.has('a')).toBe(true);
  });

  it('stays bounded under many ids', () => {
    const r = new RecentIds(1_000);
    for (let i = 0; i < 10_000; i++) r.add(`id-${i}`);
    expect(r.size).toBe(1_000);
    expect(r.has('id-8999')).toBe(false);
    expect(r.has('id-9000')).toBe(true);
  });
});
