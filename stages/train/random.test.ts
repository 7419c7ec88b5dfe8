import { describe, expect, it } from 'vitest';
import { PlanRandom } from './random.js';

describe('PlanRandom', () => {
  it('is a pure function of its seed words', () => {
    const a = new PlanRandom([1234, 0, 1, 0]);
    const b = new PlanRandom([1234, 0, 1, 0]);
    const c = new PlanRandom([1234, 0, 1, 1]);
    const xs = Array.from({ length: 8 }, () => a.next());
    expect(Array.from({ length: 8 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 8 }, () => c.next())).not.toEqual(xs);
    for (const x of xs) expect(x >>> 0).toBe(x);
  });

  it('draws bounded integers in range, including bounds near 2^32', () => {
    const r = new PlanRandom([7]);
    for (const n of [1, 2, 3, 1000, 2 ** 31 + 11, 2 ** 32 - 1, 2 ** 32]) {
      for (let i = 0; i < 2000; i++) {
        const v = r.below(n);
        expect(Number.isInteger(v) && v >= 0 && v < n).toBe(true);
      }
    }
  });

  it('is unbiased enough for a chi-square test over 10 buckets (n = 3 * 2^30, where modulo would skew)', () => {
    const r = new PlanRandom([99]);
    const n = 3 * 2 ** 30;
    const counts = new Array(10).fill(0);
    const draws = 100_000;
    for (let i = 0; i < draws; i++) counts[Math.floor((r.below(n) / n) * 10)]++;
    const e = draws / 10;
    const chi = counts.reduce((a, c) => a + (c - e) ** 2 / e, 0);
    expect(chi).toBeLessThan(27.9); // p = 0.001 for 9 degrees of freedom
  });
});
