import { describe, expect, it } from 'vitest';
import { PlanRandom } from './random.js';
import { blend, blendCounts, normalizeWeights } from './blend.js';

// MassiveText token shares (Rae et al. 2021, Table 2): web, books, c4, news, github, wikipedia.
const GOPHER = [0.48, 0.27, 0.1, 0.1, 0.03, 0.02];

describe('blend (Megatron BlendedDataset greedy rule)', () => {
  it('picks the sequence Megatron picks for the Gopher weights', () => {
    // train-runner.md §2.3: the first 24 picks of Megatron's build_blending_indices with these weights.
    expect(Array.from(blend(GOPHER, 24).subset).join(' ')).toBe('0 1 2 0 3 0 1 0 4 1 0 0 1 2 0 3 0 1 0 5 0 1 0 2');
  });

  it('holds the proportions at every prefix (within one sample per subset) and numbers samples per subset', () => {
    const n = 200_000;
    const b = blend(GOPHER, n);
    const w = normalizeWeights(GOPHER);
    const seen = new Array(6).fill(0);
    let numbered = true;
    let worst = 0;
    for (let k = 0; k < n; k++) {
      const s = b.subset[k]!;
      numbered &&= b.position[k] === seen[s];
      seen[s]++;
      for (let i = 0; i < 6; i++) worst = Math.max(worst, Math.abs(seen[i] - w[i]! * (k + 1)));
    }
    expect(numbered).toBe(true);
    expect(worst).toBeLessThanOrEqual(1.5);
    expect(b.counts).toEqual(seen);
  });

  it('rejects negative or all-zero weights', () => {
    expect(() => normalizeWeights([0, 0])).toThrow(/positive/);
    expect(() => normalizeWeights([1, -1])).toThrow(/>= 0/);
  });

  it('keeps every prefix within 2 samples of weight x samples (plan.ts plans rows from that bound)', () => {
    const r = new PlanRandom([7]);
    let worst = 0;
    for (let t = 0; t < 400; t++) {
      const m = 2 + (r.next() % 12);
      const w = normalizeWeights(Array.from({ length: m }, () => (r.next() % 3 === 0 ? 1 : 1 + (r.next() % 100_000))));
      const n = 1 + (r.next() % 5000);
      const b = blend(Array.from(w), n);
      const taken = new Float64Array(m);
      for (let k = 0; k < n; k++) {
        taken[b.subset[k]!]!++;
        for (let i = 0; i < m; i++) worst = Math.max(worst, Math.abs(w[i]! * (k + 1) - taken[i]!));
      }
      expect(Array.from(blendCounts(w, n))).toEqual(b.counts);
    }
    expect(worst).toBeGreaterThan(1);
    expect(worst).toBeLessThan(2);
  });

  it('never picks a subset of weight 0 (Megatron\'s loop gives [0, 1] its sample 1 on a tie)', () => {
    expect(Array.from(blend([0, 1], 6).subset)).toEqual([1, 1, 1, 1, 1, 1]);
    const b = blend([0.5, 0, 0.5], 1000);
    expect(b.counts).toEqual([500, 0, 500]);
    expect(Array.from(blendCounts(normalizeWeights([0, 0.3, 0, 0.7]), 1000))).toEqual([0, 300, 0, 700]);
  });
});
