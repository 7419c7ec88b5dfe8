import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PYTHON } from '../../tests/python/python-readers.js';
import { repoRoot } from '../../tests/helpers/corpora.js';
import { epochPermutation } from './sample-plan.js';
import { seededPermutation, Xoshiro128 } from './seeded-shuffle.js';
import * as path from 'node:path';

describe('Xoshiro128', () => {
  it('matches the reference xoshiro128** sequence from state (1, 2, 3, 4)', () => {
    // Outputs of the reference xoshiro128starstar.c from s = {1, 2, 3, 4}, as in the test of Rust's
    // rand_xoshiro (rust-random/rngs rand_xoshiro/src/xoshiro128starstar.rs).
    const r = new Xoshiro128(1, 2, 3, 4);
    expect(Array.from({ length: 10 }, () => r.next())).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804,
    ]);
  });

  it('draws bounded integers without bias (chi-square over 6 permutations of 3)', () => {
    const counts = new Map<string, number>();
    const rng = Xoshiro128.fromSeed(1, 'chi');
    const N = 60000;
    for (let i = 0; i < N; i++) {
      const p = seededPermutation(3, rng).join('');
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const chi = [...counts.values()].reduce((a, c) => a + (c - N / 6) ** 2 / (N / 6), 0);
    expect(chi).toBeLessThan(20.5); // p = 0.001 for 5 degrees of freedom
    expect(() => rng.uniform(0)).toThrow(RangeError);
    for (let i = 0; i < 1000; i++) expect(rng.uniform(7)).toBeLessThan(7);
  });

  it('gives a permutation that depends on seed, subset and epoch only', () => {
    const a = epochPermutation(1000, 42, 'web', 0);
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(1000).keys()]);
    expect(epochPermutation(1000, 42, 'web', 0)).toEqual(a);
    expect(epochPermutation(1000, 43, 'web', 0)).not.toEqual(a);
    expect(epochPermutation(1000, 42, 'books', 0)).not.toEqual(a);
    expect(epochPermutation(1000, 42, 'web', 1)).not.toEqual(a);
  });

  it('is re-implementable from its documentation: an independent Python version gives the same permutations', () => {
    const py = path.join(repoRoot, 'tests/python/seeded_shuffle.py');
    for (const [seed, subset, epoch, n] of [[42, 'web', 0, 500], [7, 'wikipedia', 3, 1234], [0, 'books', 0, 1]] as const) {
      const out = execFileSync(PYTHON, [py, String(seed), subset, String(epoch), String(n)], { encoding: 'utf8' });
      expect(JSON.parse(out)).toEqual([...epochPermutation(n, seed, subset, epoch)]);
    }
  });
});
