/**
 * The filter registry: names -> factories, and `buildFilters(specs)` that validates each spec's options
 * against the factory's defaults (unknown keys and wrong types are a MassivetextError naming the path,
 * e.g. `filters[2].with.minWords must be a number`) and scopes a filter to some subsets when asked.
 *
 * The registry is a plain object, never mutated: to add filters from another folder (e.g. code-file rules
 * in stages/code), pass `{ ...FILTER_FACTORIES, 'code-file': entry }` as the `registry` argument (bin/ can do
 * this in its own worker module, so worker threads see the same registry without import side effects).
 */
import { KEEP, MassivetextError, type Document, type Filter, type Subset } from '../pipeline/index.js';
import { defaultEnglishOptions, englishFilter, ENGLISH_REASONS } from './english.js';
import { defaultGopherQualityOptions, gopherQualityFilter, GOPHER_QUALITY_REASONS } from './gopher-quality.js';
import { defaultGopherRepetitionOptions, gopherRepetitionFilter, GOPHER_REPETITION_REASONS } from './gopher-repetition.js';
import { defaultSafetyOptions, safetyFilter, SAFETY_REASONS } from './safety.js';

/** One filter of a recipe or of `--rules`: its name, options over the defaults, and optionally the subsets it applies to. */
export interface FilterSpec {
  name: string;
  with?: Record<string, unknown>;
  /** When set, documents of other subsets pass this filter untouched. */
  subsets?: Subset[];
}

export interface FilterEntry {
  /** Builds the filter; options are already validated against `defaults`. */
  create(options: Record<string, unknown>): Filter;
  /** Default options (their types define what `with` may set). */
  defaults: Readonly<Record<string, unknown>>;
  /** Every drop reason the filter can give. */
  reasons: readonly string[];
  /** One line for --help. */
  description: string;
  /** Allowed values of enumerated string options (the alternative readings). */
  choices?: Readonly<Record<string, readonly string[]>>;
}

export type FilterRegistry = Readonly<Record<string, FilterEntry>>;

export const FILTER_FACTORIES: FilterRegistry = Object.freeze({
  english: {
    create: (o) => englishFilter(o),
    defaults: defaultEnglishOptions as unknown as Record<string, unknown>,
    reasons: ENGLISH_REASONS,
    description: 'keep English documents (stop-word coverage over bundled language profiles; no model download)',
  },
  safety: {
    create: (o) => safetyFilter(o),
    defaults: defaultSafetyOptions as unknown as Record<string, unknown>,
    reasons: SAFETY_REASONS,
    description: 'SafeSearch stand-in: URL/domain blocklists (bundled + UT1 files) and explicit-term density',
  },
  'gopher-quality': {
    create: (o) => gopherQualityFilter(o),
    defaults: defaultGopherQualityOptions as unknown as Record<string, unknown>,
    reasons: GOPHER_QUALITY_REASONS,
    choices: {
      symbolRatio: ['separate', 'combined'],
      wordLengthStatistic: ['mean', 'median'],
      wordLength: ['raw', 'trim-punctuation'],
      lines: ['non-blank', 'all'],
      stopWordCounting: ['distinct', 'occurrences'],
      stopWordMatch: ['lowercase-trimmed', 'exact'],
    },
    description: 'Gopher quality rules (paper A.1.1): word count, word length, symbols, bullets, ellipses, alphabetic words, stop words',
  },
  'gopher-repetition': {
    create: (o) => gopherRepetitionFilter(o),
    defaults: defaultGopherRepetitionOptions as unknown as Record<string, unknown>,
    reasons: GOPHER_REPETITION_REASONS,
    choices: { lines: ['non-blank', 'all'], charDenominator: ['all', 'non-whitespace'], duplicateNgramCoverage: ['mask', 'skip', 'overlap'] },
    description: 'Gopher repetition rules (paper Table A1): duplicate lines/paragraphs, top n-grams, duplicate n-grams',
  },
});

/**
 * The paper's filters and where the paper applies them (gopher-spec.md §2 table, §3): English on every
 * subset except github (language ID is not run on code, spec §3 [REC]); SafeSearch, quality and repetition
 * on MassiveWeb only.
 */
export const defaultFilterSpecs: readonly FilterSpec[] = Object.freeze([
  { name: 'english', subsets: ['web', 'books', 'c4', 'news', 'wikipedia'] },
  { name: 'safety', subsets: ['web'] },
  { name: 'gopher-quality', subsets: ['web'] },
  { name: 'gopher-repetition', subsets: ['web'] },
] satisfies FilterSpec[]);

/** The names `--rules` accepts in the default registry. */
export const FILTER_NAMES: readonly string[] = Object.keys(FILTER_FACTORIES);

function kind(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
}

/** Checks `with` against the defaults; returns the options to pass to the factory. */
export function validateFilterOptions(entry: FilterEntry, given: Record<string, unknown> | undefined, where: string): Record<string, unknown> {
  if (given === undefined) return {};
  if (kind(given) !== 'object') throw new MassivetextError('bad_filter_option', `${where} must be an object`, 'e.g. {"name": "gopher-quality", "with": {"minWords": 30}}');
  for (const [k, v] of Object.entries(given)) {
    if (!(k in entry.defaults)) {
      throw new MassivetextError('bad_filter_option', `${where}.${k} is not an option of this filter`, `known options: ${Object.keys(entry.defaults).join(', ')}`);
    }
    const want = kind(entry.defaults[k]);
    if (kind(v) !== want) throw new MassivetextError('bad_filter_option', `${where}.${k} must be ${want === 'array' ? 'an array' : `a ${want}`}`, `default: ${JSON.stringify(entry.defaults[k])}`);
    if (want === 'number' && !Number.isFinite(v as number)) throw new MassivetextError('bad_filter_option', `${where}.${k} must be a finite number`);
    const allowed = entry.choices?.[k];
    if (allowed && !allowed.includes(v as string)) {
      throw new MassivetextError('bad_filter_option', `${where}.${k} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
    }
  }
  return given;
}

/** Builds filters from specs (validated; unknown names and options are MassivetextErrors). */
export function buildFilters(specs: readonly FilterSpec[], registry: FilterRegistry = FILTER_FACTORIES): Filter[] {
  return specs.map((spec, i) => {
    const where = `filters[${i}]`;
    const entry = registry[spec?.name];
    if (!entry) {
      throw new MassivetextError('unknown_filter', `${where}.name: unknown filter ${JSON.stringify(spec?.name)}`, `known filters: ${Object.keys(registry).join(', ')}`);
    }
    const filter = entry.create(validateFilterOptions(entry, spec.with, `${where}.with`));
    if (!spec.subsets) return filter;
    const subsets = new Set<string>(spec.subsets);
    return { name: filter.name, check: (doc: Document) => (subsets.has(doc.subset) ? filter.check(doc) : KEEP) };
  });
}
