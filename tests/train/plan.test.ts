/**
 * The training plan on real token shards (tests/train/fixture.ts; and a directory written by
 * `massivetext sample`'s library): packing, blend, per-epoch shuffles, prefix stability, the numpy
 * reader the trainer uses, and errors for damaged shards.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleTokens } from '../../stages/sample/index.js';
import { buildPlan, loadPlanInput, PlanReader } from '../../stages/train/index.js';
import { repoRoot } from '../helpers/corpora.js';
import { buildTokenCorpus } from '../python/token-corpus.js';
import { writeFixtureSample } from './fixture.js';

const PYTHON = process.env.MASSIVETEXT_PYTHON ?? '/usr/bin/python3';
const hasNumpy = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

let root: string;
let data: string;
beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'train-plan-'));
  data = (await writeFixtureSample(path.join(root, 'sample'), { shardTokens: 40_000 })).dir;
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function subsetStream(reader: PlanReader, s: number, docIdx: Uint32Array): Uint32Array {
  const v = reader as unknown as { subsets: { shardFirst: number[]; shardTokens: Uint16Array[]; shardStarts: Float64Array[]; lengths: Int32Array[] }[] };
  const sub = v.subsets[s]!;
  const parts: Uint16Array[] = [];
  let n = 0;
  for (const d of docIdx) {
    let sh = 0;
    while (sub.shardFirst[sh + 1]! <= d) sh++;
    const local = d - sub.shardFirst[sh]!;
    const start = sub.shardStarts[sh]![local]!;
    const doc = sub.shardTokens[sh]!.subarray(start, start + sub.lengths[sh]![local]!);
    parts.push(doc);
    n += doc.length;
  }
  const out = new Uint32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function npyU32(file: string): Uint32Array {
  const b = fs.readFileSync(file);
  const len = b.readUInt16LE(8);
  return new Uint32Array(b.buffer.slice(b.byteOffset + 10 + len, b.byteOffset + b.length));
}

describe('training plan', () => {
  it('packs every sample as seq-len+1 consecutive tokens of its subset\'s per-epoch shuffled document stream', async () => {
    const dir = path.join(root, 'plan-a');
    const T = 64;
    const plan = await buildPlan(loadPlanInput(data), dir, { seqLen: T, samples: 12000, seed: 1 });
    expect(plan.subsets.map((s) => s.name)).toEqual(['books', 'c4', 'news']);
    expect(plan.subsets.find((s) => s.name === 'books')!.shards.length).toBeGreaterThan(1);
    const reader = new PlanReader(dir);
    for (let s = 0; s < plan.subsets.length; s++) {
      const meta = plan.subsets[s]!;
      expect(meta.epochs).toBeGreaterThan(1); // the small subsets repeat: epochs are exercised
      const docIdx = npyU32(path.join(dir, meta.docIdx));
      // Every whole epoch of doc_idx visits each document once, and consecutive epochs differ.
      const D = meta.documents;
      for (let e = 0; (e + 1) * D <= docIdx.length; e++) {
        const epoch = docIdx.subarray(e * D, (e + 1) * D);
        expect(new Set(epoch).size).toBe(D);
        if (e > 0) expect(Buffer.from(epoch.buffer, epoch.byteOffset, epoch.byteLength).equals(Buffer.from(docIdx.buffer, docIdx.byteOffset + (e - 1) * D * 4, D * 4))).toBe(false);
      }
      const stream = subsetStream(reader, s, docIdx);
      let same = true;
      for (let j = 0; j < meta.samplesPlanned; j++) {
        const got = reader.subsetSample(s, j);
        const want = stream.subarray(j * T, j * T + T + 1);
        for (let i = 0; i <= T && same; i++) same = got[i] === want[i];
      }
      expect(same).toBe(true);
    }
  });

  it('blends subsets by weight and shuffles samples within one-epoch blocks', async () => {
    const dir = path.join(root, 'plan-a');
    const reader = new PlanReader(dir);
    const plan = reader.plan;
    const counts = [0, 0, 0];
    const bySubset: number[][] = [[], [], []];
    for (let k = 0; k < plan.samples; k++) {
      const { subset, row } = reader.locate(k);
      counts[subset]!++;
      bySubset[subset]!.push(row);
    }
    // Weights from the sample manifest: books 0.5, c4 0.25, news 0.25.
    expect(counts).toEqual([6000, 3000, 3000]);
    for (let s = 0; s < 3; s++) {
      const block = plan.subsets[s]!.samplesPerBlock;
      const rows = bySubset[s]!;
      for (let b = 0; (b + 1) * block <= rows.length; b++) {
        const part = rows.slice(b * block, (b + 1) * block);
        expect([...part].sort((x, y) => x - y)).toEqual(Array.from({ length: block }, (_, i) => b * block + i));
        expect(part).not.toEqual([...part].sort((x, y) => x - y));
      }
    }
  });

  it('is a pure function of data, seq len and seed, and a plan for more samples extends a shorter one', async () => {
    const a = await buildPlan(loadPlanInput(data), path.join(root, 'plan-short'), { seqLen: 64, samples: 700, seed: 1 });
    const b = new PlanReader(path.join(root, 'plan-a'));
    expect(a.planId).toBe(b.plan.planId);
    const short = new PlanReader(path.join(root, 'plan-short'));
    for (let k = 0; k < 700; k++) expect(Array.from(short.sample(k))).toEqual(Array.from(b.sample(k)));
    const other = await buildPlan(loadPlanInput(data), path.join(root, 'plan-seed2'), { seqLen: 64, samples: 700, seed: 2 });
    expect(other.planId).not.toBe(a.planId);
    const c = new PlanReader(path.join(root, 'plan-seed2'));
    let differ = 0;
    for (let k = 0; k < 700; k++) if (Array.from(c.sample(k)).join() !== Array.from(short.sample(k)).join()) differ++;
    expect(differ).toBeGreaterThan(600);
  });

  it('writes the same bytes on 1 and 3 threads, over many epochs and with the bucketed shuffle', async () => {
    const real = loadPlanInput(data);
    // books: the fixture's real document lengths (/20) tiled to 70k documents, so its permutations take
    // the Rao–Sandelius (bucketed) path; c4 and news as they are, so the plan runs ~20 epochs of them.
    const tiled = { ...real, subsets: real.subsets.map((s) => (s.name !== 'books' ? s : { ...s, lengths: Int32Array.from({ length: 70_000 }, (_, i) => Math.max(1, Math.round(s.lengths[i % s.lengths.length]! / 20))) })) };
    const hashes = async (threads: number, docChunk: number) => {
      const dir = path.join(root, `plan-threads-${threads}-${docChunk}`);
      const p = await buildPlan(tiled, dir, { seqLen: 64, samples: 100_000, seed: 9, docChunk, threads, parallelMinWork: 0 });
      const h: Record<string, string> = {};
      for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.npy')).sort()) h[f] = createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex');
      return { h, threads: p.timings.threads ?? 1, epochs: Math.max(...p.subsets.map((s) => s.epochs)) };
    };
    for (const docChunk of [1, 5]) {
      const one = await hashes(1, docChunk);
      const three = await hashes(3, docChunk);
      expect(one.threads).toBe(1);
      expect(three.threads).toBe(3);
      expect(one.epochs).toBeGreaterThan(2);
      expect(Object.keys(one.h).length).toBe(2 + 2 * real.subsets.length);
      expect(three.h).toEqual(one.h);
    }
  });

  it('gives a subset left out of --weights no sample at all', async () => {
    const plan = await buildPlan(loadPlanInput(data, { weights: { news: 1 } }), path.join(root, 'plan-news-only'), { seqLen: 64, samples: 300, seed: 4 });
    expect(plan.subsets.map((s) => [s.name, s.samples])).toEqual([['books', 0], ['c4', 0], ['news', 300]]);
    const di = fs.readFileSync(path.join(root, 'plan-news-only', 'dataset_index.npy'));
    expect(new Set(di.subarray(128))).toEqual(new Set([2]));
  });

  it('reports a failure on either thread with the file named, and leaves no partial plan', async () => {
    const dir = path.join(root, 'plan-fails');
    fs.mkdirSync(path.join(dir, 'books.doc_idx.npy'), { recursive: true }); // a directory where a file must go
    fs.writeFileSync(path.join(dir, 'books.doc_idx.npy', 'keep'), '');
    const input = loadPlanInput(data);
    await expect(buildPlan(input, dir, { seqLen: 64, samples: 20_000, seed: 3, threads: 2, parallelMinWork: 0 })).rejects.toThrow(/cannot write .*books\.doc_idx\.npy/);
    const left = fs.readdirSync(dir);
    expect(left.filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(left).not.toContain('plan.json');
  });

  it.skipIf(!hasNumpy && !process.env.CI)('numpy (trainer/massivetext_plan.py) reads the same samples as the TypeScript reader', () => {
    const reader = new PlanReader(path.join(root, 'plan-a'));
    const script = [
      'import sys, hashlib; sys.path.insert(0, sys.argv[1])',
      'from massivetext_plan import Plan',
      'p = Plan(sys.argv[2])',
      'print("\\n".join(hashlib.sha256(p.sample(k).astype("<u4").tobytes()).hexdigest() for k in range(p.samples)))',
      'b = p.rank_batch(3, 8, 1, 2); print(b.shape[0], b.shape[1], int(b[0, 0]))',
    ].join('\n');
    const out = execFileSync(PYTHON, ['-c', script, path.join(repoRoot, 'trainer'), path.join(root, 'plan-a')], { encoding: 'utf8', maxBuffer: 1 << 26 }).trim().split('\n');
    const last = out.pop()!;
    const ts = Array.from({ length: reader.plan.samples }, (_, k) => createHash('sha256').update(Buffer.from(reader.sample(k).buffer)).digest('hex'));
    expect(out).toEqual(ts);
    // rank 1 of 2 at step 3 with a global batch of 8 reads samples 28..31
    expect(last).toBe(`4 65 ${reader.sample(28)[0]}`);
  });

  it('plans over a directory written by `massivetext sample`, with the manifest\'s weights', async () => {
    const build = path.join(root, 'build');
    await buildTokenCorpus(build, { shardTokens: 50_000 });
    const out = path.join(build, 'sample');
    const manifest = await sampleTokens({ in: build, out, ratio: 0.5, seed: 3, shardTokens: 20_000 });
    const input = loadPlanInput(out);
    expect(input.subsets.map((s) => s.name)).toEqual(Object.keys(manifest.subsets));
    for (const s of input.subsets) expect(s.weight).toBeCloseTo(manifest.subsets[s.name as 'web']!.weight, 12);
    expect(input.vocabSize).toBe(259);
    const plan = await buildPlan(input, path.join(root, 'plan-sample'), { seqLen: 128, samples: 500, seed: 1 });
    const reader = new PlanReader(path.join(root, 'plan-sample'));
    for (let k = 0; k < plan.samples; k++) expect(reader.sample(k).length).toBe(129);
  });

  it('names the file when a shard is truncated or its index is damaged, and refuses unknown weights', async () => {
    const bad = path.join(root, 'bad');
    fs.cpSync(data, bad, { recursive: true });
    const bin = path.join(bad, 'c4', 'part-00000.bin');
    fs.truncateSync(bin, fs.statSync(bin).size - 2);
    expect(() => loadPlanInput(bad)).toThrow(expect.objectContaining({ code: 'token_shard_mismatch', message: expect.stringContaining(bin) }));
    fs.cpSync(path.join(data, 'c4'), path.join(bad, 'c4'), { recursive: true });
    const idx = path.join(bad, 'news', 'part-00000.idx');
    const bytes = fs.readFileSync(idx);
    bytes[0] = 0;
    fs.writeFileSync(idx, bytes);
    expect(() => loadPlanInput(bad)).toThrow(expect.objectContaining({ code: 'bad_token_index', message: expect.stringContaining(idx) }));
    expect(() => loadPlanInput(data, { weights: { web: 1 } })).toThrow(expect.objectContaining({ code: 'unknown_subset' }));
    expect(() => loadPlanInput(path.join(root, 'nothing-here'))).toThrow(expect.objectContaining({ code: 'missing_data' }));
  });
});
