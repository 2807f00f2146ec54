import { secureRandom } from './random';

describe('secureRandom', () => {
  it('hands out the asked number of bytes, each draw its own (no two of 10,000 IVs or keys alike, none overlapping another)', () => {
    const seen = new Set<string>();
    const draws: Buffer[] = [];
    for (let i = 0; i < 10_000; i++) {
      const b = secureRandom(i % 2 ? 12 : 32);
      expect(b).toHaveLength(i % 2 ? 12 : 32);
      seen.add(b.toString('hex'));
      draws.push(b);
    }
    expect(seen.size).toBe(10_000);
    draws[0].fill(0); // a caller changing its bytes changes nobody else's
    expect(draws.slice(1).some((b) => b.equals(Buffer.alloc(b.length)))).toBe(false);
  });

  it('larger draws come straight from the CSPRNG', () => {
    const a = secureRandom(4096);
    const b = secureRandom(4096);
    expect(a).toHaveLength(4096);
    expect(a.equals(b)).toBe(false);
  });
});
