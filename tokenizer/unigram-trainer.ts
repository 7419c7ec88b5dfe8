/**
 * Unigram language-model trainer (unigram::Trainer::Train, tokenizer.md §1.8–1.11):
 * seeds -> repeat { numSubIterations x (E-step, M-step); stop when <= 1.1 x vocabSize; prune } -> finalize.
 *  - M-step: pieces with expected count < 0.5 are dropped; score = digamma(c) - digamma(sum c)
 *    (Bayesian "DP" EM, a sparse prior).
 *  - Pruning: loss of removing piece i = F_i * (log p_i - sum over its second-best segmentation of
 *    log p'_alt), with F_i = freq_i / sum of word counts and p' re-normalized by sum + freq_i * (K - 1):
 *    K = number of pieces as in spm 0.1.97 (default; google/sentencepiece#628) or K = |alt(i)| as in
 *    master (commit bb0b610), see TrainerOptions.pruneLossFormula. Pieces without an alternative are kept;
 *    the rest are kept by loss until max(1.1 x vocab, shrinkingFactor x size) remain.
 *  - Finalize: every alphabet character (missing ones at min score + k x 0.0001), then the best-scoring
 *    pieces up to vocabSize - #meta pieces, ordered by (score desc, piece asc).
 * The E-step and the Viterbi passes run on the worker pool in fixed chunks whose results are summed in
 * chunk order, so the model does not depend on the number of threads.
 */
import { WorkerPool } from '../pipeline/worker-pool.js';
import { buildSymbolTrie, type SymbolTrie } from './symbol-trie.js';
import { makeSeedPieces, type PieceSet } from './seed-pieces.js';
import { PieceValidity } from './piece-validity.js';
import * as lattice from './unigram-lattice.js';
import type { LatticeInput } from './unigram-lattice.js';
import { SYM_BASE, type TrainingCorpus } from './training-corpus.js';
import type { ResolvedTrainerOptions } from './trainer-options.js';

/** Expected counts below this are dropped in the M-step (kExpectedFrequencyThreshold). */
const EXPECTED_FREQUENCY_THRESHOLD = 0.5;
/** Score step between alphabet characters missing from the final model (kMinScorePenaltyDelta). */
const MIN_SCORE_PENALTY_DELTA = 0.0001;
/** Work is split into this many chunks whatever the thread count (determinism; enough for 32 threads). */
const CHUNKS = 64;

const latticeModule = new URL('./unigram-lattice.js', import.meta.url).href;

export interface TrainProgress {
  (event: { phase: string; pieces?: number; objective?: number; round?: number }): void;
}

export interface UnigramResult {
  /** Final pieces as symbol sequences with scores, in output order (score desc, piece asc). */
  pieces: { syms: Int32Array; score: number }[];
  rounds: number;
  seeds: number;
}

export function digamma(x: number): number {
  let r = 0;
  for (; x < 7; ++x) r -= 1 / x;
  x -= 0.5;
  const xx = 1 / x;
  const xx2 = xx * xx;
  const xx4 = xx2 * xx2;
  return r + Math.log(x) + xx2 / 24 - (7 / 960) * xx4 + (31 / 8064) * xx4 * xx2 - (127 / 30720) * xx4 * xx4;
}

/** Chunk boundaries over items with costs off[i+1]-off[i]; deterministic, independent of threads. */
function chunkBounds(off: Int32Array, count: number): number[] {
  const total = off[count]! - off[0]!;
  const target = Math.max(1, Math.ceil(total / CHUNKS));
  const bounds = [0];
  let acc = 0;
  for (let i = 0; i < count; i++) {
    acc += off[i + 1]! - off[i]!;
    if (acc >= target && i + 1 < count) { bounds.push(i + 1); acc = 0; }
  }
  bounds.push(count);
  return bounds;
}

function shareInt32(a: Int32Array): Int32Array {
  const s = new Int32Array(new SharedArrayBuffer(Math.max(4, a.byteLength)));
  s.set(a);
  return s;
}
function shareFloat64(a: Float64Array): Float64Array {
  const s = new Float64Array(new SharedArrayBuffer(Math.max(8, a.byteLength)));
  s.set(a);
  return s;
}

class Runner {
  constructor(private readonly pool: WorkerPool | null) {}
  /** Runs fn over chunks in order (on the pool when present) and yields results in chunk order. */
  async *map<R>(fn: 'eStep' | 'viterbiFreq' | 'alternatives', inputs: LatticeInput[]): AsyncGenerator<R> {
    if (!this.pool) {
      for (const inp of inputs) yield (lattice[fn] as (i: LatticeInput) => R)(inp);
      return;
    }
    yield* this.pool.map<LatticeInput, undefined, R>(latticeModule, fn, undefined, inputs);
  }
}

export async function trainUnigram(c: TrainingCorpus, o: ResolvedTrainerOptions, metaCount: number, progress?: TrainProgress): Promise<UnigramResult> {
  const validity = new PieceValidity(c.alphabet, o);
  progress?.({ phase: 'seeds' });
  let pieces: PieceSet = makeSeedPieces(c, validity, o.seedSentencepieceSize);
  const seeds = pieces.scores.length;
  const shared = o.threads > 1;
  const trieState = new TrieState(pieces, shared);
  progress?.({ phase: 'seeded', pieces: seeds });
  const pool = shared ? new WorkerPool({ size: o.threads }) : null;
  const runner = new Runner(pool);
  const words = shared
    ? { syms: shareInt32(c.syms), off: shareInt32(c.off), counts: shareFloat64(c.counts) }
    : { syms: c.syms, off: c.off, counts: c.counts };
  const nWords = c.counts.length;
  const wordChunks = chunkBounds(c.off, nWords);
  let allFreq = 0;
  for (let i = 0; i < nWords; i++) allFreq += c.counts[i]!;
  const desired = Math.floor(o.vocabSize * 1.1);
  let rounds = 0;
  try {
    for (;;) {
      for (let iter = 0; iter < o.numSubIterations; iter++) {
        const ctx = context(pieces, trieState, shared, o);
        const inputs = wordChunks.slice(0, -1).map((from, k) => ({ ...words, ...ctx, from, to: wordChunks[k + 1]! }));
        const expected = new Float64Array(pieces.scores.length);
        let ll = 0;
        for await (const r of runner.map<lattice.EStepResult>('eStep', inputs)) {
          const e = r.expected;
          for (let i = 0; i < e.length; i++) expected[i] += e[i]!;
          ll += r.logLikelihood;
        }
        const before = pieces.scores.length;
        const m = mStep(pieces, expected);
        pieces = m.pieces;
        trieState.remap(m.keep, before);
        progress?.({ phase: 'em', round: rounds, pieces: pieces.scores.length, objective: -ll / allFreq });
      }
      if (pieces.scores.length <= desired) break;
      const before = pieces.scores.length;
      const pr = await prune(pieces, trieState, words, wordChunks, runner, shared, o, desired);
      pieces = pr.pieces;
      trieState.remap(pr.keep, before);
      rounds++;
      progress?.({ phase: 'pruned', round: rounds, pieces: pieces.scores.length });
    }
  } finally {
    await pool?.close();
  }
  return { pieces: finalize(pieces, c, o.vocabSize - metaCount), rounds, seeds };
}

/**
 * The trie is built once from the seeds: pieces are only ever removed, so after each M-step or pruning its
 * node values are remapped to the surviving piece indices (-1 for removed pieces) instead of rebuilding.
 */
class TrieState {
  trie: SymbolTrie;
  constructor(seeds: PieceSet, private readonly shared: boolean) {
    this.trie = buildSymbolTrie(seeds.syms, seeds.off, shared);
  }
  /** keep[k] = old index of the piece now at index k. */
  remap(keep: ArrayLike<number>, oldCount: number): void {
    const map = new Int32Array(oldCount).fill(-1);
    for (let k = 0; k < keep.length; k++) map[keep[k]!] = k;
    const old = this.trie.value;
    const v = this.shared ? new Int32Array(new SharedArrayBuffer(old.byteLength)) : new Int32Array(old.length);
    for (let i = 0; i < old.length; i++) v[i] = old[i]! >= 0 ? map[old[i]!]! : -1;
    this.trie = { ...this.trie, value: v };
  }
}

function context(p: PieceSet, ts: TrieState, shared: boolean, o: ResolvedTrainerOptions): Omit<LatticeInput, 'syms' | 'off' | 'counts' | 'from' | 'to'> {
  const trie: SymbolTrie = ts.trie;
  let min = Infinity;
  for (let i = 0; i < p.scores.length; i++) if (p.scores[i]! < min) min = p.scores[i]!;
  return {
    trie,
    scores: shared ? shareFloat64(p.scores) : p.scores,
    nPieces: p.scores.length,
    unkScore: min - 10,
    maxPieceLength: o.maxSentencepieceLength,
  };
}

function subset(p: PieceSet, keep: ArrayLike<number>, scores: ArrayLike<number>): PieceSet {
  let total = 0;
  for (let k = 0; k < keep.length; k++) total += p.off[keep[k]! + 1]! - p.off[keep[k]!]!;
  const syms = new Int32Array(total);
  const off = new Int32Array(keep.length + 1);
  const sc = new Float64Array(keep.length);
  let q = 0;
  for (let k = 0; k < keep.length; k++) {
    const i = keep[k]!;
    off[k] = q;
    syms.set(p.syms.subarray(p.off[i]!, p.off[i + 1]!), q);
    q += p.off[i + 1]! - p.off[i]!;
    sc[k] = scores[k]!;
  }
  off[keep.length] = q;
  return { syms, off, scores: sc };
}

function mStep(p: PieceSet, expected: Float64Array): { pieces: PieceSet; keep: number[] } {
  const keep: number[] = [];
  const freq: number[] = [];
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const f = expected[i]!;
    if (f < EXPECTED_FREQUENCY_THRESHOLD) continue;
    keep.push(i);
    freq.push(f);
    sum += f;
  }
  const logSum = digamma(sum);
  return { pieces: subset(p, keep, freq.map((f) => digamma(f) - logSum)), keep };
}

async function prune(
  p: PieceSet,
  trieState: TrieState,
  words: { syms: Int32Array; off: Int32Array; counts: Float64Array },
  wordChunks: number[],
  runner: Runner,
  shared: boolean,
  o: ResolvedTrainerOptions,
  desired: number,
): Promise<{ pieces: PieceSet; keep: number[] }> {
  const n = p.scores.length;
  const ctx = context(p, trieState, shared, o);
  // 1. Second-best segmentation of every piece.
  const pieceOff = shared ? shareInt32(p.off) : p.off;
  const pieceSyms = shared ? shareInt32(p.syms) : p.syms;
  const pieceChunks = chunkBounds(p.off, n);
  const alwaysKeep = new Uint8Array(n);
  const altOf: Int32Array[] = new Array(n);
  let k = 0;
  const altInputs = pieceChunks.slice(0, -1).map((from, j) => ({
    syms: pieceSyms, off: pieceOff, counts: new Float64Array(0), ...ctx, from, to: pieceChunks[j + 1]!,
  }));
  for await (const r of runner.map<lattice.AlternativesResult>('alternatives', altInputs)) {
    for (let i = 0; i < r.alwaysKeep.length; i++, k++) {
      alwaysKeep[k] = r.alwaysKeep[i]!;
      altOf[k] = r.alt.subarray(r.altOff[i]!, r.altOff[i + 1]!);
    }
  }
  // 2. Viterbi frequencies over all words.
  const freq = new Float64Array(n);
  let vsum = 0;
  const inputs = wordChunks.slice(0, -1).map((from, j) => ({ ...words, ...ctx, from, to: wordChunks[j + 1]! }));
  for await (const r of runner.map<lattice.ViterbiFreqResult>('viterbiFreq', inputs)) {
    for (let i = 0; i < n; i++) freq[i] += r.freq[i]!;
    vsum += r.vsum;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += freq[i]!;
  const logSum = Math.log(sum);
  // 3. Losses.
  const kept: number[] = [];
  const candidates: number[] = [];
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (freq[i] === 0 || !alwaysKeep[i]) continue;
    const alt = altOf[i]!;
    if (alt.length === 0) { kept.push(i); continue; }
    const f = freq[i]! / vsum;
    const logProb = Math.log(freq[i]!) - logSum;
    const logSumAlt = Math.log(sum + freq[i]! * ((o.pruneLossFormula === '0.1.97' ? n : alt.length) - 1));
    let logProbAlt = 0;
    for (let a = 0; a < alt.length; a++) {
      const fa = alt[a]! >= 0 ? freq[alt[a]!]! : 0;
      logProbAlt += Math.log(fa + freq[i]!) - logSumAlt;
    }
    loss[i] = f * (logProb - logProbAlt);
    candidates.push(i);
  }
  candidates.sort((a, b) => loss[b]! - loss[a]! || a - b);
  const target = Math.max(desired, Math.floor(o.shrinkingFactor * n));
  for (const i of candidates) {
    if (kept.length >= target) break;
    kept.push(i);
  }
  return { pieces: subset(p, kept, kept.map((i) => p.scores[i]!)), keep: kept };
}

function symString(p: PieceSet, i: number, alphabet: Int32Array): string {
  let s = '';
  for (let j = p.off[i]!; j < p.off[i + 1]!; j++) s += String.fromCodePoint(alphabet[p.syms[j]! - SYM_BASE]!);
  return s;
}

function finalize(p: PieceSet, c: TrainingCorpus, size: number): { syms: Int32Array; score: number }[] {
  const n = p.scores.length;
  const strings = Array.from({ length: n }, (_, i) => symString(p, i, c.alphabet));
  const byString = new Map<string, number>();
  strings.forEach((s, i) => byString.set(s, i));
  let minScore = Infinity;
  for (let i = 0; i < n; i++) minScore = Math.min(minScore, p.scores[i]!);
  const final = new Map<string, { syms: Int32Array; score: number }>();
  let penalty = 0;
  for (let a = 0; a < c.alphabet.length; a++) {
    const s = String.fromCodePoint(c.alphabet[a]!);
    const i = byString.get(s);
    if (i !== undefined) final.set(s, { syms: Int32Array.of(SYM_BASE + a), score: p.scores[i]! });
    else {
      final.set(s, { syms: Int32Array.of(SYM_BASE + a), score: minScore + penalty });
      penalty += MIN_SCORE_PENALTY_DELTA;
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p.scores[b]! - p.scores[a]! || cmpStr(strings[a]!, strings[b]!));
  for (const i of order) {
    if (final.size >= size) break;
    const s = strings[i]!;
    if (final.has(s)) continue;
    final.set(s, { syms: p.syms.slice(p.off[i]!, p.off[i + 1]!), score: p.scores[i]! });
  }
  return [...final].sort((a, b) => b[1].score - a[1].score || cmpStr(a[0], b[0])).map((x) => x[1]);
}

function cmpStr(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
