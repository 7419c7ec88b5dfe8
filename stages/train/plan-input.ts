/**
 * Turns a token-shard directory into plan input: `DIR/<subset>/part-NNNNN.bin` with a Megatron `.idx`
 * beside each (written by `massivetext sample` or `build`'s tokens/), optional `DIR/<subset>/manifest.json`
 * (token-shard manifest: shard list and sha256) and `DIR/manifest.json` (weights, vocabulary, eos id).
 * Manifests are read loosely (plain JSON), so directories written by other tools plan too; the .idx
 * lengths come from pipeline/token-shards.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MassivetextError, SUBSETS } from '../../pipeline/index.js';
import { readIdxHeaderSync, readIdxLengthsSync } from '../../pipeline/token-shards.js';
import type { PlanInput, PlanShard, PlanSubset } from './plan.js';

export interface PlanInputOptions {
  /** Explicit weights by subset name; a subset missing here gets weight 0. Default: the manifest's, else token counts. */
  weights?: Record<string, number>;
}

type Json = Record<string, unknown>;

function readJson(file: string): Json | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw new MassivetextError('bad_manifest', `${file} is not valid JSON: ${(e as Error).message}`, 'rebuild the sample', { file });
  }
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Weight of a subset in a sample manifest: `weights.{name}`, `subsets.{name}.weight` or `subsets[i].{name,weight}`. */
function manifestWeight(m: Json | null, name: string): number | null {
  if (!m) return null;
  const weights = m.weights as Json | undefined;
  if (weights && num(weights[name]) !== null) return num(weights[name]);
  const subs = m.subsets as unknown;
  if (Array.isArray(subs)) {
    const e = subs.find((x) => (x as Json)?.name === name || (x as Json)?.subset === name) as Json | undefined;
    return e ? num(e.weight) : null;
  }
  if (subs && typeof subs === 'object') return num(((subs as Json)[name] as Json | undefined)?.weight);
  return null;
}

function pick(m: Json | null, ...keys: string[]): number | null {
  if (!m) return null;
  for (const k of keys) {
    const v = k.split('.').reduce<unknown>((o, p) => (o && typeof o === 'object' ? (o as Json)[p] : undefined), m);
    if (num(v) !== null) return num(v);
  }
  return null;
}

/** Subset directories: canonical MassiveText order first, then any other names alphabetically. */
function subsetDirs(dataDir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dataDir, { withFileTypes: true });
  } catch (e) {
    throw new MassivetextError('missing_data', `cannot read data directory ${dataDir}: ${(e as Error).message}`,
      'run `massivetext sample` first, or point --data at its output', { file: dataDir }, { cause: e });
  }
  const names = entries.filter((e) => e.isDirectory() && fs.readdirSync(path.join(dataDir, e.name)).some((f) => /^part-\d+\.bin$/.test(f))).map((e) => e.name);
  const rank = (n: string) => {
    const i = (SUBSETS as readonly string[]).indexOf(n);
    return i < 0 ? SUBSETS.length : i;
  };
  return names.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export function loadPlanInput(dataDir: string, options: PlanInputOptions = {}): PlanInput {
  const top = readJson(path.join(dataDir, 'manifest.json'));
  const subsets: PlanSubset[] = [];
  let dtype: 'uint16' | 'uint32' | null = null;
  let vocabSize = pick(top, 'vocabSize', 'vocab_size', 'tokenizer.vocabSize', 'tokenizer.vocab_size');
  let eosId = pick(top, 'eosId', 'eos_id', 'tokenizer.eosId', 'tokenizer.eos_id');
  for (const name of subsetDirs(dataDir)) {
    const dir = path.join(dataDir, name);
    const sm = readJson(path.join(dir, 'manifest.json'));
    const listed = Array.isArray(sm?.shards) ? (sm!.shards as Json[]) : null;
    const bins = listed
      ? listed.map((s) => String(s.bin))
      : fs.readdirSync(dir).filter((f) => /^part-\d+\.bin$/.test(f)).sort();
    vocabSize ??= pick(sm, 'vocabSize');
    eosId ??= pick(sm, 'eosId');
    // The headers first, so every shard's lengths are read straight into one shared array (no copies:
    // 296M lengths at 300B tokens are 1.2 GB, and this VM charges ~5 s per GB of fresh memory).
    const idxFiles = bins.map((b, i) => (listed?.[i]?.idx ? path.join(dir, String(listed[i]!.idx)) : path.join(dir, b).replace(/\.bin$/, '.idx')));
    const counts = idxFiles.map((idx) => readIdxHeaderSync(idx).sequenceCount);
    const total = counts.reduce((a, c) => a + c, 0);
    // Shared memory, so the plan's worker threads read the lengths without a copy.
    const lengths = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, total)), 0, total);
    const shards: PlanShard[] = [];
    let o = 0;
    for (let i = 0; i < bins.length; i++) {
      const bin = path.join(dir, bins[i]!);
      const idx = idxFiles[i]!;
      const info = readIdxLengthsSync(idx, lengths.subarray(o, o + counts[i]!));
      o += counts[i]!;
      if (dtype && dtype !== info.dtype) {
        throw new MassivetextError('mixed_token_dtype', `${idx} holds ${info.dtype} tokens but earlier shards hold ${dtype}`, 'all shards of one sample must share a tokenizer', { file: idx });
      }
      dtype = info.dtype;
      let size: number;
      try {
        size = fs.statSync(bin).size;
      } catch (e) {
        throw new MassivetextError('missing_token_shard', `cannot read ${bin}: ${(e as Error).message}`, 'rebuild the shards', { file: bin }, { cause: e });
      }
      if (size !== info.tokens * info.bytesPerToken) {
        throw new MassivetextError('token_shard_mismatch', `${bin} has ${size} bytes but its .idx describes ${info.tokens} tokens (${info.tokens * info.bytesPerToken} bytes)`,
          'the shard is truncated or its index belongs to another file; rebuild the shards', { file: bin, offset: size });
      }
      const sha = listed?.[i]?.sha256Bin;
      shards.push({ bin: path.relative(dataDir, bin), idx: path.relative(dataDir, idx), documents: info.lengths.length, tokens: info.tokens, ...(typeof sha === 'string' ? { sha256: sha } : {}) });
    }
    subsets.push({ name, weight: options.weights?.[name] ?? 0, shards, lengths });
  }
  if (!options.weights) {
    // The sample manifest's weights when it gives one for every subset; else the token proportions.
    const mw = subsets.map((s) => manifestWeight(top, s.name));
    const useManifest = mw.every((w) => w !== null) && mw.some((w) => w! > 0);
    subsets.forEach((s, i) => { s.weight = useManifest ? mw[i]! : s.shards.reduce((a, sh) => a + sh.tokens, 0); });
  }
  if (options.weights) {
    for (const k of Object.keys(options.weights)) {
      if (!subsets.some((s) => s.name === k)) {
        throw new MassivetextError('unknown_subset', `weights name subset "${k}" but ${dataDir} has no ${k}/ shards`, `subsets present: ${subsets.map((s) => s.name).join(', ') || 'none'}`);
      }
    }
  }
  if (subsets.length === 0) {
    throw new MassivetextError('no_token_shards', `no token shards under ${dataDir}`, 'expected DIR/<subset>/part-NNNNN.bin with .idx beside each, as `massivetext sample` writes', { file: dataDir });
  }
  return { dataDir, dtype: dtype ?? 'uint16', vocabSize, eosId, subsets };
}
