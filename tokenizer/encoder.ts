/**
 * Encodes text to ids exactly as SentencePieceProcessor does (spm_encode, sentencepiece-js):
 * normalize (normalizer.ts), then
 *  - unigram: unigram::Model::EncodeOptimized, a Viterbi over UTF-8 byte positions that keeps the best path
 *    ending at each position, with float32 path scores, strict `>` (so ties keep the earlier start), and an
 *    unknown node (min score - 10) where no single-character piece starts;
 *  - BPE: bpe::Model::Encode, repeatedly merging the adjacent pair with the highest piece score (ties: the
 *    leftmost), user-defined symbols frozen;
 * then unknown pieces become their UTF-8 bytes as `<0xNN>` pieces with byte fallback, or runs of unknowns
 * merge into one `<unk>` without it. (Read from sentencepiece's unigram_model.cc, bpe_model.cc and
 * sentencepiece_processor.cc; tokenizer.md §4.)
 */
import { readFile } from 'node:fs/promises';
import { MassivetextError } from '../pipeline/errors.js';
import { DoubleArray, compareBytes } from './double-array.js';
import { decodeModelProto, ModelType, PieceType, bytePiece, type ModelProto } from './model-proto.js';
import { Normalizer, oneCharLen } from './normalizer.js';

const UNK_PENALTY = 10;
/** FLT_MIN: the initial max_score_ of unigram::Model, which user-defined scores scale with. */
const FLT_MIN = 1.1754943508222875e-38;
const utf8 = new TextEncoder();

export interface TokenizerModel {
  readonly proto: ModelProto;
  readonly modelType: 'unigram' | 'bpe';
  readonly vocabSize: number;
  readonly unkId: number;
  /** -1 when the model has no such piece. */
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly byteFallback: boolean;
  readonly normalizer: Normalizer;
  /** NORMAL, USER_DEFINED and UNUSED pieces (SentencePiece's `pieces_`) -> id. */
  readonly trie: DoubleArray;
  readonly scores: Float32Array;
  readonly types: Uint8Array;
  /** id of `<0xNN>` for each byte, or -1. */
  readonly byteIds: Int32Array;
  readonly minScore: number;
  readonly maxScore: number;
  /** Control/unknown/byte pieces by string (SentencePiece's reserved_id_map_). */
  readonly reserved: ReadonlyMap<string, number>;
  readonly pieces: readonly string[];
}

/** Reads and validates a `.model` file with the same load-time checks as SentencePiece. */
export async function loadModel(file: string): Promise<TokenizerModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new MassivetextError('model_unreadable', `cannot read tokenizer model ${file}: ${(e as Error).message}`,
      'pass --model PREFIX.model as written by `massivetext tokenizer train`', { file });
  }
  try {
    return modelFromProto(decodeModelProto(bytes));
  } catch (e) {
    if (e instanceof MassivetextError) throw new MassivetextError(e.code, e.message, e.hint, { file });
    throw new MassivetextError('model_invalid', `${file} is not a valid SentencePiece model: ${(e as Error).message}`,
      'retrain it with `massivetext tokenizer train` or check the path', { file });
  }
}

export function modelFromProto(proto: ModelProto): TokenizerModel {
  const ts = proto.trainerSpec ?? {};
  const ns = proto.normalizerSpec ?? {};
  const mt = (ts.model_type as number | undefined) ?? ModelType.UNIGRAM;
  if (mt !== ModelType.UNIGRAM && mt !== ModelType.BPE) {
    throw new MassivetextError('model_unsupported', `model_type ${mt} is not supported (only UNIGRAM and BPE)`, 'train a unigram or bpe model');
  }
  const byteFallback = ts.byte_fallback === true;
  const n = proto.pieces.length;
  const scores = new Float32Array(n);
  const types = new Uint8Array(n);
  const byteIds = new Int32Array(256).fill(-1);
  const reserved = new Map<string, number>();
  const normal: { key: Uint8Array; id: number }[] = [];
  const seen = new Set<string>();
  const userDefined: string[] = [];
  let unkId = -1;
  let minScore = Infinity;
  let maxScore = FLT_MIN;
  const fail = (msg: string) => new MassivetextError('model_invalid', msg, 'retrain the model with `massivetext tokenizer train`');
  for (let id = 0; id < n; id++) {
    const p = proto.pieces[id]!;
    const type = p.type ?? PieceType.NORMAL;
    if (p.piece === '') throw fail(`piece ${id} is empty`);
    scores[id] = p.score;
    types[id] = type;
    const isNormal = type === PieceType.NORMAL || type === PieceType.USER_DEFINED || type === PieceType.UNUSED;
    const ns = (isNormal ? 'n:' : 'r:') + p.piece;
    if (seen.has(ns)) throw fail(`piece ${JSON.stringify(p.piece)} is already defined`);
    seen.add(ns);
    if (isNormal) normal.push({ key: utf8.encode(p.piece), id });
    else reserved.set(p.piece, id);
    if (type === PieceType.USER_DEFINED) userDefined.push(p.piece);
    if (type === PieceType.NORMAL) { minScore = Math.min(minScore, p.score); maxScore = Math.max(maxScore, p.score); }
    if (type === PieceType.UNKNOWN) {
      if (unkId >= 0) throw fail('unk is already defined');
      unkId = id;
    }
    if (type === PieceType.BYTE) {
      if (!byteFallback) throw fail(`byte piece ${p.piece} is found although byte_fallback is false`);
      const m = /^<0x([0-9A-F]{2})>$/.exec(p.piece);
      if (!m) throw fail(`byte piece ${p.piece} is invalid`);
      byteIds[parseInt(m[1]!, 16)] = id;
    }
  }
  if (unkId < 0) throw fail('unk is not defined');
  if (byteFallback && byteIds.includes(-1)) throw fail('there are not 256 byte pieces although byte_fallback is true');
  normal.sort((a, b) => compareBytes(a.key, b.key));
  const trie = DoubleArray.build(normal.map((x) => x.key), normal.map((x) => x.id));
  const controlId = (name: string, dflt: string) => {
    const id = reserved.get((ts[name] as string | undefined) ?? dflt);
    return id !== undefined && types[id] === PieceType.CONTROL ? id : -1;
  };
  const normalizer = new Normalizer({
    charsmap: (ns.precompiled_charsmap as Uint8Array | undefined) ?? null,
    addDummyPrefix: ns.add_dummy_prefix !== false,
    removeExtraWhitespaces: ns.remove_extra_whitespaces !== false,
    escapeWhitespaces: ns.escape_whitespaces !== false,
    treatWhitespaceAsSuffix: ts.treat_whitespace_as_suffix === true,
    userDefinedSymbols: userDefined,
  });
  return {
    proto,
    modelType: mt === ModelType.BPE ? 'bpe' : 'unigram',
    vocabSize: n,
    unkId,
    bosId: controlId('bos_piece', '<s>'),
    eosId: controlId('eos_piece', '</s>'),
    padId: controlId('pad_piece', '<pad>'),
    byteFallback,
    normalizer,
    trie,
    scores,
    types,
    byteIds,
    minScore: minScore === Infinity ? 0 : minScore,
    maxScore,
    reserved,
    pieces: proto.pieces.map((p) => p.piece),
  };
}

/** Reusable scratch space for one encoder (one per thread). */
class Scratch {
  score = new Float64Array(1024);
  start = new Int32Array(1024);
  id = new Int32Array(1024);
  ids = new Uint32Array(1024);
  /** Ends of the best path, in order (unigram). */
  path = new Int32Array(1024);
  grow(n: number): void {
    if (n <= this.score.length) return;
    let cap = this.score.length;
    while (cap < n) cap *= 2;
    this.score = new Float64Array(cap);
    this.start = new Int32Array(cap);
    this.id = new Int32Array(cap);
    this.path = new Int32Array(cap);
  }
  growIds(n: number): void {
    if (n <= this.ids.length) return;
    let cap = this.ids.length;
    while (cap < n) cap *= 2;
    const next = new Uint32Array(cap);
    next.set(this.ids);
    this.ids = next;
  }
}

const scratch = new Scratch();

/** Ids of one text, identical to `spm_encode --output_format=id` on the same line. */
export function encodeIds(model: TokenizerModel, text: string): Uint32Array {
  return encodeBytes(model, utf8.encode(text)).slice();
}

/**
 * Encodes UTF-8 bytes; the returned view is valid until the next call in this thread.
 */
export function encodeBytes(model: TokenizerModel, input: Uint8Array): Uint32Array {
  const norm = model.normalizer.normalizeView(input);
  if (norm.length === 0) return scratch.ids.subarray(0, 0);
  return model.modelType === 'bpe' ? encodeBpe(model, norm) : encodeUnigram(model, norm);
}

/** Piece strings for ids (for debugging and tests). */
export function idsToPieces(model: TokenizerModel, ids: ArrayLike<number>): string[] {
  return Array.from(ids, (id) => model.pieces[id] ?? '');
}

function encodeUnigram(model: TokenizerModel, s: Uint8Array): Uint32Array {
  const n = s.length;
  const sc = scratch;
  sc.grow(n + 1);
  const best = sc.score;
  const startAt = sc.start;
  const bestId = sc.id;
  for (let i = 0; i <= n; i++) { startAt[i] = -1; best[i] = 0; }
  const units = model.trie.units;
  const scores = model.scores;
  const types = model.types;
  const unkScore = Math.fround(model.minScore - UNK_PENALTY);
  const maxScore = model.maxScore;
  const rootOff = offsetOf(units[0]!);
  const unkId = model.unkId;
  let pos = 0;
  while (pos < n) {
    const till = best[pos]!;
    const mblen = Math.min(oneCharLen(s[pos]!), n - pos);
    let hasSingle = false;
    let node = rootOff;
    for (let k = pos; k < n; k++) {
      const c = s[k]!;
      node ^= c;
      const unit = units[node] ?? 0x80000000;
      if ((unit & 0x800000ff) !== c) break;
      node ^= offsetOf(unit);
      if (!(unit & 0x100)) continue;
      const id = units[node]! & 0x7fffffff;
      const type = types[id]!;
      if (type === PieceType.UNUSED) continue;
      const end = k + 1;
      const length = end - pos;
      let cand: number;
      if (type === PieceType.USER_DEFINED) cand = (Math.fround(length * maxScore) - 0.1) + till;
      else cand = scores[id]! + till; // `auto score` is double (the ?: with the user-defined branch)
      if (startAt[end] === -1 || cand > best[end]!) {
        best[end] = Math.fround(cand);
        startAt[end] = pos;
        bestId[end] = id;
      }
      if (length === mblen) hasSingle = true;
    }
    if (!hasSingle) {
      const end = pos + mblen;
      const cand = Math.fround(unkScore + till);
      if (startAt[end] === -1 || cand > best[end]!) {
        best[end] = cand;
        startAt[end] = pos;
        bestId[end] = unkId;
      }
    }
    pos += mblen;
  }
  // Backtrack: count tokens, then emit in order.
  let count = 0;
  for (let e = n; e > 0; e = startAt[e]!) count++;
  // Collect ends in reverse into the reused path buffer (count <= n, and sc.grow(n + 1) sized it).
  const path = sc.path;
  for (let e = n, k = count - 1; e > 0; e = startAt[e]!, k--) path[k] = e;
  return emit(model, s, path, count, startAt, bestId);
}

/** Applies byte fallback / unknown merging to a path of (start, end, id) and returns ids. */
function emit(model: TokenizerModel, s: Uint8Array, ends: Int32Array, count: number, startAt: Int32Array, bestId: Int32Array): Uint32Array {
  const sc = scratch;
  sc.growIds(count * 4 + 4);
  let out = sc.ids;
  let o = 0;
  let prevUnk = false;
  const unkId = model.unkId;
  const types = model.types;
  for (let k = 0; k < count; k++) {
    const e = ends[k]!;
    const st = startAt[e]!;
    const id = bestId[e]!;
    const isUnk = types[id] === PieceType.UNKNOWN;
    if (isUnk && model.byteFallback) {
      if (o + (e - st) > out.length) { sc.growIds(o + (e - st) + count); out = sc.ids; }
      for (let b = st; b < e; b++) out[o++] = model.byteIds[s[b]!]!;
    } else if (isUnk && prevUnk) {
      // merged into the previous <unk>
    } else {
      out[o++] = isUnk ? unkId : id;
    }
    prevUnk = isUnk;
  }
  return out.subarray(0, o);
}

function offsetOf(unit: number): number {
  return (unit >>> 10) << ((unit & 0x200) >>> 6);
}

// ---------------------------------------------------------------------------------------------------
// BPE

class PairHeap {
  score = new Float64Array(256);
  left = new Int32Array(256);
  right = new Int32Array(256);
  size = new Int32Array(256);
  n = 0;
  clear(): void { this.n = 0; }
  private before(a: number, b: number): boolean {
    const sa = this.score[a]!, sb = this.score[b]!;
    return sa > sb || (sa === sb && this.left[a]! < this.left[b]!);
  }
  private swap(a: number, b: number): void {
    let t = this.score[a]!; this.score[a] = this.score[b]!; this.score[b] = t;
    t = this.left[a]!; this.left[a] = this.left[b]!; this.left[b] = t;
    t = this.right[a]!; this.right[a] = this.right[b]!; this.right[b] = t;
    t = this.size[a]!; this.size[a] = this.size[b]!; this.size[b] = t;
  }
  push(score: number, left: number, right: number, size: number): void {
    if (this.n === this.score.length) {
      const cap = this.n * 2;
      const g = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => { const x = make(cap); x.set(a); return x; };
      this.score = g(this.score, (c) => new Float64Array(c));
      this.left = g(this.left, (c) => new Int32Array(c));
      this.right = g(this.right, (c) => new Int32Array(c));
      this.size = g(this.size, (c) => new Int32Array(c));
    }
    let i = this.n++;
    this.score[i] = score; this.left[i] = left; this.right[i] = right; this.size[i] = size;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  /** Moves the top to slot n (past the end) and restores the heap; returns that slot. */
  pop(): number {
    const last = --this.n;
    this.swap(0, last);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < last && this.before(l, m)) m = l;
      if (r < last && this.before(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return last;
  }
}

const heap = new PairHeap();
let symStart = new Int32Array(256);
let symLen = new Int32Array(256);
let symPrev = new Int32Array(256);
let symNext = new Int32Array(256);
let symFrozen = new Uint8Array(256);

function encodeBpe(model: TokenizerModel, s: Uint8Array): Uint32Array {
  const n = s.length;
  if (symStart.length < n + 1) {
    let cap = symStart.length;
    while (cap < n + 1) cap *= 2;
    symStart = new Int32Array(cap); symLen = new Int32Array(cap);
    symPrev = new Int32Array(cap); symNext = new Int32Array(cap); symFrozen = new Uint8Array(cap);
  }
  const userTrie = model.normalizer.userTrie;
  let count = 0;
  for (let pos = 0; pos < n;) {
    let len = Math.min(oneCharLen(s[pos]!), n - pos);
    let frozen = 0;
    if (userTrie) {
      const m = userTrie.longestPrefix(s, pos, n);
      if (m) { len = m[1]; frozen = 1; }
    }
    symStart[count] = pos; symLen[count] = len; symFrozen[count] = frozen;
    symPrev[count] = count - 1;
    pos += len;
    symNext[count] = pos < n ? count + 1 : -1;
    count++;
  }
  heap.clear();
  const trie = model.trie;
  const scores = model.scores;
  const maybeAdd = (l: number, r: number) => {
    if (l === -1 || r === -1 || symFrozen[l] || symFrozen[r]) return;
    const st = symStart[l]!;
    const size = symLen[l]! + symLen[r]!;
    const id = trie.exactMatch(s, st, st + size);
    if (id < 0) return;
    heap.push(scores[id]!, l, r, size);
  };
  for (let i = 1; i < count; i++) maybeAdd(i - 1, i);
  while (heap.n > 0) {
    const t = heap.pop();
    const l = heap.left[t]!, r = heap.right[t]!, size = heap.size[t]!;
    if (symLen[l] === 0 || symLen[r] === 0 || symLen[l]! + symLen[r]! !== size) continue;
    symLen[l] = size;
    symNext[l] = symNext[r]!;
    if (symNext[r]! >= 0) symPrev[symNext[r]!] = l;
    symLen[r] = 0;
    maybeAdd(symPrev[l]!, l);
    maybeAdd(l, symNext[l]!);
  }
  // Collect pieces; ids via the piece map, then reserved pieces, else unk.
  const ends = new Int32Array(count);
  const sc = scratch;
  sc.grow(n + 1);
  let k = 0;
  for (let i = 0; i !== -1 && count > 0; i = symNext[i]!) {
    const st = symStart[i]!, e = st + symLen[i]!;
    let id = trie.exactMatch(s, st, e);
    if (id < 0) {
      const r = model.reserved.get(Buffer.from(s.subarray(st, e)).toString('utf8'));
      id = r ?? model.unkId;
    }
    sc.start[e] = st;
    sc.id[e] = id;
    ends[k++] = e;
  }
  return emit(model, s, ends, k, sc.start, sc.id);
}

export { bytePiece };
