/**
 * All four MinHash phases on one machine: signatures (on the worker pool), band buckets, clusters, filter.
 * The result is the same as running each phase as a distributed job array.
 */
import type { RecordError } from '../../../pipeline/errors.js';
import type { Reporter } from '../../../pipeline/stage.js';
import type { Counters } from '../../../pipeline/stats.js';
import type { ClusterSummary } from '../common/cluster-edges.js';
import type { PoolChoice } from '../common/resolve-pool.js';
import { bucketBands } from './bucket-bands.js';
import { clusterDuplicates } from './cluster-duplicates.js';
import { computeSignatures } from './compute-signatures.js';
import { filterDuplicates } from './filter-duplicates.js';
import { defaultMinhashOptions, type MinhashOptions } from './minhash-options.js';

export interface NearDedupOptions extends PoolChoice {
  parts: string[];
  workDir: string;
  outDir: string;
  options?: Partial<MinhashOptions>;
  resume?: boolean;
  onError?: (e: RecordError) => void;
  reporter?: Reporter;
}

export interface NearDedupResult {
  options: MinhashOptions;
  signatures: Counters;
  buckets: Counters;
  clusters: ClusterSummary;
  filter: Counters;
  timings: Record<string, number>;
}

export async function nearDedup(o: NearDedupOptions): Promise<NearDedupResult> {
  const options = { ...defaultMinhashOptions, ...o.options };
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - t);
    t = now;
  };
  const signatures = await computeSignatures({ ...o, options });
  lap('signatures_ms');
  // Later phases may reuse their files only if no part's signatures were recomputed.
  const resume = o.resume !== false && !signatures.parts_computed;
  const buckets = await bucketBands({ parts: o.parts.length, workDir: o.workDir, options, resume });
  lap('buckets_ms');
  const clusters = await clusterDuplicates({ parts: o.parts.length, workDir: o.workDir, options });
  lap('clusters_ms');
  const filter = await filterDuplicates({ parts: o.parts, workDir: o.workDir, outDir: o.outDir, resume, onError: () => {} });
  lap('filter_ms');
  return { options, signatures, buckets, clusters, filter, timings };
}
