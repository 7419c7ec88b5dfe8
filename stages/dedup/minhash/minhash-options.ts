/** Options of MinHash near-duplicate detection, with their sources. */
import { defaultShingleOptions } from './shingles.js';

export interface MinhashOptions {
  /** Words per shingle: 13 (Gopher / RETRO 13-gram Jaccard; gopher-spec.md §2.6). */
  n: number;
  /** LSH bands x rows: 33 x 12 = 396 hashes, the cheapest with P(0.8) >= 0.9 and P(0.5) <= 0.01 (lsh-params.ts). */
  bands: number;
  rows: number;
  /** Similarity at which a pair is a near-duplicate: 0.8 (gopher-spec.md §2.6, "similarity >= 0.8"). */
  threshold: number;
  /** Seed of the hash family; fixed so signatures are comparable across runs and machines. */
  seed: number;
  /** Candidates in one bucket are compared with at most this many representatives (bounds work on huge buckets). */
  maxRepsPerBucket: number;
  /** Documents per batch sent to a worker. */
  batchDocs: number;
  /** Band entries held in memory before a sorted run is written (bounds memory for huge parts). */
  maxRunDocs: number;
}

export const defaultMinhashOptions: MinhashOptions = {
  n: defaultShingleOptions.n,
  bands: 33,
  rows: 12,
  threshold: 0.8,
  seed: 0x6f70686f,
  maxRepsPerBucket: 16,
  batchDocs: 256,
  maxRunDocs: 200_000,
};

export function numHashes(o: Pick<MinhashOptions, 'bands' | 'rows'>): number {
  return o.bands * o.rows;
}
