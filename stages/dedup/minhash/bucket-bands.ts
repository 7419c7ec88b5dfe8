/**
 * Phase 2 of 4 — band buckets. Task i of N takes bands i, i+N, ...; for each band it merges the sorted
 * runs of every part into buckets (documents with equal band keys, in (part, line) order) and confirms
 * each candidate by signature similarity >= threshold before writing an edge. Inside a bucket, each
 * document is compared with the bucket's representatives (the first document, then any that matched
 * none, at most `maxRepsPerBucket`), so a bucket of m documents costs at most m x maxRepsPerBucket
 * comparisons. Output: `edges/section-BBB.edges` per band. Memory: one read buffer per part run plus
 * the representatives' signatures.
 */
import { mergeSections } from '../common/merge-sections.js';
import type { Counters } from '../../../pipeline/stats.js';
import { layout } from '../common/work-layout.js';
import { defaultMinhashOptions, type MinhashOptions } from './minhash-options.js';
import { SignatureStore } from './signature-file.js';
import { signatureSimilarity } from './signature.js';

export interface BucketBandsOptions {
  /** Number of input parts (the same list as the signature phase). */
  parts: number;
  workDir: string;
  task?: number;
  tasks?: number;
  options?: Partial<MinhashOptions>;
  resume?: boolean;
}

export async function bucketBands(o: BucketBandsOptions): Promise<Counters> {
  const mo: MinhashOptions = { ...defaultMinhashOptions, ...o.options };
  const k = mo.bands * mo.rows;
  const store = new SignatureStore((p) => layout.signatures(o.workDir, p), k);
  const maxReps = Math.max(1, mo.maxRepsPerBucket);
  const repSigs = Array.from({ length: maxReps }, () => new Int32Array(k));
  const repPart = new Uint32Array(maxReps);
  const repOrd = new Uint32Array(maxReps);
  const sig = new Int32Array(k);
  // Minimum equal positions for similarity >= threshold (exact integer test, no rounding surprises).
  const need = Math.ceil(mo.threshold * k - 1e-9);
  try {
    return await mergeSections({ workDir: o.workDir, parts: o.parts, sections: mo.bands, task: o.task, tasks: o.tasks, resume: o.resume },
      async (_band, g, emit, stats) => {
        let reps = 0;
        for (let m = 0; m < g.size; m++) {
          const part = g.parts[m]!;
          const ord = g.ordinals[m]!;
          store.read(part, ord, reps < maxReps ? repSigs[reps]! : sig);
          const mine = reps < maxReps ? repSigs[reps]! : sig;
          let matched = false;
          for (let r = 0; r < reps; r++) {
            stats.compared = (stats.compared ?? 0) + 1;
            if (signatureSimilarity(repSigs[r]!, mine) * k + 1e-9 >= need) {
              await emit(repPart[r]!, repOrd[r]!, part, ord);
              stats.confirmed = (stats.confirmed ?? 0) + 1;
              matched = true;
              break;
            }
            stats.rejected = (stats.rejected ?? 0) + 1;
          }
          if (!matched && reps < maxReps) {
            repPart[reps] = part;
            repOrd[reps] = ord;
            reps++;
          }
        }
      });
  } finally {
    store.close();
  }
}
