/**
 * English filter without a model download. The paper keeps English documents only but does not say how
 * it identified the language (gopher-spec.md §2.1 [?]); peers use fastText lid.176 (datatrove threshold
 * 0.65, NeMo 0.3), which needs a 126 MB model. This is our stand-in, a stop-word coverage classifier:
 *
 * 1. Script: letters (\p{L}) are counted; a document whose letters are less than `minLatinFraction` Latin
 *    script is dropped (`english:non_latin_script`); one without letters is dropped (`english:no_letters`).
 * 2. Coverage: over the lower-cased Latin letter runs of the first `maxChars` characters, the share that are
 *    among the `topK` most frequent words of each profiled language (bundled profiles, english-profile.ts,
 *    built by `npm run bench -- english-filter profile` from the Brown Corpus and the Debian Administrator's
 *    Handbook in 18 Latin-script languages). English needs coverage >= `minEnglishCoverage`
 *    (`english:low_english_score` otherwise: unprofiled languages, word lists, code, spam) and must beat
 *    every other profiled language by `margin` (`english:other_language`, detail names the winner).
 * 3. Documents with fewer than `minWords` Latin words are kept when the script test passes (too little
 *    evidence; short documents are the quality filter's business).
 *
 * Accuracy on held-out text is measured by `npm run bench -- english-filter` (figures in the README).
 */
import { drop, KEEP, type Document, type Filter, type Verdict } from '../pipeline/index.js';
import { LANGUAGE_PROFILES } from './english-profile.js';
import { scanLetterWords, WordTable, wordKey } from './letter-words.js';

export interface EnglishOptions {
  /** Minimum share of letters in Latin script. Ours (no source): English prose is ~100% Latin. */
  minLatinFraction: number;
  /** Minimum share of words among English's topK words. Ours, tuned on held-out data (bench english-filter). */
  minEnglishCoverage: number;
  /** English coverage must be >= margin x the best other language's coverage. Ours, tuned likewise. */
  margin: number;
  /** Words per language profile used (<= the bundled list length). */
  topK: number;
  /** Only the first maxChars characters are read (language is settled long before). */
  maxChars: number;
  /** Below this many Latin words the coverage test is skipped (kept if the script test passes). */
  minWords: number;
  /** Profiles: language code -> words in decreasing frequency (space-separated). Must include `en`. */
  profiles: Record<string, string>;
}

export const defaultEnglishOptions: Readonly<EnglishOptions> = Object.freeze({
  minLatinFraction: 0.5,
  minEnglishCoverage: 0.1, // ours: chosen on the held-out set (bench english-filter): 0.08–0.10 keep 92% of telegraphic English ads, 0.15 only 64%; non-English recall unchanged
  margin: 1.0,
  topK: 100,
  maxChars: 50_000,
  minWords: 5,
  profiles: LANGUAGE_PROFILES,
});

export const ENGLISH_REASONS = ['english:no_letters', 'english:non_latin_script', 'english:low_english_score', 'english:other_language'] as const;

export interface EnglishScore {
  letters: number;
  latinFraction: number;
  words: number;
  /** language -> coverage (share of words among its topK words). */
  coverage: Record<string, number>;
  /** The language with the highest coverage. */
  best: string;
}

class EnglishClassifier {
  readonly o: EnglishOptions;
  private readonly langs: string[];
  private readonly enIndex: number;
  /** word hash -> bitmask of languages whose topK contains it. */
  private readonly vocab: WordTable;
  private readonly hits: Float64Array;

  constructor(options: Partial<EnglishOptions>) {
    this.o = { ...defaultEnglishOptions, ...options };
    this.langs = Object.keys(this.o.profiles).sort();
    if (this.langs.length > 31) throw new RangeError('at most 31 language profiles');
    this.enIndex = this.langs.indexOf('en');
    if (this.enIndex < 0) throw new RangeError('the language profiles must include "en"');
    const lists = this.langs.map((lang) => this.o.profiles[lang]!.split(' ').filter(Boolean).slice(0, this.o.topK));
    this.vocab = new WordTable(lists.reduce((n, l) => n + l.length, 0));
    lists.forEach((words, bit) => {
      for (const w of words) {
        const k = wordKey(w);
        if (k) this.vocab.or(k[0], k[1], 1 << bit);
      }
    });
    this.hits = new Float64Array(this.langs.length);
  }

  score(text: string): EnglishScore {
    const hits = this.hits;
    hits.fill(0);
    const vocab = this.vocab;
    const scan = scanLetterWords(text, this.o.maxChars, (a, b) => {
      let m = vocab.get(a, b);
      for (let bit = 0; m !== 0; bit++, m >>>= 1) if (m & 1) hits[bit]!++;
    });
    const coverage: Record<string, number> = {};
    let best = 'en';
    let bestV = -1;
    this.langs.forEach((lang, i) => {
      const v = scan.words ? hits[i]! / scan.words : 0;
      coverage[lang] = v;
      if (v > bestV) {
        bestV = v;
        best = lang;
      }
    });
    return { letters: scan.letters, latinFraction: scan.letters ? scan.latinLetters / scan.letters : 0, words: scan.words, coverage, best };
  }

  check(text: string): Verdict {
    const o = this.o;
    const s = this.score(text);
    if (s.letters === 0) return drop('english:no_letters');
    if (s.latinFraction < o.minLatinFraction) {
      return drop('english:non_latin_script', `Latin letters ${round(s.latinFraction)} < ${o.minLatinFraction}`);
    }
    if (s.words < o.minWords) return KEEP;
    const en = s.coverage.en!;
    let other = 'en';
    let otherV = 0;
    for (const [lang, v] of Object.entries(s.coverage)) {
      if (lang !== 'en' && v > otherV) {
        other = lang;
        otherV = v;
      }
    }
    // Another profiled language wins (and is itself well covered): name it.
    if (en < otherV * o.margin && otherV >= o.minEnglishCoverage) return drop('english:other_language', `${other} ${round(otherV)} > en ${round(en)}`);
    if (en < o.minEnglishCoverage) {
      return drop('english:low_english_score', `en ${round(en)} < ${o.minEnglishCoverage}; best ${s.best} ${round(s.coverage[s.best]!)}`);
    }
    if (en < otherV * o.margin) return drop('english:other_language', `${other} ${round(otherV)} > en ${round(en)}`);
    return KEEP;
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The English filter (see the module header). */
export function englishFilter(options: Partial<EnglishOptions> = {}): Filter {
  const c = new EnglishClassifier(options);
  return { name: 'english', check: (doc: Document) => c.check(doc.text) };
}

/** The scores behind the English filter's verdict, for reports, tuning and tests. */
export function englishScore(text: string, options: Partial<EnglishOptions> = {}): EnglishScore {
  return new EnglishClassifier(options).score(text);
}
