/**
 * Data-parallel ranks. The plan is one rank-agnostic global sample sequence; at step t, rank r of W
 * reads global samples [t*G + r*G/W, t*G + (r+1)*G/W) where G is the global batch in samples
 * (train-runner.md §2.4, Megatron's `MegatronPretrainingSampler`). Changing W keeps the order as long
 * as G stays the same.
 */
import { MassivetextError } from '../../pipeline/index.js';

export interface RankInfo {
  rank: number;
  worldSize: number;
  localRank: number;
}

/**
 * Rank from explicit options, else the usual launcher variables (torchrun/Slurm: RANK, WORLD_SIZE,
 * LOCAL_RANK; SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID), else a single process.
 */
export function resolveRank(explicit: { rank?: number; worldSize?: number; localRank?: number }, env: NodeJS.ProcessEnv = process.env): RankInfo {
  const num = (name: string, v: string | number | undefined): number | undefined => {
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new MassivetextError('bad_rank', `${name} must be a non-negative integer, got "${v}"`);
    return n;
  };
  const worldSize = num('--world-size', explicit.worldSize) ?? num('WORLD_SIZE', env.WORLD_SIZE) ?? num('SLURM_NTASKS', env.SLURM_NTASKS) ?? 1;
  const rank = num('--rank', explicit.rank) ?? num('RANK', env.RANK) ?? num('SLURM_PROCID', env.SLURM_PROCID) ?? 0;
  const localRank = num('--local-rank', explicit.localRank) ?? num('LOCAL_RANK', env.LOCAL_RANK) ?? num('SLURM_LOCALID', env.SLURM_LOCALID) ?? rank;
  if (worldSize < 1) throw new MassivetextError('bad_rank', `world size must be at least 1, got ${worldSize}`);
  if (rank >= worldSize) throw new MassivetextError('bad_rank', `rank ${rank} is not below world size ${worldSize}`, 'ranks count from 0');
  return { rank, worldSize, localRank };
}

/** The global sample range [start, end) rank r reads at step t. G must divide by W. */
export function rankSampleRange(step: number, globalBatch: number, r: RankInfo): [number, number] {
  if (globalBatch % r.worldSize !== 0) {
    throw new MassivetextError('bad_batch_size', `global batch ${globalBatch} does not divide by world size ${r.worldSize}`, 'choose --batch-size as a multiple of the number of ranks');
  }
  const per = globalBatch / r.worldSize;
  const start = step * globalBatch + r.rank * per;
  return [start, start + per];
}
