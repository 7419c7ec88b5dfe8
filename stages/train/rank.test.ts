import { describe, expect, it } from 'vitest';
import { rankSampleRange, resolveRank } from './rank.js';

describe('ranks', () => {
  it('reads explicit options before the launcher variables', () => {
    expect(resolveRank({}, {})).toEqual({ rank: 0, worldSize: 1, localRank: 0 });
    expect(resolveRank({}, { RANK: '3', WORLD_SIZE: '8', LOCAL_RANK: '1' })).toEqual({ rank: 3, worldSize: 8, localRank: 1 });
    expect(resolveRank({}, { SLURM_PROCID: '2', SLURM_NTASKS: '4', SLURM_LOCALID: '0' })).toEqual({ rank: 2, worldSize: 4, localRank: 0 });
    expect(resolveRank({ rank: 1, worldSize: 2 }, { RANK: '3', WORLD_SIZE: '8' })).toEqual({ rank: 1, worldSize: 2, localRank: 1 });
    expect(() => resolveRank({ rank: 2, worldSize: 2 }, {})).toThrow(/not below/);
    expect(() => resolveRank({}, { RANK: 'x' })).toThrow(/RANK/);
  });

  it('splits each step\'s global batch into contiguous, disjoint rank slices', () => {
    const covered: number[] = [];
    for (let step = 0; step < 3; step++) {
      for (let r = 0; r < 4; r++) {
        const [a, b] = rankSampleRange(step, 8, { rank: r, worldSize: 4, localRank: r });
        for (let k = a; k < b; k++) covered.push(k);
      }
    }
    expect(covered).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(() => rankSampleRange(0, 6, { rank: 0, worldSize: 4, localRank: 0 })).toThrow(/divide/);
  });
});
