/**
 * Gopher quality filter (Rae et al. 2021, Appendix A.1.1, "quality filtering"): eight rules, each with
 * one stable drop reason. Thresholds are the paper's [P] (gopher-spec.md §2.3); a document is removed
 * when any rule fires, checked in the paper's order (the first rule that fires is the reason).
 *
 * | reason                               | rule (paper)                                                   |
 * | ------------------------------------ | -------------------------------------------------------------- |
 * | gopher_quality:word_count            | fewer than 50 or more than 100,000 words                       |
 * | gopher_quality:mean_word_length      | mean word length outside 3..10 characters                      |
 * | gopher_quality:symbol_ratio_hash     | `#` to word ratio > 0.1                                        |
 * | gopher_quality:symbol_ratio_ellipsis | ellipsis to word ratio > 0.1                                   |
 * | gopher_quality:bullet_lines          | > 90% of lines start with a bullet point                       |
 * | gopher_quality:ellipsis_lines        | > 30% of lines end with an ellipsis                            |
 * | gopher_quality:alpha_words           | < 80% of words contain an alphabetic character                 |
 * | gopher_quality:stop_words            | fewer than 2 of {the, be, to, of, and, that, have, with}       |
 * (`gopher_quality:symbol_ratio` replaces the two symbol reasons when `symbolRatio: 'combined'`.)
 *
 * The paper defines none of "word", "line", "bullet", "ellipsis", nor how stop words are counted. Our
 * canonical reading (gopher-spec.md §2.3 [REC]) and the peers' readings, each available as an option:
 *
 * - Word: maximal run of non-whitespace (text-analysis.ts) — as dolma and NeMo (`text.split()`).
 *   datatrove uses spaCy/NLTK tokens with punctuation split off and not counted (closest option:
 *   `countPunctuationWords: false` + `wordLength: 'trim-punctuation'`); RPv2 uses normalised words.
 * - Q2 statistic: the mean (paper wording, datatrove, RPv2, NeMo); dolma uses the median
 *   (`wordLengthStatistic: 'median'`). Word length counts punctuation attached to the word (dolma, NeMo);
 *   `wordLength: 'trim-punctuation'` strips leading/trailing non-alphanumerics first (≈ datatrove, RPv2).
 * - Q3/Q4: two separate ratios, as the paper says "for either the hash symbol or the ellipsis" (datatrove);
 *   `symbolRatio: 'combined'` sums them into one ratio (RPv2, NeMo, dolma). We count `#` characters and
 *   ellipsis marks (a run of three or more dots once, plus each `…`), over the word count.
 * - Lines: non-blank lines (NeMo, dolma v2); `lines: 'all'` keeps blank lines in the denominator
 *   (datatrove `splitlines()`, dolma v1, RPv2).
 * - Bullet: first non-whitespace character in {•, ‣, ◦, ▪, ▫, ■, □, ●, ○, ∙, ⁃, -, *, –} — the union of
 *   datatrove/dolma (`-`, `*`, `•`) and RPv2/NeMo (Unicode bullets); option `bullets`.
 * - Ellipsis line: right-trimmed line ends in `...` or `…` (datatrove, RPv2); option `ellipsisLineEndings`
 *   (dolma: only `…`; NeMo adds `[...]`, `read more`...).
 * - Alphabetic word: contains a Unicode letter (\p{L}) — datatrove/NeMo/dolma (`isalpha`); RPv2 is
 *   ASCII-only. Denominator = all words.
 * - Stop words: at least 2 **distinct** list words (datatrove since f9bbe093), matched on the lower-cased
 *   word with leading/trailing punctuation trimmed; `stopWordCounting: 'occurrences'` (dolma, NeMo,
 *   datatrove before 2025) and `stopWordMatch: 'exact'` (case-sensitive, punctuation attached: dolma).
 */
import { drop, KEEP, type Document, type Filter, type Verdict } from '../pipeline/index.js';
import { isAlnumCodePoint } from './char-classes.js';
import { analyzeText, type TextAnalysis } from './text-analysis.js';

export interface GopherQualityOptions {
  /** Q1: paper A.1.1 "fewer than 50 or greater than 100,000 words" [P]. */
  minWords: number;
  maxWords: number;
  /** Q2: paper A.1.1 "mean word length is outside the range of 3 to 10 characters" [P]. */
  minMeanWordLength: number;
  maxMeanWordLength: number;
  /** Q3/Q4: paper A.1.1 "symbol-to-word ratio greater than 0.1 for either the hash symbol or the ellipsis" [P]. */
  maxHashRatio: number;
  maxEllipsisRatio: number;
  /** Q5: paper A.1.1 "more than 90% of lines starting with a bullet point" [P]. */
  maxBulletLineFraction: number;
  /** Q6: paper A.1.1 "more than 30% ending with an ellipsis" [P]. */
  maxEllipsisLineFraction: number;
  /** Q7: paper A.1.1 "80% of words in a document contain at least one alphabetic character" [P]. */
  minAlphaWordFraction: number;
  /** Q8: paper A.1.1 "at least two of the following English words" [P]. */
  minStopWords: number;
  /** Q8 list, paper A.1.1 [P]. */
  stopWords: string[];

  /** Reading of Q3/Q4: two ratios (paper wording) or one combined (RPv2, NeMo, dolma). */
  symbolRatio: 'separate' | 'combined';
  /** Q1: count words made only of punctuation (true: whitespace words) or not (≈ datatrove). */
  countPunctuationWords: boolean;
  /** Q2 statistic: mean (paper) or median (dolma). */
  wordLengthStatistic: 'mean' | 'median';
  /** Q2 word length: as written, or with leading/trailing non-alphanumerics trimmed (≈ datatrove, RPv2). */
  wordLength: 'raw' | 'trim-punctuation';
  /** Q5/Q6 denominator: non-blank lines (canonical) or all lines (datatrove, dolma v1, RPv2). */
  lines: 'non-blank' | 'all';
  /** Q5: what a line may start with (after leading whitespace) to be a bullet line. */
  bullets: string[];
  /** Q6: what a right-trimmed line may end with to be an ellipsis line. */
  ellipsisLineEndings: string[];
  /** Q8: distinct list words (canonical, datatrove) or occurrences (dolma, NeMo). */
  stopWordCounting: 'distinct' | 'occurrences';
  /** Q8 matching: lower-cased and punctuation-trimmed (canonical) or the exact word (dolma). */
  stopWordMatch: 'lowercase-trimmed' | 'exact';
}

/** The Q8 list, paper A.1.1 [P]. */
export const GOPHER_STOP_WORDS: readonly string[] = ['the', 'be', 'to', 'of', 'and', 'that', 'have', 'with'];

/** Canonical bullet set: datatrove/dolma (`-`, `*`, `•`) ∪ RPv2 ∪ NeMo Unicode bullets (gopher-spec.md §2.3 [REC]). */
export const GOPHER_BULLETS: readonly string[] = ['•', '‣', '◦', '▪', '▫', '■', '□', '●', '○', '∙', '⁃', '-', '*', '–'];

export const defaultGopherQualityOptions: Readonly<GopherQualityOptions> = Object.freeze({
  minWords: 50, // paper A.1.1 [P]
  maxWords: 100_000, // paper A.1.1 [P]
  minMeanWordLength: 3, // paper A.1.1 [P]
  maxMeanWordLength: 10, // paper A.1.1 [P]
  maxHashRatio: 0.1, // paper A.1.1 [P]
  maxEllipsisRatio: 0.1, // paper A.1.1 [P]
  maxBulletLineFraction: 0.9, // paper A.1.1 [P]
  maxEllipsisLineFraction: 0.3, // paper A.1.1 [P]
  minAlphaWordFraction: 0.8, // paper A.1.1 [P]
  minStopWords: 2, // paper A.1.1 [P]
  stopWords: [...GOPHER_STOP_WORDS],
  symbolRatio: 'separate',
  countPunctuationWords: true,
  wordLengthStatistic: 'mean',
  wordLength: 'raw',
  lines: 'non-blank',
  bullets: [...GOPHER_BULLETS],
  ellipsisLineEndings: ['...', '…'],
  stopWordCounting: 'distinct',
  stopWordMatch: 'lowercase-trimmed',
});

/** Every reason this filter can give. */
export const GOPHER_QUALITY_REASONS = [
  'gopher_quality:word_count',
  'gopher_quality:mean_word_length',
  'gopher_quality:symbol_ratio_hash',
  'gopher_quality:symbol_ratio_ellipsis',
  'gopher_quality:symbol_ratio',
  'gopher_quality:bullet_lines',
  'gopher_quality:ellipsis_lines',
  'gopher_quality:alpha_words',
  'gopher_quality:stop_words',
] as const;

/** The measured value behind each rule (NaN when a rule's denominator is zero). */
export interface GopherQualityMetrics {
  words: number;
  meanWordLength: number;
  hashRatio: number;
  ellipsisRatio: number;
  bulletLineFraction: number;
  ellipsisLineFraction: number;
  alphaWordFraction: number;
  stopWords: number;
}

/** A prepared rule set; `check` is pure. */
class GopherQuality {
  private readonly o: GopherQualityOptions;
  private readonly bulletCodes = new Set<number>();
  private readonly bulletStrings: string[] = [];
  private readonly stop: Map<string, number>;
  private readonly stopMin: number;
  private readonly stopMax: number;

  constructor(options: Partial<GopherQualityOptions>) {
    this.o = { ...defaultGopherQualityOptions, ...options };
    for (const b of this.o.bullets) {
      if (b.length === 1) this.bulletCodes.add(b.charCodeAt(0));
      else if (b.length > 1) this.bulletStrings.push(b);
    }
    const words = this.o.stopWordMatch === 'exact' ? this.o.stopWords : this.o.stopWords.map((w) => w.toLowerCase());
    this.stop = new Map(words.map((w, i) => [w, i]));
    this.stopMin = Math.min(...words.map((w) => w.length));
    this.stopMax = Math.max(...words.map((w) => w.length));
  }

  check(text: string): Verdict {
    const o = this.o;
    const a = analyzeText(text);
    const words = this.wordCount(a);
    if (words < o.minWords || words > o.maxWords) {
      return drop('gopher_quality:word_count', `${words} words, allowed ${o.minWords}..${o.maxWords}`);
    }
    const mwl = this.meanWordLength(a);
    if (!(mwl >= o.minMeanWordLength && mwl <= o.maxMeanWordLength)) {
      return drop('gopher_quality:mean_word_length', `${fmt(mwl)} characters, allowed ${o.minMeanWordLength}..${o.maxMeanWordLength}`);
    }
    const hashRatio = a.hashChars / words;
    const ellipsisRatio = a.ellipsisMarks / words;
    if (o.symbolRatio === 'combined') {
      const r = hashRatio + ellipsisRatio;
      if (r > o.maxHashRatio) return drop('gopher_quality:symbol_ratio', `${fmt(r)} > ${o.maxHashRatio}`);
    } else {
      if (hashRatio > o.maxHashRatio) return drop('gopher_quality:symbol_ratio_hash', `${fmt(hashRatio)} > ${o.maxHashRatio}`);
      if (ellipsisRatio > o.maxEllipsisRatio) {
        return drop('gopher_quality:symbol_ratio_ellipsis', `${fmt(ellipsisRatio)} > ${o.maxEllipsisRatio}`);
      }
    }
    const { bullet, ellipsis, lines } = this.lineCounts(a);
    if (lines > 0 && bullet / lines > o.maxBulletLineFraction) {
      return drop('gopher_quality:bullet_lines', `${bullet}/${lines} lines > ${o.maxBulletLineFraction}`);
    }
    if (lines > 0 && ellipsis / lines > o.maxEllipsisLineFraction) {
      return drop('gopher_quality:ellipsis_lines', `${ellipsis}/${lines} lines > ${o.maxEllipsisLineFraction}`);
    }
    const alpha = a.wordsWithLetter / a.wordCount;
    if (alpha < o.minAlphaWordFraction) {
      return drop('gopher_quality:alpha_words', `${fmt(alpha)} < ${o.minAlphaWordFraction}`);
    }
    const stops = this.stopWords(a, o.minStopWords);
    if (stops < o.minStopWords) return drop('gopher_quality:stop_words', `${stops} < ${o.minStopWords}`);
    return KEEP;
  }

  metrics(text: string): GopherQualityMetrics {
    const a = analyzeText(text);
    const words = this.wordCount(a);
    const { bullet, ellipsis, lines } = this.lineCounts(a);
    return {
      words,
      meanWordLength: this.meanWordLength(a),
      hashRatio: a.hashChars / words,
      ellipsisRatio: a.ellipsisMarks / words,
      bulletLineFraction: bullet / lines,
      ellipsisLineFraction: ellipsis / lines,
      alphaWordFraction: a.wordsWithLetter / a.wordCount,
      stopWords: this.stopWords(a, Infinity),
    };
  }

  private wordCount(a: TextAnalysis): number {
    if (this.o.countPunctuationWords) return a.wordCount;
    let n = 0;
    for (let i = 0; i < a.wordCount; i++) if (trimmedBounds(a.text, a.wordStart[i]!, a.wordEnd[i]!) !== null) n++;
    return n;
  }

  private meanWordLength(a: TextAnalysis): number {
    const o = this.o;
    if (o.wordLength === 'raw' && o.countPunctuationWords && o.wordLengthStatistic === 'mean') {
      return a.wordChars / a.wordCount;
    }
    const lengths: number[] = [];
    for (let i = 0; i < a.wordCount; i++) {
      if (o.wordLength === 'raw') {
        if (o.countPunctuationWords || trimmedBounds(a.text, a.wordStart[i]!, a.wordEnd[i]!) !== null) lengths.push(a.wordLength[i]!);
      } else {
        const b = trimmedBounds(a.text, a.wordStart[i]!, a.wordEnd[i]!);
        if (b !== null) lengths.push(codePoints(a.text, b[0], b[1]));
        else if (o.countPunctuationWords) lengths.push(0);
      }
    }
    if (lengths.length === 0) return NaN;
    if (o.wordLengthStatistic === 'mean') return lengths.reduce((s, x) => s + x, 0) / lengths.length;
    lengths.sort((x, y) => x - y);
    const m = lengths.length >> 1;
    return lengths.length % 2 ? lengths[m]! : (lengths[m - 1]! + lengths[m]!) / 2;
  }

  private lineCounts(a: TextAnalysis): { bullet: number; ellipsis: number; lines: number } {
    const text = a.text;
    let bullet = 0;
    let ellipsis = 0;
    const endings = this.o.ellipsisLineEndings;
    for (let i = 0; i < a.lineCount; i++) {
      const first = a.lineFirst[i]!;
      if (first < 0) continue;
      if (this.bulletCodes.has(text.charCodeAt(first))) bullet++;
      else if (this.bulletStrings.length && this.bulletStrings.some((b) => text.startsWith(b, first))) bullet++;
      const last = a.lineLast[i]!;
      for (const e of endings) {
        if (last - first >= e.length && text.endsWith(e, last)) {
          ellipsis++;
          break;
        }
      }
    }
    return { bullet, ellipsis, lines: this.o.lines === 'all' ? a.lineCount : a.nonBlankLines };
  }

  /** Stop words found (distinct or occurrences), stopping early once `enough` is reached. */
  private stopWords(a: TextAnalysis, enough: number): number {
    const text = a.text;
    const exact = this.o.stopWordMatch === 'exact';
    const distinct = this.o.stopWordCounting === 'distinct';
    const seen = new Uint8Array(this.stop.size);
    let count = 0;
    for (let i = 0; i < a.wordCount; i++) {
      let s = a.wordStart[i]!;
      let e = a.wordEnd[i]!;
      if (exact) {
        if (e - s < this.stopMin || e - s > this.stopMax) continue;
      } else {
        // Cheap length gate before trimming: a stop word plus a little punctuation.
        if (e - s < this.stopMin || e - s > this.stopMax + 4) continue;
        const b = trimmedBounds(text, s, e);
        if (b === null) continue;
        [s, e] = b;
        if (e - s < this.stopMin || e - s > this.stopMax) continue;
      }
      const w = exact ? text.slice(s, e) : text.slice(s, e).toLowerCase();
      const k = this.stop.get(w);
      if (k === undefined) continue;
      if (distinct) {
        if (seen[k]) continue;
        seen[k] = 1;
      }
      if (++count >= enough) return count;
    }
    return count;
  }
}

/** [start, end) of the word without leading/trailing non-alphanumerics; null when nothing is left. */
function trimmedBounds(text: string, s: number, e: number): [number, number] | null {
  while (s < e && !isAlnumCodePoint(cpAt(text, s))) s += text.codePointAt(s)! > 0xffff ? 2 : 1;
  while (e > s && !isAlnumCodePoint(cpBefore(text, e))) e -= cpBefore(text, e) > 0xffff ? 2 : 1;
  return s < e ? [s, e] : null;
}

function cpAt(text: string, i: number): number {
  return text.codePointAt(i)!;
}

function cpBefore(text: string, e: number): number {
  const c = text.charCodeAt(e - 1);
  if ((c & 0xfc00) === 0xdc00 && e >= 2) {
    const h = text.charCodeAt(e - 2);
    if ((h & 0xfc00) === 0xd800) return ((h - 0xd800) << 10) + (c - 0xdc00) + 0x10000;
  }
  return c;
}

function codePoints(text: string, s: number, e: number): number {
  let n = 0;
  for (let i = s; i < e; i++) if ((text.charCodeAt(i) & 0xfc00) !== 0xdc00) n++;
  return n;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 1000) / 1000) : String(x);
}

/** The Gopher quality filter (paper A.1.1) with the given options over the defaults. */
export function gopherQualityFilter(options: Partial<GopherQualityOptions> = {}): Filter {
  const q = new GopherQuality(options);
  return { name: 'gopher-quality', check: (doc: Document) => q.check(doc.text) };
}

/** The values behind each quality rule, for reports and tests. */
export function gopherQualityMetrics(text: string, options: Partial<GopherQualityOptions> = {}): GopherQualityMetrics {
  return new GopherQuality(options).metrics(text);
}
