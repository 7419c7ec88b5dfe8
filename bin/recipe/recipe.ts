/**
 * The build recipe: a JSON file a user copies and edits. Validated once with exact paths in the
 * messages (`subsets.web.sources[0].inputs must be a non-empty array of strings`), then frozen.
 * Input paths are relative to the recipe file.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSubset, MassivetextError, type Subset, SUBSETS } from '../../pipeline/index.js';

export interface SourceSpec {
  kind: string;
  /** One ingest unit per expanded input. */
  inputs: string[];
  /** Inputs given to every unit of this source as well (e.g. Gutenberg RDF catalog records). */
  shared?: string[];
  with?: Record<string, unknown>;
}

export interface FilterSpecJson {
  name: string;
  with?: Record<string, unknown>;
}

export interface SubsetRecipe {
  sources: SourceSpec[];
  /** Filters for this subset; `defaultFilters` when absent. */
  filters?: FilterSpecJson[];
}

export interface DedupRecipe {
  exact: boolean;
  near: boolean;
  /** Options for MinHash (ngram, bands, rows, threshold ...). */
  minhash?: Record<string, unknown>;
  /** Test sets for decontamination (paths relative to the recipe). */
  against: string[];
  /** Wikipedia titles to remove (e.g. WikiText-103's evaluation articles), files of one title per line. */
  wikipediaTitleLists?: string[];
  decontaminate?: Record<string, unknown>;
}

export interface TokenizerRecipe {
  vocabSize: number;
  modelType: 'unigram' | 'bpe';
  /** Bytes of kept text sampled (by the subset mixture) for training. */
  trainingBytes: number;
  /** Extra trainer options (spm_train names in camelCase). */
  with?: Record<string, unknown>;
}

export interface Recipe {
  name: string;
  /** Directory the recipe's relative paths resolve against (set by the loader). */
  baseDir: string;
  subsets: Partial<Record<Subset, SubsetRecipe>>;
  defaultFilters: FilterSpecJson[];
  dedup: DedupRecipe;
  tokenizer: TokenizerRecipe | null;
  /** Mixture weights (Gopher Table 1): used to sample tokenizer training text and by `sample`. */
  mixture: Record<Subset, number>;
  output: { partLevel: number; writeRejected: boolean };
}

/** Gopher's sampling proportions (Rae et al. 2021, Table 1). */
export const GOPHER_MIXTURE: Record<Subset, number> = { web: 0.48, books: 0.27, c4: 0.1, news: 0.1, github: 0.03, wikipedia: 0.02 };

export function bundledRecipePath(): string {
  // bin/recipe/recipe.{ts,js} -> <repo>/recipes/default.json (dist/bin/recipe -> ../../..)
  const here = path.dirname(fileURLToPath(import.meta.url));
  const fromSrc = path.resolve(here, '../../recipes/default.json');
  const fromDist = path.resolve(here, '../../../recipes/default.json');
  return here.includes(`${path.sep}dist${path.sep}`) ? fromDist : fromSrc;
}

class Checker {
  constructor(private readonly file: string) {}
  fail(where: string, what: string): never {
    throw new MassivetextError('bad_config', `${where} ${what}`, `fix ${this.file}; see recipes/default.json for a complete example`, { file: this.file });
  }
  obj(v: unknown, where: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(where, 'must be an object');
    return v as Record<string, unknown>;
  }
  strings(v: unknown, where: string, nonEmpty = true): string[] {
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string') || (nonEmpty && v.length === 0)) this.fail(where, `must be a ${nonEmpty ? 'non-empty ' : ''}array of strings`);
    return v as string[];
  }
  posInt(v: unknown, where: string): number {
    if (!Number.isInteger(v) || (v as number) < 1) this.fail(where, 'must be a positive integer');
    return v as number;
  }
  bool(v: unknown, where: string): boolean {
    if (typeof v !== 'boolean') this.fail(where, 'must be true or false');
    return v;
  }
  filters(v: unknown, where: string): FilterSpecJson[] {
    if (!Array.isArray(v)) this.fail(where, 'must be an array of filter names or {"name", "with"} objects');
    return v.map((f, i) => {
      if (typeof f === 'string') return { name: f };
      const o = this.obj(f, `${where}[${i}]`);
      if (typeof o.name !== 'string') this.fail(`${where}[${i}].name`, 'must be a string');
      return o.with === undefined ? { name: o.name } : { name: o.name, with: this.obj(o.with, `${where}[${i}].with`) };
    });
  }
}

export function validateRecipe(raw: unknown, file: string, baseDir: string, knownKinds: string[]): Recipe {
  const c: Checker = new Checker(file);
  const r = c.obj(raw, 'the recipe');
  const subsetsRaw = c.obj(r.subsets, 'subsets');
  const subsets: Partial<Record<Subset, SubsetRecipe>> = {};
  for (const [name, v] of Object.entries(subsetsRaw)) {
    if (!isSubset(name)) c.fail(`subsets.${name}`, `is not a subset; use one of ${SUBSETS.join(', ')}`);
    const s = c.obj(v, `subsets.${name}`);
    if (!Array.isArray(s.sources) || s.sources.length === 0) c.fail(`subsets.${name}.sources`, 'must be a non-empty array');
    const sources = (s.sources as unknown[]).map((src, i) => {
      const o = c.obj(src, `subsets.${name}.sources[${i}]`);
      if (typeof o.kind !== 'string' || !knownKinds.includes(o.kind)) c.fail(`subsets.${name}.sources[${i}].kind`, `must be one of ${knownKinds.join(', ')}`);
      const spec: SourceSpec = { kind: o.kind, inputs: c.strings(o.inputs, `subsets.${name}.sources[${i}].inputs`) };
      if (o.with !== undefined) spec.with = c.obj(o.with, `subsets.${name}.sources[${i}].with`);
      if (o.shared !== undefined) spec.shared = c.strings(o.shared, `subsets.${name}.sources[${i}].shared`, false);
      return spec;
    });
    subsets[name] = { sources, ...(s.filters !== undefined ? { filters: c.filters(s.filters, `subsets.${name}.filters`) } : {}) };
  }
  const dedupRaw = r.dedup === undefined ? {} : c.obj(r.dedup, 'dedup');
  const dedup: DedupRecipe = {
    exact: dedupRaw.exact === undefined ? true : c.bool(dedupRaw.exact, 'dedup.exact'),
    near: dedupRaw.near === undefined ? true : c.bool(dedupRaw.near, 'dedup.near'),
    against: dedupRaw.against === undefined ? [] : c.strings(dedupRaw.against, 'dedup.against', false),
  };
  if (dedupRaw.minhash !== undefined) dedup.minhash = c.obj(dedupRaw.minhash, 'dedup.minhash');
  if (dedupRaw.decontaminate !== undefined) dedup.decontaminate = c.obj(dedupRaw.decontaminate, 'dedup.decontaminate');
  if (dedupRaw.wikipediaTitleLists !== undefined) dedup.wikipediaTitleLists = c.strings(dedupRaw.wikipediaTitleLists, 'dedup.wikipediaTitleLists', false);

  let tokenizer: TokenizerRecipe | null = null;
  if (r.tokenizer !== null) {
    const t = r.tokenizer === undefined ? {} : c.obj(r.tokenizer, 'tokenizer');
    const modelType = t.modelType ?? 'unigram';
    if (modelType !== 'unigram' && modelType !== 'bpe') c.fail('tokenizer.modelType', 'must be "unigram" or "bpe"');
    tokenizer = {
      vocabSize: t.vocabSize === undefined ? 32000 : c.posInt(t.vocabSize, 'tokenizer.vocabSize'),
      modelType,
      trainingBytes: t.trainingBytes === undefined ? 200_000_000 : c.posInt(t.trainingBytes, 'tokenizer.trainingBytes'),
      ...(t.with !== undefined ? { with: c.obj(t.with, 'tokenizer.with') } : {}),
    };
  }
  const mixture = { ...GOPHER_MIXTURE };
  if (r.mixture !== undefined) {
    const m = c.obj(r.mixture, 'mixture');
    for (const [k, v] of Object.entries(m)) {
      if (!isSubset(k)) c.fail(`mixture.${k}`, `is not a subset; use one of ${SUBSETS.join(', ')}`);
      if (typeof v !== 'number' || !(v >= 0)) c.fail(`mixture.${k}`, 'must be a non-negative number');
      mixture[k] = v;
    }
  }
  const out = r.output === undefined ? {} : c.obj(r.output, 'output');
  const recipe: Recipe = {
    name: typeof r.name === 'string' ? r.name : path.basename(file, '.json'),
    baseDir,
    subsets,
    defaultFilters: r.defaultFilters === undefined ? [] : c.filters(r.defaultFilters, 'defaultFilters'),
    dedup,
    tokenizer,
    mixture,
    output: {
      partLevel: out.partLevel === undefined ? 3 : c.posInt(out.partLevel, 'output.partLevel'),
      writeRejected: out.writeRejected === undefined ? false : c.bool(out.writeRejected, 'output.writeRejected'),
    },
  };
  return deepFreeze(recipe);
}

export async function loadRecipe(file: string, knownKinds: string[]): Promise<Recipe> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new MassivetextError('missing_config', `cannot read recipe ${file}: ${(e as Error).message}`, 'pass --config FILE with a JSON recipe (copy recipes/default.json)', { file });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new MassivetextError('bad_config', `${file} is not valid JSON: ${(e as Error).message}`, 'fix the JSON syntax', { file });
  }
  return validateRecipe(raw, file, path.dirname(path.resolve(file)), knownKinds);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** The recipe as stored in the manifest and fingerprinted: baseDir is left out (moving the repo keeps it). */
export function recipeForFingerprint(r: Recipe): unknown {
  const { baseDir: _b, ...rest } = r;
  return rest;
}
