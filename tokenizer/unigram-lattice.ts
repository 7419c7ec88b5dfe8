/**
 * The lattice passes of unigram training, each over one chunk of words (or pieces), side-effect free so
 * they run on the worker pool (or inline): forward–backward expected counts (Trainer::RunEStep,
 * Lattice::PopulateMarginal), Viterbi piece frequencies and second-best segmentations for pruning
 * (Trainer::PruneSentencePieces). Nodes come from the piece trie; where no single-symbol piece starts, an
 * unknown node of score min - 10 is added (kUnkPenalty). Log-add returns the max when the terms differ by
 * more than 50 (LogSumExp in unigram_model.cc).
 */
import type { SymbolTrie } from './symbol-trie.js';

export interface LatticeInput {
  syms: Int32Array;
  off: Int32Array;
  counts: Float64Array;
  trie: SymbolTrie;
  scores: Float64Array;
  nPieces: number;
  unkScore: number;
  maxPieceLength: number;
  from: number;
  to: number;
}

class Nodes {
  start = new Int32Array(4096);
  end = new Int32Array(4096);
  id = new Int32Array(4096);
  score = new Float64Array(4096);
  n = 0;
  alpha = new Float64Array(1024);
  beta = new Float64Array(1024);
  prev = new Int32Array(1024);
  prevId = new Int32Array(1024);
  push(s: number, e: number, id: number, score: number): void {
    if (this.n === this.start.length) {
      const cap = this.n * 2;
      const gi = (a: Int32Array) => { const x = new Int32Array(cap); x.set(a); return x; };
      this.start = gi(this.start); this.end = gi(this.end); this.id = gi(this.id);
      const sc = new Float64Array(cap); sc.set(this.score); this.score = sc;
    }
    const k = this.n++;
    this.start[k] = s; this.end[k] = e; this.id[k] = id; this.score[k] = score;
  }
  positions(len: number): void {
    if (this.alpha.length > len) return;
    let cap = this.alpha.length;
    while (cap <= len) cap *= 2;
    this.alpha = new Float64Array(cap); this.beta = new Float64Array(cap);
    this.prev = new Int32Array(cap); this.prevId = new Int32Array(cap);
  }
}

const nodes = new Nodes();

/** Fills `nodes` with the lattice of syms[a..b) (positions relative to a), optionally skipping one node. */
function populate(inp: LatticeInput, syms: Int32Array, a: number, b: number, skipStart = -1, skipEnd = -1): void {
  nodes.n = 0;
  const t = inp.trie;
  const maxLen = inp.maxPieceLength;
  const { base, check, value } = t;
  const scores = inp.scores;
  for (let s = a; s < b; s++) {
    let node = 0;
    let hasSingle = false;
    const lim = Math.min(b, s + maxLen);
    for (let e = s; e < lim; e++) {
      const c = base[node]! + syms[e]!;
      if (check[c] !== node) break;
      node = c;
      const id = value[node]!;
      if (id < 0) continue;
      if (s - a === skipStart && e + 1 - a === skipEnd) { if (e === s) hasSingle = true; continue; }
      nodes.push(s - a, e + 1 - a, id, scores[id]!);
      if (e === s) hasSingle = true;
    }
    if (!hasSingle) nodes.push(s - a, s + 1 - a, -1, inp.unkScore);
  }
}

function logAdd(x: number, y: number): number {
  if (x === -Infinity) return y;
  if (y === -Infinity) return x;
  const hi = x > y ? x : y;
  const lo = x > y ? y : x;
  if (hi > lo + 50) return hi;
  return hi + Math.log(Math.exp(lo - hi) + 1);
}

export interface EStepResult {
  expected: Float64Array;
  /** Sum over words of count * log Z. */
  logLikelihood: number;
}

/** Expected piece counts over words [from, to). */
export function eStep(inp: LatticeInput): EStepResult {
  const expected = new Float64Array(inp.nPieces);
  let ll = 0;
  const { syms, off, counts } = inp;
  for (let w = inp.from; w < inp.to; w++) {
    const a = off[w]!, b = off[w + 1]!;
    const len = b - a;
    const f = counts[w]!;
    populate(inp, syms, a, b);
    nodes.positions(len);
    const alpha = nodes.alpha, beta = nodes.beta;
    for (let i = 0; i <= len; i++) { alpha[i] = -Infinity; beta[i] = -Infinity; }
    alpha[0] = 0;
    beta[len] = 0;
    const n = nodes.n;
    const st = nodes.start, en = nodes.end, sc = nodes.score, id = nodes.id;
    for (let k = 0; k < n; k++) alpha[en[k]!] = logAdd(alpha[en[k]!]!, alpha[st[k]!]! + sc[k]!);
    for (let k = n - 1; k >= 0; k--) beta[st[k]!] = logAdd(beta[st[k]!]!, sc[k]! + beta[en[k]!]!);
    const z = alpha[len]!;
    if (Number.isNaN(z)) throw new Error('likelihood is NaN: input sentence may be too long');
    ll += f * z;
    for (let k = 0; k < n; k++) {
      const pid = id[k]!;
      if (pid < 0) continue;
      expected[pid] += f * Math.exp(alpha[st[k]!]! + sc[k]! + beta[en[k]!]! - z);
    }
  }
  return { expected, logLikelihood: ll };
}

/** Viterbi over the current lattice; fills nodes.prev/prevId; returns the best score. */
function viterbi(len: number): number {
  nodes.positions(len);
  const best = nodes.alpha;
  const prev = nodes.prev, prevId = nodes.prevId;
  for (let i = 0; i <= len; i++) { best[i] = -Infinity; prev[i] = -1; }
  best[0] = 0;
  const n = nodes.n;
  for (let k = 0; k < n; k++) {
    const s = nodes.start[k]!, e = nodes.end[k]!;
    const cand = best[s]! + nodes.score[k]!;
    if (prev[e] === -1 || cand > best[e]!) { best[e] = cand; prev[e] = s; prevId[e] = nodes.id[k]!; }
  }
  return best[len]!;
}

export interface ViterbiFreqResult {
  freq: Float64Array;
  vsum: number;
}

/** Piece frequencies on the Viterbi segmentation of words [from, to), weighted by word counts. */
export function viterbiFreq(inp: LatticeInput): ViterbiFreqResult {
  const freq = new Float64Array(inp.nPieces);
  let vsum = 0;
  const { syms, off, counts } = inp;
  for (let w = inp.from; w < inp.to; w++) {
    const a = off[w]!, b = off[w + 1]!;
    const f = counts[w]!;
    populate(inp, syms, a, b);
    viterbi(b - a);
    vsum += f;
    for (let e = b - a; e > 0; e = nodes.prev[e]!) {
      const id = nodes.prevId[e]!;
      if (id >= 0) freq[id] += f;
    }
  }
  return { freq, vsum };
}

export interface AlternativesResult {
  /** 1 = keep unconditionally/consider (spm's always_keep), 0 = its own best segmentation is split. */
  alwaysKeep: Uint8Array;
  /** alternatives of piece from+i: alt[altOff[i] .. altOff[i+1]), -1 for unknown nodes. */
  alt: Int32Array;
  altOff: Int32Array;
}

/**
 * For pieces [from, to) (words here are the pieces themselves): the 2-best of each piece's own lattice.
 * A piece whose best segmentation is split is removable; otherwise its alternatives are the best path
 * without the whole-piece node (none for single symbols).
 */
export function alternatives(inp: LatticeInput): AlternativesResult {
  const count = inp.to - inp.from;
  const alwaysKeep = new Uint8Array(count);
  const altOff = new Int32Array(count + 1);
  const alt: number[] = [];
  const { syms, off } = inp;
  for (let i = 0; i < count; i++) {
    const p = inp.from + i;
    const a = off[p]!, b = off[p + 1]!;
    const len = b - a;
    altOff[i] = alt.length;
    if (len === 1) { alwaysKeep[i] = 1; continue; }
    populate(inp, syms, a, b);
    viterbi(len);
    const whole = nodes.prev[len] === 0 && nodes.prevId[len] === p;
    if (!whole) { alwaysKeep[i] = 0; continue; }
    alwaysKeep[i] = 1;
    populate(inp, syms, a, b, 0, len);
    viterbi(len);
    const path: number[] = [];
    for (let e = len; e > 0; e = nodes.prev[e]!) path.push(nodes.prevId[e]!);
    for (let k = path.length - 1; k >= 0; k--) alt.push(path[k]!);
  }
  altOff[count] = alt.length;
  return { alwaysKeep, alt: Int32Array.from(alt), altOff };
}
