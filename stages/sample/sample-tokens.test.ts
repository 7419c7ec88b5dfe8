import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Subset } from '../../pipeline/index.js';
import { readLlmcShard } from '../../pipeline/token-shard-llmc.js';
import { readTokenManifest, readTokenShard, sha256File } from '../../pipeline/token-shards.js';
import { runPythonReader, skipPythonReaders } from '../../tests/python/python-readers.js';
import { BYTE_EOS, buildTokenCorpus, byteIds, type corpusTexts } from '../../tests/python/token-corpus.js';
import { describeSample } from './describe-sample.js';
import { defaultSampleOptions, sampleTokens, type SampleManifest } from './sample-tokens.js';

let root: string;
let build: string;
let texts: ReturnType<typeof corpusTexts>;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'sample-'));
  build = path.join(root, 'build');
  // small input shards so a subset spans several .bin files
  texts = await buildTokenCorpus(build, { shardTokens: 50_000 });
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const key = (t: ArrayLike<number>) => createHash('sha1').update(new Uint8Array(Uint32Array.from(t as ArrayLike<number>).buffer)).digest('hex');

async function outputDocs(dir: string, subset: Subset): Promise<Uint16Array[] | Uint32Array[]> {
  const m = await readTokenManifest(path.join(dir, subset));
  const docs: (Uint16Array | Uint32Array)[] = [];
  for (const s of m.shards) {
    const shard = await readTokenShard(path.join(dir, subset, s.bin));
    for (let i = 0; i < shard.documents; i++) docs.push(shard.document(i));
  }
  return docs as Uint16Array[];
}

function inputCounts(subset: keyof typeof texts): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of texts[subset]) {
    const ids = [...byteIds(t), BYTE_EOS];
    m.set(key(ids), (m.get(key(ids)) ?? 0) + 1);
  }
  return m;
}

function fileShas(m: SampleManifest): string[] {
  return m.files.map((f) => `${f.path} ${f.sha256}`);
}

describe('sampleTokens', () => {
  let m: SampleManifest;
  const out = () => path.join(build, 'sample');

  beforeAll(async () => {
    m = await sampleTokens({ in: build, ratio: 0.128, shardTokens: 20_000, workers: 1 });
  });

  it('draws ratio x all tokens, split by the renormalised Gopher weights, each exact to within one document', async () => {
    const all = Object.values(texts).flat().reduce((a, t) => a + Buffer.byteLength(t) + 1, 0);
    expect(m.input.tokens).toBe(all);
    expect(m.targetTokens).toBe(Math.round(0.128 * all));
    // github is absent: its 3% is shared out and the manifest says so
    expect(m.weights.renormalised).toBe(true);
    expect(m.weights.notes.join(' ')).toMatch(/no tokens for github/);
    expect(m.weights.used.web).toBeCloseTo(0.48 / 0.97, 12);
    const budgets = Object.values(m.subsets).reduce((a, s) => a + s!.targetTokens, 0);
    expect(budgets).toBe(m.targetTokens);
    for (const [s, x] of Object.entries(m.subsets)) {
      const maxDoc = Math.max(...texts[s as keyof typeof texts].map((t) => Buffer.byteLength(t) + 1));
      expect(Math.abs(x!.tokens - x!.targetTokens), s).toBeLessThanOrEqual(maxDoc / 2);
      expect(x!.targetTokens / m.targetTokens).toBeCloseTo(m.weights.used[s as Subset]!, 4);
      expect(x!.fullEpochs).toBe(0);
    }
    expect(m.tokens).toBe(Object.values(m.subsets).reduce((a, s) => a + s!.tokens, 0));
  });

  it('writes token-for-token copies of distinct input documents, with manifests whose checksums match the files', async () => {
    for (const s of Object.keys(m.subsets) as Subset[]) {
      const docs = await outputDocs(out(), s);
      expect(docs.length).toBe(m.subsets[s]!.documents);
      const inputs = inputCounts(s as keyof typeof texts);
      const seen = new Map<string, number>();
      for (const d of docs) {
        const k = key(d);
        expect(inputs.has(k)).toBe(true);
        seen.set(k, (seen.get(k) ?? 0) + 1);
      }
      for (const [k, n] of seen) expect(n).toBeLessThanOrEqual(inputs.get(k)!);
      expect(docs.reduce((a, d) => a + d.length, 0)).toBe(m.subsets[s]!.tokens);
    }
    for (const f of m.files) {
      const file = path.join(out(), f.path);
      expect((await fs.stat(file)).size).toBe(f.bytes);
      expect(await sha256File(file)).toBe(f.sha256);
    }
    const names = (await fs.readdir(out())).sort();
    expect(names).toEqual(['books', 'c4', 'manifest.json', 'news', 'plan.json', 'web', 'wikipedia']);
  });

  it('is byte-identical for the same seed, whether read from memory or by positional reads, and differs for another seed', async () => {
    const again = await sampleTokens({ in: build, out: path.join(root, 'again'), ratio: 0.128, shardTokens: 20_000, memoryBytes: 0 });
    expect(fileShas(again)).toEqual(fileShas(m));
    const other = await sampleTokens({ in: build, out: path.join(root, 'seed7'), ratio: 0.128, shardTokens: 20_000, seed: 7 });
    expect(fileShas(other)).not.toEqual(fileShas(m));
    expect(other.targetTokens).toBe(m.targetTokens);
  });

  it('writes the same bytes whatever the block size, with documents continuing from one block into the next', async () => {
    // 97-token blocks: most documents are cut into pieces gathered and written separately
    const tiny = await sampleTokens({ in: build, out: path.join(root, 'tiny-blocks'), ratio: 0.128, shardTokens: 20_000, blockTokens: 97, memoryBytes: 0 });
    expect(fileShas(tiny)).toEqual(fileShas(m));
    const llmcBig = await sampleTokens({ in: build, out: path.join(root, 'llmc-big'), ratio: 0.128, shardTokens: 20_000, format: 'llmc', blockTokens: 1 << 20 });
    const llmcTiny = await sampleTokens({ in: build, out: path.join(root, 'llmc-tiny'), ratio: 0.128, shardTokens: 20_000, format: 'llmc', blockTokens: 61 });
    expect(fileShas(llmcTiny)).toEqual(fileShas(llmcBig));
    // a subset drawn several epochs over is read from memory; the same draw by positional reads
    const o = { in: build, ratio: 0.5, weights: { wikipedia: 0.4, books: 0.6 }, shardTokens: 30_000 };
    const mem = await sampleTokens({ ...o, out: path.join(root, 'epochs-memory') });
    const pos = await sampleTokens({ ...o, out: path.join(root, 'epochs-positional'), memoryBytes: 0, blockTokens: 97 });
    expect(mem.subsets.wikipedia!.epochs).toBeGreaterThanOrEqual(defaultSampleOptions.memoryEpochs);
    expect(fileShas(pos)).toEqual(fileShas(mem));
  });

  it('repeats a subset too small for its share in whole epochs plus a seeded partial epoch', async () => {
    const dir = path.join(root, 'epochs');
    const r = await sampleTokens({ in: build, out: dir, ratio: 0.5, weights: { wikipedia: 0.4, books: 0.6 }, shardTokens: 30_000 });
    const w = r.subsets.wikipedia!;
    expect(w.fullEpochs).toBeGreaterThanOrEqual(6);
    expect(w.epochs).toBeCloseTo(w.tokens / w.sourceTokens, 12);
    expect(r.weights.notes.join(' ')).toMatch(/web, c4, news present but without weight/);
    const inputs = inputCounts('wikipedia');
    const counts = new Map<string, number>();
    for (const d of await outputDocs(dir, 'wikipedia')) counts.set(key(d), (counts.get(key(d)) ?? 0) + 1);
    let extra = 0;
    for (const [k, n] of inputs) {
      const got = counts.get(k) ?? 0;
      expect(got).toBeGreaterThanOrEqual(w.fullEpochs * n);
      expect(got).toBeLessThanOrEqual((w.fullEpochs + 1) * n);
      extra += got - w.fullEpochs * n;
    }
    expect(extra).toBe(w.partialDocuments);
    // and the per-subset token manifest carries the epochs for train-runner
    expect((await readTokenManifest(path.join(dir, 'wikipedia'))).meta).toMatchObject({ subset: 'wikipedia', epochs: w.epochs, fullEpochs: w.fullEpochs });
    const desc = await describeSample(dir);
    expect(desc.subsets.map((s) => s.subset)).toEqual(['books', 'wikipedia']);
    expect(desc.subsets[1]).toMatchObject({ tokens: w.tokens, documents: w.documents, epochs: w.epochs });
  });

  it('resumes after an interruption and ends with the same bytes as an uninterrupted run', async () => {
    const dir = path.join(root, 'resume');
    const ac = new AbortController();
    let shards = 0;
    await expect(sampleTokens({
      in: build, out: dir, ratio: 0.128, shardTokens: 20_000, signal: ac.signal,
      reporter: { progress: () => { if (++shards === 3) ac.abort(); }, warn() {}, info() {} },
    })).rejects.toThrow(/interrupted/);
    await expect(fs.stat(path.join(dir, 'manifest.json'))).rejects.toThrow();
    // a torn write left behind by a killed run (its pid is gone) is cleaned up
    await fs.writeFile(path.join(dir, 'web', 'part-00009.bin.tmp-999999999-1'), 'partial');
    const resumed = await sampleTokens({ in: build, out: dir, ratio: 0.128, shardTokens: 20_000 });
    expect(fileShas(resumed)).toEqual(fileShas(m));
    expect((await fs.readdir(path.join(dir, 'web'))).some((f) => f.includes('.tmp-'))).toBe(false);
  });

  it('refuses to mix settings in one directory unless forced', async () => {
    const dir = path.join(root, 'again');
    await expect(sampleTokens({ in: build, out: dir, ratio: 0.2, shardTokens: 20_000 })).rejects.toMatchObject({ code: 'sample_exists' });
    const forced = await sampleTokens({ in: build, out: dir, ratio: 0.2, shardTokens: 20_000, force: true });
    expect(forced.ratio).toBe(0.2);
  });

  it('reports a missing tokens directory and bad options as MassivetextErrors', async () => {
    await expect(sampleTokens({ in: path.join(root, 'nowhere'), ratio: 0.1 })).rejects.toMatchObject({ code: 'missing_tokens' });
    await expect(sampleTokens({ in: build, ratio: 0 })).rejects.toMatchObject({ code: 'bad_ratio' });
    await expect(sampleTokens({ in: build, ratio: 0.1, blockTokens: 0 })).rejects.toMatchObject({ code: 'bad_block_tokens' });
    await expect(sampleTokens({ in: build, ratio: 0.1, weights: { github: 1 } })).rejects.toMatchObject({ code: 'no_weighted_subsets' });
  });

  describe.skipIf(skipPythonReaders)('read back by python (numpy.memmap)', () => {
    it('Megatron layout: every sample shard has the documents, tokens and EOS boundaries of the manifest', () => {
      const bins = m.files.filter((f) => f.path.endsWith('.bin'));
      const report = runPythonReader('megatron', bins.map((f) => path.join(out(), f.path)), BYTE_EOS);
      expect(report.files.length).toBe(bins.length);
      report.files.forEach((r, i) => {
        expect(r.dtype).toBe('uint16');
        expect(r.tokens).toBe(bins[i].tokens);
        expect(r.documents).toBe(bins[i].documents);
        expect(r.eos_after_every_document).toBe(true);
      });
      expect(report.files.reduce((a, r) => a + r.tokens, 0)).toBe(m.tokens);
    });

    it('llm.c export: header, size and the same token stream as the Megatron shards', async () => {
      const dir = path.join(root, 'llmc');
      const l = await sampleTokens({ in: build, out: dir, ratio: 0.128, shardTokens: 20_000, format: 'llmc' });
      expect(l.files.every((f) => f.path.endsWith('.bin'))).toBe(true);
      const report = runPythonReader('llmc', l.files.map((f) => path.join(dir, f.path)), BYTE_EOS);
      const mega = runPythonReader('megatron', m.files.filter((f) => f.path.endsWith('.bin')).map((f) => path.join(out(), f.path)), BYTE_EOS);
      report.files.forEach((r, i) => {
        expect(r).toMatchObject({ magic: 20240520, version: 1, dtype: 'uint16', tokens: l.files[i].tokens, documents: l.files[i].documents, eos_after_every_document: true });
        expect(r.tokens_sha256_u32).toBe(mega.files[i].tokens_sha256_u32);
        expect(r.lengths).toEqual(mega.files[i].lengths);
      });
      const first = await readLlmcShard(path.join(dir, l.files[0].path));
      expect(first.header.tokens).toBe(l.files[0].tokens);
    });

    it('4-byte vocabularies: int32 Megatron shards and uint32 llm.c shards', async () => {
      const wideBuild = path.join(root, 'wide');
      await buildTokenCorpus(wideBuild, { wide: true });
      const mw = await sampleTokens({ in: wideBuild, ratio: 0.05, shardTokens: 50_000 });
      const bins = mw.files.filter((f) => f.path.endsWith('.bin'));
      const rm = runPythonReader('megatron', bins.map((f) => path.join(wideBuild, 'sample', f.path)), 69999);
      for (const r of rm.files) expect(r).toMatchObject({ dtype: 'int32', dtype_code: 4, eos_after_every_document: true });
      const lw = await sampleTokens({ in: wideBuild, out: path.join(wideBuild, 'llmc'), ratio: 0.05, shardTokens: 50_000, format: 'llmc' });
      const rl = runPythonReader('llmc', lw.files.map((f) => path.join(wideBuild, 'llmc', f.path)), 69999);
      rl.files.forEach((r, i) => {
        expect(r).toMatchObject({ magic: 20240801, version: 7, dtype: 'uint32', eos_after_every_document: true });
        expect(r.tokens_sha256_u32).toBe(rm.files[i].tokens_sha256_u32);
      });
    });
  });
});
