import { describe, expect, it } from 'vitest';
import { PlanRandom } from './random.js';
import { randomPermutation } from './shuffle.js';

function isPermutation(ids: Uint32Array): boolean {
  const seen = new Uint8Array(ids.length);
  for (const v of ids) {
    if (v >= ids.length || seen[v]) return false;
    seen[v] = 1;
  }
  return true;
}

describe('randomPermutation', () => {
  it('permutes and carries values along, in both the direct and the bucketed method', () => {
    for (const n of [0, 1, 5, 1000, 300_000]) {
      const values = Uint32Array.from({ length: n }, (_, i) => (i * 7 + 3) % 1001);
      const p = randomPermutation(n, new PlanRandom([1, n]), values, { directLimit: 4096 });
      expect(isPermutation(p.ids)).toBe(true);
      let carried = true;
      for (let i = 0; i < n; i++) carried &&= p.values![i] === values[p.ids[i]!];
      expect(carried).toBe(true);
      if (n > 1000) expect(Array.from(p.ids.subarray(0, 10))).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
  });

  it('is deterministic for a seed', () => {
    const a = randomPermutation(100_000, new PlanRandom([5]), undefined, { directLimit: 1000 }).ids;
    const b = randomPermutation(100_000, new PlanRandom([5]), undefined, { directLimit: 1000 }).ids;
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });

  it.each([['direct', 1 << 16], ['bucketed', 1]])('draws all 24 permutations of 4 uniformly (%s)', (_name, directLimit) => {
    const counts = new Map<string, number>();
    const trials = 24_000;
    for (let t = 0; t < trials; t++) {
      const key = Array.from(randomPermutation(4, new PlanRandom([t, 77]), undefined, { directLimit }).ids).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    const e = trials / 24;
    const chi = [...counts.values()].reduce((a, c) => a + (c - e) ** 2 / e, 0);
    expect(chi).toBeLessThan(49.7); // p = 0.001 for 23 degrees of freedom
  });
});
