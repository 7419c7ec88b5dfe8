/**
 * Exact dedup across all parts of a subset, in the same four-phase shape as MinHash (so it distributes
 * the same way): keys per part -> merge sorted runs per key kind -> union-find -> filter. A document
 * is dropped when an earlier one (in (part index, line) order) has the same normalised text
 * (reason `exact_duplicate`) or, when URL dedup is on, the same normalised URL (`duplicate_url`).
 * Memory: phase 1 holds 20 bytes per document and key kind of the current run; phase 3 holds
 * 5 bytes per document; phases 2 and 4 are independent of the corpus size.
 */
import type { RecordError } from '../../../pipeline/errors.js';
import type { Reporter } from '../../../pipeline/stage.js';
import type { Counters } from '../../../pipeline/stats.js';
import { clusterEdges, type ClusterSummary } from '../common/cluster-edges.js';
import { computeParts, type ComputePartsOptions } from '../common/compute-parts.js';
import { docBatches } from '../common/doc-batches.js';
import { filterParts } from '../common/filter-parts.js';
import { IdWriter } from '../common/ids.js';
import { KeyRunBuilder } from '../common/key-runs.js';
import { mergeSections } from '../common/merge-sections.js';
import { layout } from '../common/work-layout.js';
import { textKey, urlKey } from './exact-keys.js';

export interface ExactDedupOptions {
  /** Also drop documents whose normalised URL was seen before (for web documents; gopher-spec.md §2.5). */
  urls: boolean;
  /** Documents per sorted run before spilling (bounds phase-1 memory). */
  maxRunDocs: number;
}
export const defaultExactDedupOptions: ExactDedupOptions = { urls: true, maxRunDocs: 1_000_000 };

/** Drop reasons, by section: 0 = text, 1 = URL. */
export const EXACT_REASONS = ['exact_duplicate', 'duplicate_url'];

export interface ExactPhaseOptions extends ComputePartsOptions {
  options?: Partial<ExactDedupOptions>;
  onError?: (e: RecordError) => void;
  reporter?: Reporter;
}

/** Phase 1: keys of every document of this task's parts, as sorted runs (section 0 text, 1 URL). */
export async function computeExactKeys(o: ExactPhaseOptions): Promise<Counters> {
  const eo = { ...defaultExactDedupOptions, ...o.options };
  const key = new Uint32Array(4);
  const config = JSON.stringify({ exact: 1, urls: eo.urls });
  return computeParts(o, 'exact_dedup_keys', config, async (p, file, stats) => {
    const ids = await IdWriter.open(layout.ids(o.workDir, p));
    let builder = new KeyRunBuilder(4, 2);
    let runs = 0;
    let docs = 0;
    try {
      for await (const b of docBatches(file, 1024, 8 << 20, (e) => { stats.error(e.code); o.onError?.(e); })) {
        for (const doc of b.docs) {
          const ordinal = docs++;
          await ids.add(doc.id);
          stats.in(Buffer.byteLength(doc.text));
          textKey(doc.text, key);
          builder.add(0, key, 0, ordinal);
          const url = doc.meta.url;
          if (eo.urls && typeof url === 'string' && url.trim()) {
            urlKey(url, key);
            builder.add(1, key, 0, ordinal);
            stats.add('with_url');
          }
          builder.docs++;
          if (builder.docs >= eo.maxRunDocs) {
            await builder.write(layout.run(o.workDir, p, runs++));
            builder = new KeyRunBuilder(4, 2);
          }
        }
        o.reporter?.progress({ step: 'exact_dedup_keys', done: docs, unit: 'docs' });
      }
      if (builder.docs > 0 || runs === 0) await builder.write(layout.run(o.workDir, p, runs++));
      await ids.commit();
    } catch (e) {
      await ids.abort();
      throw e;
    }
    return { docs, runs };
  });
}

/** Phase 2: per key kind (task i of N takes kinds i, i+N), every later document with a seen key -> edge to the first. */
export function mergeExactKeys(o: { parts: number; workDir: string; task?: number; tasks?: number; resume?: boolean }): Promise<Counters> {
  return mergeSections({ ...o, sections: EXACT_REASONS.length }, async (_s, g, emit) => {
    for (let m = 1; m < g.size; m++) await emit(g.parts[0]!, g.ordinals[0]!, g.parts[m]!, g.ordinals[m]!);
  });
}

/** Phase 3 (one job): union-find; keeps the first document of each group. */
export function clusterExact(o: { parts: number; workDir: string }): Promise<ClusterSummary> {
  return clusterEdges({ workDir: o.workDir, parts: o.parts, sectionReasons: EXACT_REASONS });
}

/** Phase 4: writes kept documents to outDir/part-NNNNN.jsonl.zst and records the dropped ones. */
export function filterExact(o: { parts: string[]; workDir: string; outDir: string; task?: number; tasks?: number; resume?: boolean }): Promise<Counters> {
  return filterParts({ ...o, name: 'exact_dedup', onError: () => {} });
}

export interface ExactDedupResult {
  keys: Counters;
  merge: Counters;
  clusters: ClusterSummary;
  filter: Counters;
  timings: Record<string, number>;
}

/** All four exact-dedup phases on one machine. */
export async function exactDedup(o: ExactPhaseOptions & { outDir: string }): Promise<ExactDedupResult> {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => { const now = performance.now(); timings[name] = Math.round(now - t); t = now; };
  const keys = await computeExactKeys(o);
  lap('keys_ms');
  const resume = o.resume !== false && !keys.parts_computed;
  const merge = await mergeExactKeys({ parts: o.parts.length, workDir: o.workDir, resume });
  lap('merge_ms');
  const clusters = await clusterExact({ parts: o.parts.length, workDir: o.workDir });
  lap('clusters_ms');
  const filter = await filterExact({ parts: o.parts, workDir: o.workDir, outDir: o.outDir, resume });
  lap('filter_ms');
  return { keys, merge, clusters, filter, timings };
}
