/**
 * Test-set decontamination (gopher-spec.md §2.7): drop training documents whose word 13-gram similarity
 * with any evaluation document reaches 0.8 — the threshold of RETRO (same team, MassiveText-derived),
 * which the spec assumes Gopher used. Similarity is computed exactly over n-gram sets (no MinHash
 * estimate is needed: test sets are small enough to index). `measure: 'jaccard'` (default, the paper's)
 * is |D ∩ T| / |D ∪ T|; `measure: 'containment'` is |D ∩ T| / |T| (the share of the test document found
 * in the training document), which also catches a short test passage quoted inside a long document.
 * The reason of a drop is the test set's name. Optionally drops Wikipedia articles by title (the paper
 * removes WikiText-103's validation and test articles from its Wikipedia subset).
 *
 * Memory: the test index (about 16 bytes per distinct test n-gram), independent of the corpus.
 */
import { promises as fs } from 'node:fs';
import type { Document, Subset } from '../../../pipeline/document.js';
import { MassivetextError, type RecordError } from '../../../pipeline/errors.js';
import { readLines } from '../../../pipeline/lines.js';
import type { Counters } from '../../../pipeline/stats.js';
import { to53 } from '../../../pipeline/hash.js';
import { writeKeptParts } from '../common/filter-parts.js';
import { shingles } from '../minhash/shingles.js';
import { NgramIndex, NumberSet } from './ngram-index.js';
import { readTestSet, testSetSpec, type PlainSplit, type TestSetSpec } from './test-sets.js';

export interface DecontaminateOptions {
  /** Words per n-gram: 13 (gopher-spec.md §2.7, RETRO). */
  n: number;
  /** Similarity at which a document is contaminated: 0.8 (gopher-spec.md §2.7, RETRO). */
  threshold: number;
  measure: 'jaccard' | 'containment';
  /** How plain-text test sets are split into documents. */
  split: PlainSplit;
  /** Reason for documents dropped by title. */
  titleReason: string;
  /** Subsets whose documents are matched against the title list. */
  titleSubsets: Subset[];
}

export const defaultDecontaminateOptions: DecontaminateOptions = {
  n: 13,
  threshold: 0.8,
  measure: 'jaccard',
  split: 'line',
  titleReason: 'wikitext103_eval_article',
  titleSubsets: ['wikipedia'],
};

export interface TestIndex {
  index: NgramIndex;
  /** Distinct n-grams of each test document. */
  sizes: number[];
  /** Test set of each test document (index into names). */
  setOf: number[];
  names: string[];
  /** Test documents per set. */
  docsPerSet: number[];
}

/** Indexes the n-grams of every document of the given test sets. */
export async function buildTestIndex(against: (string | TestSetSpec)[], options: Partial<DecontaminateOptions> = {}): Promise<TestIndex> {
  const o = { ...defaultDecontaminateOptions, ...options };
  const specs = against.map((a) => (typeof a === 'string' ? testSetSpec(a) : a));
  const names = specs.map((s) => s.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) {
    throw new MassivetextError('bad_test_set', `two test sets are named "${dup}"`, 'name them explicitly: --against name=path');
  }
  const index = new NgramIndex();
  const sizes: number[] = [];
  const setOf: number[] = [];
  const docsPerSet = specs.map(() => 0);
  const seen = new NumberSet();
  for (let s = 0; s < specs.length; s++) {
    for await (const text of readTestSet(specs[s]!, o.split)) {
      const sh = shingles(text, { n: o.n });
      if (!sh.count) continue;
      const doc = sizes.length;
      seen.clear(sh.count);
      for (let i = 0; i < sh.count; i++) {
        const x = to53(sh.h1[i]!, sh.h2[i]!);
        if (seen.add(x)) index.add(x, doc);
      }
      sizes.push(seen.size);
      setOf.push(s);
      docsPerSet[s]!++;
    }
  }
  return { index, sizes, setOf, names, docsPerSet };
}

export interface Contamination {
  set: string;
  /** Index of the test document within all indexed test documents. */
  testDoc: number;
  similarity: number;
}

/** Scratch state for contaminationOf (reuse one per thread). */
export class ContaminationScratch {
  readonly seen = new NumberSet();
  readonly counts = new Map<number, number>();
}

/** The most similar test document at or above the threshold, or null. */
export function contaminationOf(text: string, t: TestIndex, options: Partial<DecontaminateOptions> = {},
  scratch = new ContaminationScratch()): Contamination | null {
  const o = { ...defaultDecontaminateOptions, ...options };
  const sh = shingles(text, { n: o.n });
  if (!sh.count) return null;
  const { seen, counts } = scratch;
  seen.clear(sh.count);
  counts.clear();
  for (let i = 0; i < sh.count; i++) {
    const x = to53(sh.h1[i]!, sh.h2[i]!);
    if (seen.add(x)) t.index.forEach(x, (d) => counts.set(d, (counts.get(d) ?? 0) + 1));
  }
  let best: Contamination | null = null;
  for (const [d, inter] of counts) {
    const size = t.sizes[d]!;
    const sim = o.measure === 'jaccard' ? inter / (seen.size + size - inter) : inter / size;
    if (sim + 1e-12 >= o.threshold && (!best || sim > best.similarity || (sim === best.similarity && d < best.testDoc))) {
      best = { set: t.names[t.setOf[d]!]!, testDoc: d, similarity: sim };
    }
  }
  return best;
}

/** Title normalisation: underscores as spaces, whitespace collapsed, case folded. */
export function normaliseTitle(title: string): string {
  return title.replace(/_/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** Reads a title list: one title per line (blank lines and lines starting with # ignored). */
export async function readTitles(file: string): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const { text } of readLines(file)) {
    const t = text.trim();
    if (t && !t.startsWith('#')) out.add(normaliseTitle(t));
  }
  return out;
}

/** A dropped document as recorded in `removed/part-NNNNN.jsonl`. */
export interface ContaminatedRecord {
  id: string;
  reason: string;
  similarity?: number;
  test_doc?: number;
}

export interface DecontaminateArgs {
  parts: string[];
  /** Test set files (`path` or `name=path`). May be empty when only titles are given. */
  against: (string | TestSetSpec)[];
  /** Where kept documents go: outDir/part-NNNNN.jsonl.zst. */
  outDir: string;
  /** Removed records and per-part completion records. */
  workDir: string;
  /** Wikipedia titles to drop (a file with one title per line, or the titles). */
  titles?: string | string[];
  task?: number;
  tasks?: number;
  options?: Partial<DecontaminateOptions>;
  resume?: boolean;
  onError?: (e: RecordError) => void;
  /** A prebuilt index (e.g. shared by several calls); built from `against` otherwise. */
  testIndex?: TestIndex;
}

/** Checks one document: the reason to drop it, or null. */
export function decontaminationVerdict(doc: Document, t: TestIndex | null, titles: Set<string> | null, o: DecontaminateOptions,
  scratch: ContaminationScratch): ContaminatedRecord | null {
  if (titles && o.titleSubsets.includes(doc.subset) && typeof doc.meta.title === 'string' && titles.has(normaliseTitle(doc.meta.title))) {
    return { id: doc.id, reason: o.titleReason };
  }
  if (!t) return null;
  const c = contaminationOf(doc.text, t, o, scratch);
  return c ? { id: doc.id, reason: c.set, similarity: +c.similarity.toFixed(4), test_doc: c.testDoc } : null;
}

/** The last index built by `decontaminate`, reused by later calls with the same test sets (one per part). */
let lastIndex: { key: string; index: Promise<TestIndex> } | null = null;

async function cachedTestIndex(against: (string | TestSetSpec)[], o: DecontaminateOptions): Promise<TestIndex> {
  const specs = against.map((x) => (typeof x === 'string' ? testSetSpec(x) : x));
  const stamps = await Promise.all(specs.map(async (s) => {
    const st = await fs.stat(s.file).catch(() => null);
    return [s.name, s.file, st?.size, st?.mtimeMs];
  }));
  const key = JSON.stringify([stamps, o.n, o.split]);
  if (lastIndex?.key !== key) {
    const index = buildTestIndex(specs, o);
    lastIndex = { key, index };
    index.catch(() => { if (lastIndex?.index === index) lastIndex = null; });
  }
  return lastIndex.index;
}

export async function decontaminate(a: DecontaminateArgs): Promise<Counters> {
  const o = { ...defaultDecontaminateOptions, ...a.options };
  const t = a.testIndex ?? (a.against.length ? await cachedTestIndex(a.against, o) : null);
  const titles = a.titles === undefined ? null : typeof a.titles === 'string' ? await readTitles(a.titles) : new Set(a.titles.map(normaliseTitle));
  const scratch = new ContaminationScratch();
  return writeKeptParts({ ...a, name: 'decontaminate' }, async (_p, stats) => {
    const hit = new Set<number>();
    return {
      verdict: (doc) => {
        const v = decontaminationVerdict(doc, t, titles, o, scratch);
        if (v?.test_doc !== undefined && !hit.has(v.test_doc)) {
          hit.add(v.test_doc);
          stats.add(`test_docs_matched:${v.reason}`);
        }
        return v;
      },
    };
  });
}
