/**
 * Gopher repetition filter (Rae et al. 2021, Appendix A.1.1 "repetition removal", thresholds of
 * Table A1 [P], gopher-spec.md §2.4): thirteen measures, each with one stable drop reason. A document is
 * removed when a measure is greater than its threshold; measures are checked in Table A1's order and
 * the first that fires is the reason.
 *
 * | reason                                      | measure                                            | max  |
 * | ------------------------------------------- | -------------------------------------------------- | ---- |
 * | gopher_repetition:dup_line_fraction         | duplicate lines / lines                            | 0.30 |
 * | gopher_repetition:dup_paragraph_fraction    | duplicate paragraphs / paragraphs                  | 0.30 |
 * | gopher_repetition:dup_line_char_fraction    | characters in duplicate lines / characters         | 0.20 |
 * | gopher_repetition:dup_paragraph_char_fraction | characters in duplicate paragraphs / characters  | 0.20 |
 * | gopher_repetition:top_2gram … top_4gram     | characters in the most frequent n-gram / chars     | 0.20, 0.18, 0.16 |
 * | gopher_repetition:dup_5gram … dup_10gram    | characters in duplicated n-grams / characters      | 0.15 … 0.10 |
 *
 * Canonical reading (gopher-spec.md §2.4 [REC]) and the peers' readings, each available as an option:
 *
 * - Line: a non-blank line (NeMo; datatrove splits on `\n+`, which also drops blank lines); `lines: 'all'`
 *   counts blank lines too (dolma v1, where blank lines become duplicates of each other).
 * - Paragraph: lines between blank lines, i.e. blocks separated by `\n\s*\n` (datatrove `\n{2,}`, NeMo
 *   `\n\n`). Paragraph text = its lines joined by `\n` (CR of CRLF dropped).
 * - Duplicate: every occurrence after the first (datatrove, NeMo); `countFirstOccurrence: true` counts
 *   the first occurrence of a repeated item too (dolma, RPv2) — roughly doubles the values.
 * - Characters: code points; denominator = all characters of the text (datatrove, NeMo: `len(text)`);
 *   `charDenominator: 'non-whitespace'` uses only non-whitespace characters (dolma, RPv2 "word characters").
 * - N-grams are over whitespace words (text-analysis.ts), case-sensitive (datatrove, dolma, NeMo; RPv2
 *   lower-cases). An n-gram's characters = its words joined by single spaces.
 * - Top n-gram (n = 2..4): count × characters of the most frequent n-gram; 0 when no n-gram occurs twice
 *   (RPv2; datatrove and dolma report a single occurrence; `topNgramMinCount: 1`). Ties between equally
 *   frequent n-grams: the one covering most characters (order-independent; datatrove takes the first).
 * - Duplicate n-grams (n = 5..10), `duplicateNgramCoverage`:
 *   'mask' (canonical) — each word covered by an occurrence after the first of any repeated n-gram is
 *     marked once; covered characters = covered words' characters + one space between adjacent covered
 *     words. This is the paper's "each character counted once even where duplicated n-grams overlap",
 *     literally (RPv2's word mask, but without first occurrences unless `countFirstOccurrence`).
 *   'skip' — datatrove's greedy scan: on a repeated n-gram add its characters and jump n words ahead
 *     (depends on scan order; dup-6 can exceed dup-5).
 *   'overlap' — dolma: characters of every n-gram position whose n-gram occurs more than once, over the
 *     characters of all n-gram positions (overlaps counted repeatedly; its own denominator).
 */
import { drop, KEEP, type Document, type Filter, type Verdict } from '../pipeline/index.js';
import { HashCounter } from './hash-counter.js';
import { fmix32 } from '../pipeline/hash.js';
import { analyzeText, type TextAnalysis } from './text-analysis.js';

export interface GopherRepetitionOptions {
  /** Table A1 [P]: duplicate line fraction 0.30. */
  maxDuplicateLineFraction: number;
  /** Table A1 [P]: duplicate paragraph fraction 0.30. */
  maxDuplicateParagraphFraction: number;
  /** Table A1 [P]: duplicate line character fraction 0.20 (dolma v1.5 config uses 0.30). */
  maxDuplicateLineCharFraction: number;
  /** Table A1 [P]: duplicate paragraph character fraction 0.20. */
  maxDuplicateParagraphCharFraction: number;
  /** Table A1 [P]: top 2/3/4-gram character fractions 0.20/0.18/0.16, as [n, max] pairs. */
  topNgrams: [number, number][];
  /** Table A1 [P]: duplicate 5..10-gram character fractions 0.15..0.10, as [n, max] pairs. */
  duplicateNgrams: [number, number][];

  lines: 'non-blank' | 'all';
  countFirstOccurrence: boolean;
  charDenominator: 'all' | 'non-whitespace';
  topNgramMinCount: number;
  duplicateNgramCoverage: 'mask' | 'skip' | 'overlap';
}

export const defaultGopherRepetitionOptions: Readonly<GopherRepetitionOptions> = Object.freeze({
  maxDuplicateLineFraction: 0.3, // Table A1 [P]
  maxDuplicateParagraphFraction: 0.3, // Table A1 [P]
  maxDuplicateLineCharFraction: 0.2, // Table A1 [P]
  maxDuplicateParagraphCharFraction: 0.2, // Table A1 [P]
  topNgrams: [
    [2, 0.2], // Table A1 [P]
    [3, 0.18], // Table A1 [P]
    [4, 0.16], // Table A1 [P]
  ] as [number, number][],
  duplicateNgrams: [
    [5, 0.15], // Table A1 [P]
    [6, 0.14], // Table A1 [P]
    [7, 0.13], // Table A1 [P]
    [8, 0.12], // Table A1 [P]
    [9, 0.11], // Table A1 [P]
    [10, 0.1], // Table A1 [P]
  ] as [number, number][],
  lines: 'non-blank',
  countFirstOccurrence: false,
  charDenominator: 'all',
  topNgramMinCount: 2,
  duplicateNgramCoverage: 'mask',
});

export const GOPHER_REPETITION_REASONS = [
  'gopher_repetition:dup_line_fraction',
  'gopher_repetition:dup_paragraph_fraction',
  'gopher_repetition:dup_line_char_fraction',
  'gopher_repetition:dup_paragraph_char_fraction',
  'gopher_repetition:top_2gram',
  'gopher_repetition:top_3gram',
  'gopher_repetition:top_4gram',
  'gopher_repetition:dup_5gram',
  'gopher_repetition:dup_6gram',
  'gopher_repetition:dup_7gram',
  'gopher_repetition:dup_8gram',
  'gopher_repetition:dup_9gram',
  'gopher_repetition:dup_10gram',
] as const;

export interface GopherRepetitionMetrics {
  duplicateLineFraction: number;
  duplicateParagraphFraction: number;
  duplicateLineCharFraction: number;
  duplicateParagraphCharFraction: number;
  /** n -> fraction, for each configured top n-gram size. */
  topNgram: Record<number, number>;
  /** n -> fraction, for each configured duplicate n-gram size. */
  duplicateNgram: Record<number, number>;
}

// Scratch shared by every call in this thread (filters are synchronous, so no interleaving).
const table = new HashCounter();
let gramA = new Int32Array(4096);
let gramB = new Int32Array(4096);
let prefix = new Int32Array(4097);
let mask = new Uint8Array(4096);

interface Units {
  count: number;
  a: Int32Array;
  b: Int32Array;
  len: Int32Array;
}

class GopherRepetition {
  private readonly o: GopherRepetitionOptions;

  constructor(options: Partial<GopherRepetitionOptions>) {
    this.o = { ...defaultGopherRepetitionOptions, ...options };
  }

  check(text: string): Verdict {
    return this.evaluate(text, true).verdict;
  }

  metrics(text: string): GopherRepetitionMetrics {
    return this.evaluate(text, false).metrics;
  }

  /** Computes measures in Table A1 order; with `stopEarly`, returns at the first that fires. */
  private evaluate(text: string, stopEarly: boolean): { verdict: Verdict; metrics: GopherRepetitionMetrics } {
    const o = this.o;
    const a = analyzeText(text);
    const denom = o.charDenominator === 'all' ? a.codePoints : a.nonWhitespace;
    const m: GopherRepetitionMetrics = {
      duplicateLineFraction: NaN,
      duplicateParagraphFraction: NaN,
      duplicateLineCharFraction: NaN,
      duplicateParagraphCharFraction: NaN,
      topNgram: {},
      duplicateNgram: {},
    };
    let verdict: Verdict = KEEP;
    const fire = (reason: string, value: number, max: number): boolean => {
      if (!(value > max) || verdict !== KEEP) return false;
      verdict = drop(reason, `${fmt(value)} > ${max}`);
      return stopEarly;
    };
    const result = () => ({ verdict, metrics: m });

    const lines = lineUnits(a, o.lines);
    const paras = paragraphUnits(a);
    const dl = duplicates(lines, o.countFirstOccurrence);
    const dp = duplicates(paras, o.countFirstOccurrence);
    m.duplicateLineFraction = dl.items / lines.count;
    m.duplicateParagraphFraction = dp.items / paras.count;
    m.duplicateLineCharFraction = dl.chars / denom;
    m.duplicateParagraphCharFraction = dp.chars / denom;
    if (fire('gopher_repetition:dup_line_fraction', m.duplicateLineFraction, o.maxDuplicateLineFraction)) return result();
    if (fire('gopher_repetition:dup_paragraph_fraction', m.duplicateParagraphFraction, o.maxDuplicateParagraphFraction)) return result();
    if (fire('gopher_repetition:dup_line_char_fraction', m.duplicateLineCharFraction, o.maxDuplicateLineCharFraction)) return result();
    if (fire('gopher_repetition:dup_paragraph_char_fraction', m.duplicateParagraphCharFraction, o.maxDuplicateParagraphCharFraction)) {
      return result();
    }

    const N = a.wordCount;
    if (N === 0) return result();
    prepareGrams(a);
    let gramN = 1;
    const advanceTo = (n: number): void => {
      for (; gramN < n; gramN++) extendGrams(a, gramN + 1);
    };
    for (const [n, max] of [...o.topNgrams].sort((x, y) => x[0] - y[0])) {
      if (N < n) break;
      advanceTo(n);
      const v = topNgramChars(N, n, o.topNgramMinCount) / denom;
      m.topNgram[n] = v;
      if (fire(`gopher_repetition:top_${n}gram`, v, max)) return result();
    }
    const dups = [...o.duplicateNgrams].sort((x, y) => x[0] - y[0]);
    for (const [k, [n, max]] of dups.entries()) {
      if (N < n) break;
      advanceTo(n);
      let v: number;
      if (o.duplicateNgramCoverage === 'overlap') v = overlapFraction(N, n);
      else if (o.duplicateNgramCoverage === 'skip') v = skipChars(N, n) / denom;
      else v = maskChars(a, N, n, o.countFirstOccurrence) / denom;
      m.duplicateNgram[n] = v;
      if (fire(`gopher_repetition:dup_${n}gram`, v, max)) return result();
      // 'mask' coverage never grows with n (a word covered by a repeated (n+1)-gram is covered by its two
      // repeated n-grams), so when this value is at or below every later threshold none of them can fire.
      if (stopEarly && o.duplicateNgramCoverage === 'mask' && dups.slice(k + 1).every(([, t]) => v <= t)) return result();
    }
    return result();
  }
}

function lineUnits(a: TextAnalysis, mode: 'non-blank' | 'all'): Units {
  if (mode === 'all') return { count: a.lineCount, a: a.lineHashA, b: a.lineHashB, len: a.lineLength };
  const n = a.nonBlankLines;
  const u: Units = { count: n, a: new Int32Array(n), b: new Int32Array(n), len: new Int32Array(n) };
  for (let i = 0, j = 0; i < a.lineCount; i++) {
    if (a.lineFirst[i]! < 0) continue;
    u.a[j] = a.lineHashA[i]!;
    u.b[j] = a.lineHashB[i]!;
    u.len[j] = a.lineLength[i]!;
    j++;
  }
  return u;
}

/** Paragraphs: runs of non-blank lines; hash of the lines in order; length includes the joining `\n`s. */
function paragraphUnits(a: TextAnalysis): Units {
  const ha: number[] = [];
  const hb: number[] = [];
  const len: number[] = [];
  let open = false;
  let pa = 0;
  let pb = 0;
  let pl = 0;
  for (let i = 0; i < a.lineCount; i++) {
    if (a.lineFirst[i]! < 0) {
      if (open) {
        ha.push(pa);
        hb.push(pb);
        len.push(pl);
        open = false;
      }
      continue;
    }
    if (!open) {
      open = true;
      pa = 0x3c6ef372;
      pb = 0x1b873593;
      pl = -1;
    }
    pa = fmix32(Math.imul(pa, 0x9e3779b1) ^ a.lineHashA[i]!);
    pb = fmix32(Math.imul(pb ^ a.lineHashB[i]!, 0x85ebca77));
    pl += a.lineLength[i]! + 1;
  }
  if (open) {
    ha.push(pa);
    hb.push(pb);
    len.push(pl);
  }
  return { count: ha.length, a: Int32Array.from(ha), b: Int32Array.from(hb), len: Int32Array.from(len) };
}

/** Duplicate items (after the first, or all occurrences with countFirst) and their characters. */
function duplicates(u: Units, countFirst: boolean): { items: number; chars: number } {
  table.reset(u.count);
  const value = () => table.value;
  let items = 0;
  let chars = 0;
  for (let i = 0; i < u.count; i++) {
    const s = table.slot(u.a[i]!, u.b[i]!);
    if (s < 0) {
      value()[~s] = i + 1;
      continue;
    }
    items++;
    chars += u.len[i]!;
    if (countFirst) {
      const first = value()[s]!;
      if (first > 0) {
        items++;
        chars += u.len[first - 1]!;
        value()[s] = -first;
      }
    }
  }
  return { items, chars };
}

/** Loads word hashes (1-grams) and the prefix sums of word lengths into scratch. */
function prepareGrams(a: TextAnalysis): void {
  const N = a.wordCount;
  if (gramA.length < N) {
    const cap = Math.max(N, gramA.length * 2);
    gramA = new Int32Array(cap);
    gramB = new Int32Array(cap);
    prefix = new Int32Array(cap + 1);
    mask = new Uint8Array(cap);
  }
  gramA.set(a.wordHashA.subarray(0, N));
  gramB.set(a.wordHashB.subarray(0, N));
  let s = 0;
  prefix[0] = 0;
  for (let i = 0; i < N; i++) {
    s += a.wordLength[i]!;
    prefix[i + 1] = s;
  }
}

/** Turns (n-1)-gram hashes into n-gram hashes in place: gram[i] = mix(gram[i], word[i+n-1]). */
function extendGrams(a: TextAnalysis, n: number): void {
  const wa = a.wordHashA;
  const wb = a.wordHashB;
  const last = a.wordCount - n;
  // Order-sensitive (multiply the prefix before adding the next word), then a short avalanche.
  for (let i = 0; i <= last; i++) {
    let x = Math.imul(gramA[i]!, 0x9e3779b1) ^ wa[i + n - 1]!;
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    gramA[i] = x ^ (x >>> 13);
    let y = Math.imul(gramB[i]!, 0x7feb352d) + wb[i + n - 1]!;
    y = Math.imul(y ^ (y >>> 15), 0xc2b2ae35);
    gramB[i] = y ^ (y >>> 16);
  }
}

/** Characters of the n-gram starting at word i, joined by single spaces. */
function gramChars(i: number, n: number): number {
  return prefix[i + n]! - prefix[i]! + n - 1;
}

function topNgramChars(N: number, n: number, minCount: number): number {
  const positions = N - n + 1;
  table.reset(positions);
  let bestCount = 0;
  let bestChars = 0;
  for (let i = 0; i < positions; i++) {
    let s = table.slot(gramA[i]!, gramB[i]!);
    if (s < 0) s = ~s;
    const c = ++table.value[s]!;
    if (c > bestCount) {
      bestCount = c;
      bestChars = gramChars(i, n);
    } else if (c === bestCount) {
      const ch = gramChars(i, n);
      if (ch > bestChars) bestChars = ch;
    }
  }
  return bestCount >= minCount ? bestCount * bestChars : 0;
}

function maskChars(a: TextAnalysis, N: number, n: number, countFirst: boolean): number {
  const positions = N - n + 1;
  table.reset(positions);
  mask.fill(0, 0, N);
  let coveredEnd = 0;
  for (let i = 0; i < positions; i++) {
    const s = table.slot(gramA[i]!, gramB[i]!);
    if (s < 0) {
      table.value[~s] = i + 1;
      continue;
    }
    for (let j = Math.max(i, coveredEnd); j < i + n; j++) mask[j] = 1;
    if (i + n > coveredEnd) coveredEnd = i + n;
    if (countFirst) {
      const first = table.value[s]!;
      if (first > 0) {
        for (let j = first - 1; j < first - 1 + n; j++) mask[j] = 1;
        table.value[s] = -first;
      }
    }
  }
  let chars = 0;
  const len = a.wordLength;
  for (let i = 0; i < N; i++) {
    if (mask[i]) chars += len[i]! + (i > 0 && mask[i - 1] ? 1 : 0);
  }
  return chars;
}

function skipChars(N: number, n: number): number {
  const positions = N - n + 1;
  table.reset(positions);
  let chars = 0;
  let i = 0;
  while (i < positions) {
    const s = table.slot(gramA[i]!, gramB[i]!);
    if (s >= 0) {
      chars += gramChars(i, n);
      i += n;
    } else {
      i++;
    }
  }
  return chars;
}

/** dolma: word characters of n-gram positions whose n-gram repeats / word characters of all positions. */
function overlapFraction(N: number, n: number): number {
  const positions = N - n + 1;
  table.reset(positions);
  for (let i = 0; i < positions; i++) {
    let s = table.slot(gramA[i]!, gramB[i]!);
    if (s < 0) s = ~s;
    table.value[s]!++;
  }
  let dup = 0;
  let all = 0;
  for (let i = 0; i < positions; i++) {
    const chars = prefix[i + n]! - prefix[i]!;
    all += chars;
    if (table.value[table.slot(gramA[i]!, gramB[i]!)]! > 1) dup += chars;
  }
  return all === 0 ? 0 : dup / all;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 1000) / 1000) : String(x);
}

/** The Gopher repetition filter (paper A.1.1, Table A1) with the given options over the defaults. */
export function gopherRepetitionFilter(options: Partial<GopherRepetitionOptions> = {}): Filter {
  const r = new GopherRepetition(options);
  return { name: 'gopher-repetition', check: (doc: Document) => r.check(doc.text) };
}

/** Every repetition measure, for reports and tests. */
export function gopherRepetitionMetrics(text: string, options: Partial<GopherRepetitionOptions> = {}): GopherRepetitionMetrics {
  return new GopherRepetition(options).metrics(text);
}
