/**
 * Phase 3 of 4 — clusters (one global job). Union-find over the confirmed edges of every band; the first
 * document of each cluster in (part, line) order is kept. Writes `clusters/part-NNNNN.drops.jsonl` and
 * `clusters/summary.json` (counts and cluster-size histogram). Memory: 4 bytes per document.
 */
import { clusterEdges, type ClusterSummary } from '../common/cluster-edges.js';
import { defaultMinhashOptions, type MinhashOptions } from './minhash-options.js';

export interface ClusterDuplicatesOptions {
  parts: number;
  workDir: string;
  options?: Partial<MinhashOptions>;
}

/** Reason recorded for documents dropped as near-duplicates. */
export const NEAR_DUPLICATE = 'near_duplicate';

export function clusterDuplicates(o: ClusterDuplicatesOptions): Promise<ClusterSummary> {
  const bands = o.options?.bands ?? defaultMinhashOptions.bands;
  return clusterEdges({ workDir: o.workDir, parts: o.parts, sectionReasons: new Array<string>(bands).fill(NEAR_DUPLICATE) });
}
