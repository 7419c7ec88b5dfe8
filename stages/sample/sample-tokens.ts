/**
 * `massivetext sample --ratio R`: draws R x (all tokens under DIR/tokens) tokens, split across subsets
 * by weight, and writes them as token shards under DIR/sample/<subset>/ plus DIR/sample/manifest.json.
 *
 * Determinism: the output bytes are a function of the input shards, ratio, weights, seed, format and
 * shard size only (sample-plan.ts, seeded-shuffle.ts). Atomicity and resume: `plan.json` (the
 * fingerprint of all of those) is written first; every shard is written under a temporary name and
 * renamed; `manifest.json` is written last. Re-running the same command skips finished shards (their
 * .idx / llm.c header must match the plan) and ends with the same bytes as an uninterrupted run.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  MassivetextError, type Reporter, removeStaleTemps, silentReporter, type Subset, SUBSETS, WorkerPool, writeFileAtomic,
} from '../../pipeline/index.js';
import {
  buildTokenManifest, bytesPerToken, type TokenDtype, tokenPartName, type TokenShardEntry, writeTokenManifest,
} from '../../pipeline/token-shards.js';
import { type SampleFormat, type SampleShardJob, writeSampleShard } from './sample-shard.js';
import { allocateTokens, documentOrder, planSubsetDraw, shardDocuments, type SubsetDraw } from './sample-plan.js';
import { gopherWeights, resolveWeights, type SampleWeights } from './sample-weights.js';
import { TokenSource } from './token-source.js';

export type { SampleFormat };

export interface SampleOptions {
  /** Build directory; tokens are read from `<in>/tokens/<subset>/`. */
  in: string;
  /** Output directory; defaults to `<in>/sample`. */
  out?: string;
  /** Fraction of all tokens to draw; Gopher drew 300B of ~2.35T = 0.128 (gopher-spec.md §1.3). */
  ratio: number;
  /** Token proportions per subset; renormalised over the subsets present. Default: Gopher's. */
  weights?: SampleWeights;
  /** Seed of the document shuffles (a non-negative safe integer). */
  seed?: number;
  /** 'megatron': headerless .bin + MMIDIDX .idx (default); 'llmc': llm.c shards (1 KiB header, no index). */
  format?: SampleFormat;
  /** Tokens per output shard (documents are never split); train-runner.md §5.1 recommends ~100M. */
  shardTokens?: number;
  /** Tokens assembled in memory before each write. */
  blockTokens?: number;
  /** Subsets drawn at least `memoryEpochs` times over whose input fits in this many bytes are read into memory. */
  memoryBytes?: number;
  /** Epochs from which a subset is read into memory rather than by positional reads per document. */
  memoryEpochs?: number;
  /** Worker threads for writing shards (each output shard is one task); 1 writes in this thread. */
  workers?: number;
  /** Below this many output bytes the shards are written in this thread (starting workers costs more). */
  parallelMinBytes?: number;
  /** Replace an existing sample made with other settings (otherwise that is an error). */
  force?: boolean;
  reporter?: Reporter;
  signal?: AbortSignal;
}

export const defaultSampleOptions = {
  seed: 42, // any fixed default; 42 is llm.c's and many loaders' conventional seed
  format: 'megatron' as SampleFormat,
  shardTokens: 100_000_000, // ~200 MB shards: train-runner.md §5.1
  blockTokens: 1 << 19, // 1 MiB of uint16 per write: two such buffers are reused throughout (fresh memory costs page faults)
  memoryBytes: Math.min(2 ** 31, Math.floor(os.totalmem() / 8)),
  workers: Math.max(1, os.availableParallelism()),
  // Measured on the 2-core project VM (bench corpus, 1 MiB blocks): 516 MB of output took 1.2-2.1 s in
  // one thread and 2.2-3.6 s on two workers (more CPU too); 1.5 GB took 9-11 s vs 8-9 s.
  parallelMinBytes: 1 << 30,
  // Preloading touches the whole subset as fresh memory (~5 s/GB on the project VM); at ratio 1 on
  // the bench corpus it made a run 3x slower than positional reads into reused buffers (4.7-6.7 s
  // vs 1.2-2.1 s). Reading a subset several times over can repay it (no read call per document).
  memoryEpochs: 4,
};

export interface SampleFile {
  /** Relative to the sample directory, e.g. `web/part-00000.bin`. */
  path: string;
  bytes: number;
  sha256: string;
  tokens?: number;
  documents?: number;
}

export interface SampleSubsetSummary extends SubsetDraw {
  weight: number;
  shards: number;
}

export interface SampleManifest {
  format: 'massivetext-sample';
  version: 1;
  fingerprint: string;
  ratio: number;
  seed: number;
  shardFormat: SampleFormat;
  shardTokens: number;
  prng: string;
  dtype: Partial<Record<Subset, TokenDtype>>;
  vocabSize: number;
  eosId: number | null;
  input: { dir: string; tokens: number; documents: number; subsets: Partial<Record<Subset, { tokens: number; documents: number; shards: number }>> };
  weights: { requested: SampleWeights; used: SampleWeights; renormalised: boolean; notes: string[] };
  targetTokens: number;
  tokens: number;
  documents: number;
  subsets: Partial<Record<Subset, SampleSubsetSummary>>;
  files: SampleFile[];
}

const PRNG_DOC = 'xoshiro128** seeded by sha256("massivetext-sample/v1\\0<seed>\\0<subset>\\0<epoch>"), Fisher-Yates with unbiased rejection (stages/sample/seeded-shuffle.ts)';

export async function sampleTokens(options: SampleOptions): Promise<SampleManifest> {
  const o = { ...defaultSampleOptions, ...stripUndefined(options) };
  const reporter = o.reporter ?? silentReporter;
  validate(o);
  const inDir = path.resolve(o.in);
  const tokensDir = path.join(inDir, 'tokens');
  const outDir = path.resolve(o.out ?? path.join(inDir, 'sample'));

  // 1. Inputs: every subset directory with a manifest.
  const sources = new Map<Subset, TokenSource>();
  let entries: string[];
  try {
    entries = await fs.readdir(tokensDir);
  } catch (e) {
    throw new MassivetextError('missing_tokens', `no token shards at ${tokensDir}`, 'run `massivetext build` first (it writes tokens/<subset>/), or point --in at a build directory', { file: tokensDir }, { cause: e });
  }
  for (const s of SUBSETS) {
    if (!entries.includes(s)) continue;
    try {
      await fs.access(path.join(tokensDir, s, 'manifest.json'));
    } catch {
      reporter.warn('incomplete_tokens', `${path.join(tokensDir, s)} has no manifest.json (unfinished encoding?); subset ${s} skipped`, { file: path.join(tokensDir, s) });
      continue;
    }
    sources.set(s, await TokenSource.open(path.join(tokensDir, s)));
  }
  try {
    return await sampleFrom(sources, o, inDir, outDir, reporter);
  } finally {
    for (const src of sources.values()) src.close();
  }
}

async function sampleFrom(sources: Map<Subset, TokenSource>, o: Required<Omit<SampleOptions, 'out' | 'weights' | 'reporter' | 'signal' | 'force'>> & SampleOptions,
  inDir: string, outDir: string, reporter: Reporter): Promise<SampleManifest> {
  const present = [...sources].filter(([, src]) => src.tokens > 0).map(([s]) => s);
  const totalTokens = [...sources.values()].reduce((a, s) => a + s.tokens, 0);
  const totalDocuments = [...sources.values()].reduce((a, s) => a + s.documents, 0);
  if (totalTokens === 0) {
    throw new MassivetextError('missing_tokens', `no tokens under ${path.join(inDir, 'tokens')}`, 'run `massivetext build` first');
  }
  const weights = resolveWeights(o.weights ?? gopherWeights, present);
  const targetTokens = Math.round(o.ratio * totalTokens);
  const budgets = allocateTokens(targetTokens, weights.used);
  const vocab = new Set([...sources.values()].map((s) => `${s.manifest.vocabSize}/${s.manifest.eosId}`));
  if (vocab.size > 1) {
    throw new MassivetextError('mixed_tokenizers', `the subsets under ${path.join(inDir, 'tokens')} were encoded with different vocabularies or EOS ids (${[...vocab].join(', ')})`,
      'encode every subset with the same tokenizer');
  }
  const first = [...sources.values()][0];

  // 2. Fingerprint of everything that determines the output bytes.
  const fingerprint = createHash('sha256').update(JSON.stringify({
    v: 1, ratio: o.ratio, seed: o.seed, format: o.format, shardTokens: o.shardTokens, weights: weights.used,
    inputs: [...sources].map(([s, src]) => [s, src.manifest.vocabSize, src.manifest.eosId, src.dtype, src.shards.map((x) => [path.basename(x.bin), x.bytes, x.idxSha256])]),
  })).digest('hex');

  await fs.mkdir(outDir, { recursive: true });
  const done = await readJson<SampleManifest>(path.join(outDir, 'manifest.json'));
  if (done && done.fingerprint === fingerprint && !o.force) {
    // A run killed after its manifest but while writing report.html leaves that temp behind.
    await removeStaleTemps(outDir);
    reporter.info(`sample: ${outDir} is already complete for these settings`);
    return done;
  }
  const planFile = path.join(outDir, 'plan.json');
  const plan = await readJson<{ fingerprint: string }>(planFile);
  const existing = done ?? plan;
  if (existing && existing.fingerprint !== fingerprint) {
    if (!o.force) {
      throw new MassivetextError('sample_exists', `${outDir} holds a sample made with other settings or inputs`,
        'pass --force to replace it, or choose another --out', { file: planFile });
    }
    await removeSample(outDir);
  } else if (o.force) {
    await removeSample(outDir);
  }
  await removeStaleTemps(outDir);
  await writeFileAtomic(planFile, JSON.stringify({ fingerprint, ratio: o.ratio, seed: o.seed, format: o.format, shardTokens: o.shardTokens, weights }, null, 2) + '\n');

  // 3. Plan every subset and cut the plan into shard jobs (cheap: index arithmetic only).
  const draws: SubsetDraw[] = [];
  const jobs: (SampleShardJob & { subset: Subset })[] = [];
  for (const s of SUBSETS) {
    const src = sources.get(s);
    const budget = budgets[s] ?? 0;
    if (!src || budget <= 0) continue;
    const draw = planSubsetDraw(s, src.lengths, budget, o.seed);
    draws.push(draw);
    let part = 0;
    for (const docs of shardDocuments(documentOrder(draw, o.seed), src.lengths, o.shardTokens)) {
      let tokens = 0;
      for (let i = 0; i < docs.length; i++) tokens += src.lengths[docs[i]];
      jobs.push({ subset: s, sourceDir: src.dir, bin: path.join(outDir, s, `${tokenPartName(part++)}.bin`), docs, tokens, format: o.format, blockTokens: o.blockTokens });
    }
  }

  // 4. Write the shards: on a worker pool when there is enough work for it, else in this thread.
  const entries = await writeJobs(jobs, sources, draws, o, targetTokens, reporter);
  const subsets: Partial<Record<Subset, SampleSubsetSummary>> = {};
  const files: SampleFile[] = [];
  // the subset manifests are independent files: written (and fsynced) at the same time
  const manifests: Promise<void>[] = [];
  for (const draw of draws) {
    const s = draw.subset;
    const written = entries.filter((_, i) => jobs[i].subset === s);
    subsets[s] = { ...draw, weight: weights.used[s] ?? 0, shards: written.length };
    for (const e of written) {
      files.push({ path: `${s}/${e.bin}`, bytes: e.binBytes, sha256: e.sha256Bin, tokens: e.tokens, documents: e.documents });
      if (e.idx) files.push({ path: `${s}/${e.idx}`, bytes: e.idxBytes, sha256: e.sha256Idx });
    }
    if (o.format === 'megatron') {
      const src = sources.get(s)!;
      manifests.push(writeTokenManifest(path.join(outDir, s), buildTokenManifest(written, {
        vocabSize: src.manifest.vocabSize, eosId: src.manifest.eosId ?? undefined,
        meta: { subset: s, sample: true, seed: o.seed, epochs: draw.epochs, fullEpochs: draw.fullEpochs, partialDocuments: draw.partialDocuments },
      })));
    }
  }
  await settleAll(manifests);

  const manifest: SampleManifest = {
    format: 'massivetext-sample', version: 1, fingerprint, ratio: o.ratio, seed: o.seed, shardFormat: o.format,
    shardTokens: o.shardTokens, prng: PRNG_DOC,
    dtype: Object.fromEntries([...sources].map(([s, src]) => [s, src.dtype])),
    vocabSize: first.manifest.vocabSize, eosId: first.manifest.eosId,
    input: {
      dir: path.join(inDir, 'tokens'), tokens: totalTokens, documents: totalDocuments,
      subsets: Object.fromEntries([...sources].map(([s, src]) => [s, { tokens: src.tokens, documents: src.documents, shards: src.shards.length }])),
    },
    weights: { requested: weights.requested, used: weights.used, renormalised: weights.renormalised, notes: weights.notes },
    targetTokens,
    tokens: Object.values(subsets).reduce((a, x) => a + x!.tokens, 0),
    documents: Object.values(subsets).reduce((a, x) => a + x!.documents, 0),
    subsets, files,
  };
  await writeFileAtomic(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

async function writeJobs(jobs: (SampleShardJob & { subset: Subset })[], sources: Map<Subset, TokenSource>, draws: SubsetDraw[],
  o: typeof defaultSampleOptions & SampleOptions, targetTokens: number, reporter: Reporter): Promise<TokenShardEntry[]> {
  const aborted = () => new MassivetextError('aborted', 'sampling was interrupted', 're-run the same command to resume');
  const entries: TokenShardEntry[] = [];
  let done = 0;
  const report = (job: SampleShardJob & { subset: Subset }, entry: TokenShardEntry) => {
    entries.push(entry);
    done += job.tokens;
    reporter.progress({ step: 'sample', done, total: targetTokens, bytes: done * bytesPerToken(sources.get(job.subset)!.dtype), unit: 'tokens' });
  };
  const bytes = jobs.reduce((a, j) => a + j.tokens * bytesPerToken(sources.get(j.subset)!.dtype), 0);
  const workers = Math.min(o.workers, jobs.length);
  if (workers > 1 && bytes >= o.parallelMinBytes) {
    const pool = new WorkerPool({ size: workers, inflightPerWorker: 1 });
    try {
      let i = 0;
      for await (const entry of pool.map<SampleShardJob, Record<string, never>, TokenShardEntry>(new URL('./sample-shard-worker.js', import.meta.url).href, 'writeSampleShardJob', {}, jobs)) {
        report(jobs[i++], entry);
        if (o.signal?.aborted) throw aborted();
      }
    } finally {
      await pool.close();
    }
    return entries;
  }
  for (const draw of draws) {
    const src = sources.get(draw.subset)!;
    // a subset read whole several times over is cheaper to read from memory than by a read per document
    if (draw.epochs >= o.memoryEpochs && src.tokens * bytesPerToken(src.dtype) <= o.memoryBytes) await src.preload();
  }
  // Each shard's fsync and renames run while the next shard is written (one commit in flight, so
  // entries still arrive in job order).
  let committing: Promise<void> | null = null;
  try {
    for (const job of jobs) {
      if (o.signal?.aborted) throw aborted();
      const written = await writeSampleShard(sources.get(job.subset)!, job, o.signal);
      if (committing) {
        const previous = committing;
        committing = null;
        try {
          await previous;
        } catch (e) {
          await written.abort(); // the previous shard failed to commit: drop this one's temp files too
          throw e;
        }
      }
      committing = written.commit().then((entry) => report(job, entry));
      committing.catch(() => {}); // awaited below or at the next shard
    }
    if (committing) await committing;
  } catch (e) {
    // an error while the previous shard was committing: let that commit end before reporting
    if (committing) await committing.catch(() => {});
    throw e;
  }
  return entries;
}

/** Awaits every promise (none is left running), then throws the first error if any failed. */
async function settleAll(ps: Promise<unknown>[]): Promise<void> {
  const rs = await Promise.allSettled(ps);
  for (const r of rs) if (r.status === 'rejected') throw r.reason;
}

async function removeSample(outDir: string): Promise<void> {
  for (const s of SUBSETS) await fs.rm(path.join(outDir, s), { recursive: true, force: true });
  await fs.rm(path.join(outDir, 'manifest.json'), { force: true });
  await fs.rm(path.join(outDir, 'plan.json'), { force: true });
}

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

function validate(o: SampleOptions & typeof defaultSampleOptions): void {
  if (!(typeof o.ratio === 'number' && Number.isFinite(o.ratio) && o.ratio > 0)) {
    throw new MassivetextError('bad_ratio', `--ratio must be a positive number, got ${o.ratio}`, 'e.g. --ratio 0.128 (Gopher: 300B of 2.35T tokens); values above 1 repeat data');
  }
  if (!Number.isSafeInteger(o.seed) || o.seed < 0) throw new MassivetextError('bad_seed', `--seed must be a non-negative integer, got ${o.seed}`);
  if (o.format !== 'megatron' && o.format !== 'llmc') throw new MassivetextError('bad_format', `unknown --format "${o.format}"`, 'use megatron or llmc');
  if (!Number.isSafeInteger(o.shardTokens) || o.shardTokens < 1) throw new MassivetextError('bad_shard_tokens', `shard size must be a positive integer, got ${o.shardTokens}`);
  if (!Number.isSafeInteger(o.blockTokens) || o.blockTokens < 1) throw new MassivetextError('bad_block_tokens', `block size must be a positive integer, got ${o.blockTokens}`);
  if (o.format === 'llmc' && o.shardTokens > 1_000_000_000) {
    throw new MassivetextError('bad_shard_tokens', `llm.c shards must stay under 2 GiB (its loader casts offsets to int); got ${o.shardTokens} tokens per shard`, 'use --shard-tokens 100000000');
  }
}

function stripUndefined<T extends object>(x: T): T {
  return Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined)) as T;
}
