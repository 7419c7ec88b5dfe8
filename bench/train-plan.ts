/**
 * `npm run bench -- train-plan [--tokens 300e9] [--seq-len 2048] [--reference-tokens T (default: --tokens)] [--doc-chunk 16] [--threads N] [--no-fsync] [--from-files] [--dir DIR]`:
 * how long the TypeScript planner takes to plan a Gopher-sized run (300B tokens at seq 2048 = 146.48M
 * samples over the six MassiveText subsets at the paper's weights), and the same work at
 * --reference-tokens by ours and by a numpy re-implementation of Megatron-LM's GPTDataset index
 * building (bench/train-plan-reference.py), measured in the same run.
 *
 * The data is synthetic document lengths sized like a `massivetext sample` for the budget: each subset
 * holds weight x tokens x 1.01 (a 1% surplus, as Megatron's 0.5%, so the last samples do not open an epoch), with exponentially distributed lengths around MassiveText's mean document
 * length (Rae et al. 2021, Table 2: tokens / documents per subset).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeIdx } from '../pipeline/token-shards.js';
import { buildPlan, loadPlanInput, PlanRandom, writeNpy, type PlanInput } from '../stages/train/index.js';

// name, weight (Table 1 sampling proportion), mean tokens per document (Table 2: tokens / documents).
const SUBSETS: [string, number, number][] = [
  ['web', 0.48, 506e9 / 604e6], ['books', 0.27, 560e9 / 4e6], ['c4', 0.1, 182e9 / 361e6],
  ['news', 0.1, 676e9 / 1.1e9], ['github', 0.03, 422e9 / 142e6], ['wikipedia', 0.02, 4e9 / 6e6],
];

function syntheticInput(tokens: number): PlanInput {
  const rng = new PlanRandom([2021]);
  return {
    dataDir: '/synthetic', dtype: 'uint16', vocabSize: 32000, eosId: 2,
    subsets: SUBSETS.map(([name, weight, mean]) => {
      const want = weight * tokens * 1.01;
      const n = Math.max(1, Math.round(want / mean));
      // On a SharedArrayBuffer, as loadPlanInput allocates them, so the plan's worker threads share them.
      const lengths = new Int32Array(new SharedArrayBuffer(4 * n));
      let total = 0;
      for (let i = 0; i < n; i++) {
        const len = Math.min(2 ** 31 - 1, 1 + Math.floor(-(mean - 1) * Math.log((rng.next() + 0.5) / 2 ** 32)));
        lengths[i] = len;
        total += len;
      }
      return { name, weight, lengths, shards: [{ bin: `${name}/part-00000.bin`, idx: `${name}/part-00000.idx`, documents: n, tokens: total }] };
    }),
  };
}

/** Writes the input as DIR/<subset>/part-NNNNN.{bin,idx}: real .idx files, sparse .bin files of the right size. */
function writeShardFiles(input: PlanInput, dir: string): string {
  const perShard = 1 << 23;
  for (const s of input.subsets) {
    fs.mkdirSync(path.join(dir, s.name), { recursive: true });
    for (let first = 0, part = 0; first < s.lengths.length; first += perShard, part++) {
      const lengths = s.lengths.subarray(first, first + perShard);
      let tokens = 0;
      for (let i = 0; i < lengths.length; i++) tokens += lengths[i]!;
      const base = path.join(dir, s.name, `part-${String(part).padStart(5, '0')}`);
      fs.writeFileSync(`${base}.idx`, encodeIdx(lengths, 'uint16'));
      fs.closeSync(fs.openSync(`${base}.bin`, 'w'));
      fs.truncateSync(`${base}.bin`, 2 * tokens);
    }
  }
  return dir;
}

function arg(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
}

function dirBytes(dir: string): number {
  return fs.readdirSync(dir).reduce((a, f) => a + fs.statSync(path.join(dir, f)).size, 0);
}

export async function run(args: string[]): Promise<unknown> {
  const tokens = Number(arg(args, '--tokens', '300e9'));
  const refTokens = Number(arg(args, '--reference-tokens', arg(args, '--tokens', '300e9')));
  const seqLen = Number(arg(args, '--seq-len', '2048'));
  const root = fs.mkdtempSync(path.join(arg(args, '--dir', os.tmpdir()), 'train-plan-bench-'));
  const python = process.env.MASSIVETEXT_PYTHON ?? '/usr/bin/python3';
  try {
    // Ours at full scale.
    let full = syntheticInput(tokens);
    const samples = Math.floor(tokens / seqLen);
    const docChunk = Number(arg(args, '--doc-chunk', '16'));
    const sync = !args.includes('--no-fsync');
    // --from-files: the lengths go through real Megatron .idx files (sparse .bin files of the right size
    // beside them) and loadPlanInput, as `train-runner` reads a sample; the load is timed with the plan.
    let loadMs: number | null = null;
    const fromFiles = args.includes('--from-files') ? writeShardFiles(full, path.join(root, 'data')) : null;
    const weights = Object.fromEntries(full.subsets.map((s) => [s.name, s.weight]));
    if (fromFiles) full = { ...full, subsets: [] };
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    if (fromFiles) {
      full = loadPlanInput(fromFiles, { weights });
      loadMs = performance.now() - t0;
    }
    const threads = args.includes('--threads') ? Number(arg(args, '--threads', '2')) : undefined;
    const plan = await buildPlan(full, path.join(root, 'full'), { seqLen, samples, seed: 1, docChunk, sync, ...(threads ? { threads } : {}) });
    const cpu = process.cpuUsage(c0);
    const fullMs = performance.now() - t0;
    const fullBytes = dirBytes(path.join(root, 'full'));
    fs.rmSync(path.join(root, 'full'), { recursive: true, force: true });
    const documents = full.subsets.reduce((a, s) => a + s.lengths.length, 0);
    full.subsets.length = 0;

    // Ours and the numpy/Megatron reference at the reference scale, same lengths and sample counts.
    const small = syntheticInput(refTokens);
    const refSamples = Math.floor(refTokens / seqLen);
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    const smallPlan = await buildPlan(small, path.join(root, 'small'), { seqLen, samples: refSamples, seed: 1, docChunk: 1, sync: false, ...(threads ? { threads } : {}) });
    const smallCpu = process.cpuUsage(c1);
    const oursSmallMs = performance.now() - t1;
    const refDir = path.join(root, 'ref');
    fs.mkdirSync(refDir);
    small.subsets.forEach((s, i) => writeNpy(path.join(refDir, `lengths-${i}.npy`), s.lengths, [], false));
    fs.writeFileSync(path.join(refDir, 'counts.json'), JSON.stringify(smallPlan.subsets.map((s) => s.samples)));
    const ref = spawnSync(python, [path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'bench', 'train-plan-reference.py'), refDir, String(seqLen), '1'], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const refResult = ref.status === 0 ? JSON.parse(ref.stdout) as { ms: number } : null;
    return {
      ours: {
        tokens, seqLen, samples: plan.samples, documents, docChunk, fsync: sync, seconds: +(fullMs / 1000).toFixed(2),
        ...(loadMs !== null ? { readIdxSeconds: +(loadMs / 1000).toFixed(2) } : {}), cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2), loadAverage: os.loadavg()[0],
        samplesPerSecond: Math.round(plan.samples / (fullMs / 1000)), planBytes: fullBytes,
        phasesMs: Object.fromEntries(Object.entries(plan.timings).map(([k, v]) => [k, Math.round(v)])),
        epochs: Object.fromEntries(plan.subsets.map((s) => [s.name, +s.epochs.toFixed(4)])),
      },
      atReferenceScale: {
        tokens: refTokens, samples: refSamples, documents: small.subsets.reduce((a, s) => a + s.lengths.length, 0),
        oursSeconds: +(oursSmallMs / 1000).toFixed(2), oursCpuSeconds: +((smallCpu.user + smallCpu.system) / 1e6).toFixed(2),
        oursPhasesMs: Object.fromEntries(Object.entries(smallPlan.timings).map(([k, v]) => [k, Math.round(v)])),
        reference: refResult ? { tool: 'numpy re-implementation of Megatron-LM GPTDataset doc_idx/sample_idx/shuffle_idx (no blend)', seconds: +(refResult.ms / 1000).toFixed(2) } : { error: ref.stderr.slice(-500) },
        ratio: refResult ? +(refResult.ms / oursSmallMs).toFixed(2) : null,
      },
      note: 'at the reference scale both sides use a uniform document permutation per epoch (docChunk 1) and no fsync; ours also does the greedy blend, which the reference leaves out (Megatron runs it in C++)',
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
