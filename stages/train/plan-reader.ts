/**
 * Reads samples back from a written plan: global sample k -> its seqLen + 1 token ids. The reference
 * for trainers in other languages (trainer/massivetext_plan.py does the same with numpy memmaps), used
 * by tests and by the runner to fingerprint the samples a step saw.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MassivetextError } from '../../pipeline/index.js';
import { readIdxPointersSync } from '../../pipeline/token-shards.js';
import { readNpy } from './npy.js';
import { readPlanSummary, type PlanSummary } from './plan.js';

interface SubsetView {
  docIdx: Uint32Array;
  sampleIdx: Uint32Array;
  /** First document of each shard, and a sentinel. */
  shardFirst: number[];
  shardTokens: (Uint16Array | Uint32Array)[];
  shardStarts: Float64Array[];
  lengths: Int32Array[];
}

export class PlanReader {
  readonly plan: PlanSummary;
  readonly datasetIndex: Uint8Array;
  readonly datasetSampleIndex: Uint32Array;
  private readonly subsets: SubsetView[];

  constructor(planDir: string) {
    const plan = readPlanSummary(planDir);
    if (!plan) throw new MassivetextError('missing_plan', `no complete plan in ${planDir}`, 'build it with `massivetext train-runner` (it plans before training)');
    this.plan = plan;
    this.datasetIndex = readNpy(path.join(planDir, plan.datasetIndex)).data as Uint8Array;
    this.datasetSampleIndex = readNpy(path.join(planDir, plan.datasetSampleIndex)).data as Uint32Array;
    const bytes = plan.dtype === 'uint16' ? 2 : 4;
    this.subsets = plan.subsets.map((s) => {
      const view: SubsetView = {
        docIdx: readNpy(path.join(planDir, s.docIdx)).data as Uint32Array,
        sampleIdx: readNpy(path.join(planDir, s.sampleIdx)).data as Uint32Array,
        shardFirst: [...s.shards.map((sh) => sh.firstDocument), s.documents], shardTokens: [], shardStarts: [], lengths: [],
      };
      for (const sh of s.shards) {
        const buf = fs.readFileSync(path.resolve(plan.dataDir, sh.bin));
        const copy = new Uint8Array(buf.length);
        copy.set(buf);
        view.shardTokens.push(bytes === 2 ? new Uint16Array(copy.buffer) : new Uint32Array(copy.buffer));
        const ptr = readIdxPointersSync(path.resolve(plan.dataDir, sh.idx), sh.documents);
        view.shardStarts.push(ptr.map((p) => p / bytes));
        const lens = new Int32Array(sh.documents);
        for (let i = 0; i < sh.documents; i++) lens[i] = (i + 1 < sh.documents ? ptr[i + 1]! / bytes : sh.tokens) - ptr[i]! / bytes;
        view.lengths.push(lens);
      }
      return view;
    });
  }

  private doc(v: SubsetView, d: number): Uint16Array | Uint32Array {
    let s = 0;
    while (v.shardFirst[s + 1]! <= d) s++;
    const local = d - v.shardFirst[s]!;
    const start = v.shardStarts[s]![local]!;
    return v.shardTokens[s]!.subarray(start, start + v.lengths[s]![local]!);
  }

  /** Subset index and row of its sample_idx for global sample k. */
  locate(k: number): { subset: number; row: number } {
    if (k < 0 || k >= this.plan.samples) throw new RangeError(`sample ${k} outside the plan's ${this.plan.samples}`);
    return { subset: this.datasetIndex[k]!, row: this.datasetSampleIndex[k]! };
  }

  /** The seqLen + 1 tokens of global sample k. */
  sample(k: number): Uint32Array {
    const { subset, row } = this.locate(k);
    return this.subsetSample(subset, row);
  }

  /** The tokens of row j of one subset's packed stream (Megatron `_query_document_sample_shuffle_indices`). */
  subsetSample(subset: number, j: number): Uint32Array {
    const v = this.subsets[subset]!;
    const p0 = v.sampleIdx[2 * j]!, o0 = v.sampleIdx[2 * j + 1]!;
    const p1 = v.sampleIdx[2 * j + 2]!, o1 = v.sampleIdx[2 * j + 3]!;
    const out = new Uint32Array(this.plan.seqLen + 1);
    let n = 0;
    for (let p = p0; p <= p1; p++) {
      const d = this.doc(v, v.docIdx[p]!);
      const from = p === p0 ? o0 : 0;
      const to = p === p1 ? o1 + 1 : d.length;
      out.set(d.subarray(from, to), n);
      n += to - from;
    }
    if (n !== out.length) throw new MassivetextError('bad_plan', `subset ${this.plan.subsets[subset]!.name} sample ${j} has ${n} tokens, expected ${out.length}`);
    return out;
  }
}
