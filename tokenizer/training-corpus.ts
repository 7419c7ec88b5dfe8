/**
 * Turns training text into what both trainers work on (TrainerInterface::LoadSentences and
 * SplitSentencesByWhitespace, tokenizer.md §1.2–1.6):
 *  - every input text is split into lines (each line is a "sentence" of frequency 1); empty lines, lines
 *    longer than maxSentenceLength bytes and lines containing U+2585 are skipped;
 *  - optional seeded reservoir sampling of inputSentenceSize lines;
 *  - normalization (the same Normalizer the encoder uses), then every meta-piece string (<unk>, <s>, </s>,
 *    control/user symbols, <0xNN>) is replaced by TAB, the boundary no piece may cross;
 *  - words: split before each U+2581 and counted;
 *  - the alphabet: characters by (required, count desc, code point asc) until characterCoverage of all
 *    character occurrences is reached; TAB never enters it; other characters become the unknown symbol;
 *  - words as dense symbol ids in typed arrays, sorted by (count desc, word asc).
 * Symbol ids: 0 = never used in words (sentinel/separator for suffix arrays), 1 = unknown, 2+i = alphabet[i].
 */
import { MassivetextError } from '../pipeline/errors.js';
import { DoubleArray, compareBytes } from './double-array.js';
import { metaPieces } from './meta-pieces.js';
import { Normalizer } from './normalizer.js';
import type { ResolvedTrainerOptions } from './trainer-options.js';

export const SYM_SEP = 0;
export const SYM_UNK = 1;
export const SYM_BASE = 2;

const WS_CHAR = 0x2581;
const UNK_CHAR = 0x2585;
const TAB = 0x09;

export interface TrainingCorpus {
  /** Alphabet code points in alphabet order; symbol id of alphabet[i] is SYM_BASE + i. */
  alphabet: Int32Array;
  /** Occurrences of each alphabet character (weighted by line frequency). */
  alphabetCounts: Float64Array;
  /** Concatenated word symbols, word w = syms[off[w] .. off[w+1]). */
  syms: Int32Array;
  off: Int32Array;
  counts: Float64Array;
  /**
   * Words split by what follows them in their line (another word, or the line end): entry i is word
   * entries.word[i] followed by a word (last = 0) or ending its line (last = 1), entries.count[i] times.
   */
  entries: { word: Int32Array; last: Uint8Array; count: Float64Array };
  stats: CorpusStats;
}

export interface CorpusStats {
  linesRead: number;
  linesSampled: number;
  skippedEmpty: number;
  skippedTooLong: number;
  skippedReservedChar: number;
  emptyAfterNormalization: number;
  characters: number;
  alphabetSize: number;
  characterCoverage: number;
  uniqueWords: number;
}

/** Small, fast, seedable PRNG (mulberry32); the sample depends only on the seed and the input order. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reads lines from texts, filters and samples them. */
export async function collectSentences(
  texts: AsyncIterable<string> | Iterable<string>,
  o: ResolvedTrainerOptions,
  stats: CorpusStats,
): Promise<string[]> {
  const out: string[] = [];
  const n = o.inputSentenceSize;
  const rand = mulberry32(o.seed);
  let seen = 0;
  for await (const text of texts as AsyncIterable<string>) {
    if (typeof text !== 'string') continue;
    let start = 0;
    while (start <= text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const line = text.slice(start, end);
      start = end + 1;
      stats.linesRead++;
      if (line.length === 0) { stats.skippedEmpty++; continue; }
      if (line.length > o.maxSentenceLength || (line.length * 3 > o.maxSentenceLength && Buffer.byteLength(line) > o.maxSentenceLength)) {
        stats.skippedTooLong++;
        continue;
      }
      if (line.includes('\u2585')) { stats.skippedReservedChar++; continue; }
      seen++;
      if (n === 0) out.push(line);
      else if (!o.shuffleInputSentence) {
        if (out.length < n) out.push(line);
      } else if (out.length < n) out.push(line);
      else {
        const j = Math.floor(rand() * seen);
        if (j < n) out[j] = line;
      }
    }
  }
  stats.linesSampled = out.length;
  return out;
}

export function makeNormalizer(o: ResolvedTrainerOptions, charsmap: Uint8Array | null): Normalizer {
  return new Normalizer({
    charsmap,
    addDummyPrefix: o.addDummyPrefix,
    removeExtraWhitespaces: o.removeExtraWhitespaces,
    escapeWhitespaces: true,
    treatWhitespaceAsSuffix: o.treatWhitespaceAsSuffix,
  });
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/** Normalizes lines, replaces meta strings by TAB and counts words (one batch; runs in workers too). */
export function countWords(lines: readonly string[], o: ResolvedTrainerOptions, charsmap: Uint8Array | null): WordCounts {
  const normalizer = makeNormalizer(o, charsmap);
  const metaKeys = [...metaPieces(o).values()].map((m) => utf8.encode(m.piece)).sort(compareBytes);
  const metaTrie = metaKeys.length ? DoubleArray.build(metaKeys, metaKeys.map((_, i) => i)) : null;
  const metaFirst = new Uint8Array(256);
  for (const k of metaKeys) metaFirst[k[0]!] = 1;
  const words = emptyWordCounts();
  let buf = new Uint8Array(4096);
  for (const line of lines) {
    const raw = utf8.encode(line);
    const norm = normalizer.normalizeView(raw);
    if (norm.length === 0) continue;
    // Replace meta strings with TAB (most lines contain none: decode them directly).
    let any = false;
    if (metaTrie) for (let i = 0; i < norm.length; i++) if (metaFirst[norm[i]!]) { any = true; break; }
    if (!any) {
      splitIntoWords(utf8d.decode(norm), o.treatWhitespaceAsSuffix, o.allowWhitespaceOnlyPieces, o.splitByWhitespace, words);
      continue;
    }
    if (buf.length < norm.length) buf = new Uint8Array(norm.length * 2);
    let o2 = 0;
    for (let i = 0; i < norm.length;) {
      const c = norm[i]!;
      if (metaTrie && metaFirst[c]) {
        const m = metaTrie.longestPrefix(norm, i, norm.length);
        if (m) { buf[o2++] = TAB; i += m[1]; continue; }
      }
      buf[o2++] = c;
      i++;
    }
    const s = utf8d.decode(buf.subarray(0, o2));
    splitIntoWords(s, o.treatWhitespaceAsSuffix, o.allowWhitespaceOnlyPieces, o.splitByWhitespace, words);
  }
  return words;
}

/**
 * SplitIntoWords (model_interface.cc): a word starts at the text start and at each U+2581 (prefix mode).
 * Counted by right context in its line (the seed extraction needs it: spm's suffix tree sees what follows
 * each word).
 */
export function splitIntoWords(s: string, suffix: boolean, allowWsOnly: boolean, split: boolean, into: WordCounts): void {
  let pending: string | null = null;
  const mid = into.mid;
  splitParts(s, suffix, allowWsOnly, split, (w: string) => {
    if (!w.length) return;
    if (pending !== null) mid.set(pending, (mid.get(pending) ?? 0) + 1);
    pending = w;
  });
  if (pending !== null) into.last.set(pending, (into.last.get(pending) ?? 0) + 1);
}

/** Word counts split by right context in the line: followed by another word (mid) / ending it (last). */
export interface WordCounts {
  mid: Map<string, number>;
  last: Map<string, number>;
}

export function emptyWordCounts(): WordCounts {
  return { mid: new Map(), last: new Map() };
}

/** Adds b into a. */
export function mergeWordCounts(a: WordCounts, b: WordCounts): void {
  for (const [k, v] of b.mid) a.mid.set(k, (a.mid.get(k) ?? 0) + v);
  for (const [k, v] of b.last) a.last.set(k, (a.last.get(k) ?? 0) + v);
}

function splitParts(s: string, suffix: boolean, allowWsOnly: boolean, split: boolean, add: (w: string) => void): void {
  if (!split) { add(s); return; }
  const WS = '\u2581';
  let start = 0;
  if (!suffix) {
    let inWs = false;
    for (let i = 0; i < s.length; i++) {
      const isWs = s[i] === WS;
      if (i === 0 || (isWs && (!inWs || !allowWsOnly))) {
        if (i > start) add(s.slice(start, i));
        start = i;
        inWs = true;
      }
      if (inWs && !isWs) inWs = false;
    }
    add(s.slice(start));
  } else {
    let inWs = false;
    for (let i = 0; i < s.length; i++) {
      const isWs = s[i] === WS;
      if (isWs) inWs = true;
      else if (inWs) {
        if (allowWsOnly) { add(s.slice(start, i)); start = i; }
        inWs = false;
      }
      if (isWs && !allowWsOnly && i + 1 < s.length) { add(s.slice(start, i + 1)); start = i + 1; }
    }
    add(s.slice(start));
  }
}

/** Code-point order comparison of JS strings (what std::string byte order gives for UTF-8). */
export function compareCodePointOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Builds the alphabet and the symbolized, deduplicated, sorted word list from word counts. */
export function buildCorpus(wordCounts: WordCounts, o: ResolvedTrainerOptions, stats: CorpusStats, metaCount: number): TrainingCorpus {
  const charCount = new Map<number, number>();
  const required = new Set<number>();
  for (const ch of o.requiredChars) {
    const cp = ch.codePointAt(0)!;
    if (cp !== 0) { required.add(cp); if (!charCount.has(cp)) charCount.set(cp, 0); }
  }
  let total = 0;
  const dense = new Float64Array(0x110000);
  for (const [key, c] of iterateCounts(wordCounts)) {
    for (let i = 0; i < key.length; i++) {
      let cp = key.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < key.length) {
        const lo = key.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) { cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00); i++; }
      }
      if (cp === 0 || cp === 0x20 || (cp >= 0xd800 && cp <= 0xdfff)) continue;
      dense[cp] += c;
      total += c;
    }
  }
  for (let cp = 0; cp < 0x110000; cp++) if (dense[cp]! > 0) charCount.set(cp, (charCount.get(cp) ?? 0) + dense[cp]!);
  const chars = [...charCount].sort((a, b) => {
    const ra = required.has(a[0]) ? 1 : 0;
    const rb = required.has(b[0]) ? 1 : 0;
    return rb - ra || b[1] - a[1] || a[0] - b[0];
  });
  const alphabet: number[] = [];
  const alphaCounts: number[] = [];
  let acc = 0;
  for (const [cp, c] of chars) {
    const coverage = total > 0 ? acc / total : 1;
    if (coverage >= o.characterCoverage) break;
    acc += c;
    if (cp === TAB || cp === UNK_CHAR) continue;
    alphabet.push(cp);
    alphaCounts.push(c);
  }
  stats.characters = total;
  stats.alphabetSize = alphabet.length;
  stats.characterCoverage = total > 0 ? acc / total : 1;
  if (alphabet.length + metaCount > o.vocabSize) {
    throw new MassivetextError('vocab_too_small',
      `vocabulary size ${o.vocabSize} is smaller than the alphabet plus special pieces (${alphabet.length} + ${metaCount})`,
      'increase --vocab-size or lower --character-coverage');
  }
  const symDense = new Int32Array(0x110000);
  alphabet.forEach((cp, i) => { symDense[cp] = SYM_BASE + i; });
  // Replace out-of-alphabet characters (U+2585 stands for them) and merge words that became equal.
  const merged = new Map<string, number>();
  const entries = new Map<string, number>();
  const entriesLast = new Map<string, number>();
  const inAlphabet = new Uint8Array(0x110000);
  for (const cp of alphabet) inAlphabet[cp] = 1;
  for (const [w, c, last] of iterateCounts(wordCounts)) {
    let changed = false;
    for (let i = 0; i < w.length; i++) {
      let cp = w.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < w.length) {
        const lo = w.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) { cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00); i++; }
      }
      if (!inAlphabet[cp]) { changed = true; break; }
    }
    let k = w;
    if (changed) {
      k = '';
      for (const ch of w) k += inAlphabet[ch.codePointAt(0)!] ? ch : '\u2585';
    }
    merged.set(k, (merged.get(k) ?? 0) + c);
    const em = last ? entriesLast : entries;
    em.set(k, (em.get(k) ?? 0) + c);
  }
  const words = [...merged].sort((a, b) => b[1] - a[1] || compareCodePointOrder(a[0], b[0]));
  let totalSyms = 0;
  for (const [w] of words) totalSyms += w.length; // upper bound (surrogate pairs count twice)
  const syms = new Int32Array(totalSyms);
  const off = new Int32Array(words.length + 1);
  const counts = new Float64Array(words.length);
  const indexOf = new Map<string, number>();
  let p = 0;
  words.forEach(([w, c], i) => {
    off[i] = p;
    counts[i] = c;
    indexOf.set(w, i);
    for (let j = 0; j < w.length; j++) {
      let cp = w.charCodeAt(j);
      if (cp >= 0xd800 && cp <= 0xdbff && j + 1 < w.length) {
        const lo = w.charCodeAt(j + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) { cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00); j++; }
      }
      syms[p++] = cp === UNK_CHAR ? SYM_UNK : symDense[cp] || SYM_UNK;
    }
  });
  off[words.length] = p;
  // (word, right context) entries for seed extraction, in word order then context.
  const ent = [
    ...[...entries].map(([k, c]) => ({ word: indexOf.get(k)!, last: 0, count: c })),
    ...[...entriesLast].map(([k, c]) => ({ word: indexOf.get(k)!, last: 1, count: c })),
  ];
  ent.sort((a, b) => a.word - b.word || a.last - b.last);
  stats.uniqueWords = words.length;
  return {
    alphabet: Int32Array.from(alphabet),
    alphabetCounts: Float64Array.from(alphaCounts),
    syms: syms.slice(0, p),
    off,
    counts,
    entries: {
      word: Int32Array.from(ent, (e) => e.word),
      last: Uint8Array.from(ent, (e) => e.last),
      count: Float64Array.from(ent, (e) => e.count),
    },
    stats,
  };
}

function* iterateCounts(w: WordCounts): Generator<[string, number, boolean]> {
  for (const [k, v] of w.mid) yield [k, v, false];
  for (const [k, v] of w.last) yield [k, v, true];
}

export function emptyStats(): CorpusStats {
  return {
    linesRead: 0, linesSampled: 0, skippedEmpty: 0, skippedTooLong: 0, skippedReservedChar: 0,
    emptyAfterNormalization: 0, characters: 0, alphabetSize: 0, characterCoverage: 0, uniqueWords: 0,
  };
}

export { WS_CHAR };
