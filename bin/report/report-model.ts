/**
 * report.json -> a typed model for the renderer. The file grows a section at a time as steps are
 * integrated, and may come from an older or newer build, so every section is optional and anything of
 * the wrong shape is left out rather than thrown on: the page shows what is there.
 */
import { SUBSETS } from '../../pipeline/index.js';

/** The target schema of report.json (every section but `recipe` and `steps` optional). */
export interface ReportJson {
  recipe?: string;
  steps?: Record<string, { units?: number; stats?: Record<string, Record<string, number>> }>;
  subsets?: Record<string, {
    funnel?: { step: string; docs?: number; bytes?: number; tokens?: number }[];
    histograms?: Record<string, { edges: number[]; counts: number[] }>;
    tokens?: number;
    bytes_per_token?: number;
    mixture_target?: number;
  }>;
  drops?: Record<string, Record<string, number>>;
  minhash?: Record<string, { clusters?: number; duplicates?: number; cluster_sizes?: Record<string, number> }>;
  tokenizer?: { vocab_size?: number; model_type?: string; bytes_per_token?: Record<string, number> };
  samples?: { kept?: DocSample[]; dropped?: Record<string, DocSample[]> };
  [k: string]: unknown;
}

export interface DocSample {
  subset: string;
  id: string;
  text: string;
  detail?: string;
}

export interface FunnelRow {
  step: string;
  docs?: number;
  bytes?: number;
  tokens?: number;
}

export interface Histogram {
  /** Lower edge of each bin (same length as counts). */
  edges: number[];
  counts: number[];
}

export interface SubsetModel {
  name: string;
  funnel: FunnelRow[];
  histograms: Record<string, Histogram>;
  tokens?: number;
  bytesPerToken?: number;
  mixtureTarget?: number;
}

export interface StageModel {
  name: string;
  counters: Record<string, number>;
}

export interface StepModel {
  name: string;
  units?: number;
  stages: StageModel[];
}

export interface MinhashModel {
  subset: string;
  clusters?: number;
  duplicates?: number;
  /** [cluster size, number of clusters], by size. */
  sizes: [number, number][];
}

export interface ReportModel {
  recipe?: string;
  steps: StepModel[];
  subsets: SubsetModel[];
  /** Per subset: [reason, count] by count, largest first. */
  drops: { subset: string; reasons: [string, number][] }[];
  minhash: MinhashModel[];
  /** `extra`: any other scalar fields of the section (normalization, notes ...), shown as facts. */
  tokenizer?: { vocabSize?: number; modelType?: string; bytesPerToken: [string, number][]; extra: [string, string | number][] };
  samples: { kept: DocSample[]; dropped: [string, DocSample[]][] };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Subset names in the paper's order, then any others alphabetically. */
export function orderSubsets(names: Iterable<string>): string[] {
  const set = new Set(names);
  const known = (SUBSETS as readonly string[]).filter((s) => set.has(s));
  const other = [...set].filter((s) => !(SUBSETS as readonly string[]).includes(s)).sort();
  return [...known, ...other];
}

function counters(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isObj(v)) return out;
  for (const [k, x] of Object.entries(v)) {
    const n = num(x);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

function histogram(v: unknown): Histogram | undefined {
  if (!isObj(v) || !Array.isArray(v.edges) || !Array.isArray(v.counts)) return undefined;
  const counts = v.counts.map((c) => num(c) ?? 0);
  const edges = v.edges.map((e) => num(e) ?? NaN);
  if (!counts.length || edges.some((e) => Number.isNaN(e))) return undefined;
  // Accept both conventions: one lower edge per bin, or bin boundaries (one more edge than counts).
  if (edges.length !== counts.length && edges.length !== counts.length + 1) return undefined;
  return { edges: edges.slice(0, counts.length), counts };
}

function sample(v: unknown): DocSample | undefined {
  if (!isObj(v)) return undefined;
  const text = str(v.text);
  if (text === undefined) return undefined;
  const s: DocSample = { subset: str(v.subset) ?? '', id: str(v.id) ?? String(v.id ?? ''), text };
  const detail = str(v.detail);
  if (detail !== undefined) s.detail = detail;
  return s;
}

/** Normalises a parsed report.json (or anything else) into the model; never throws. */
export function reportModel(raw: unknown): ReportModel {
  const r = isObj(raw) ? raw : {};
  const model: ReportModel = { steps: [], subsets: [], drops: [], minhash: [], samples: { kept: [], dropped: [] } };
  const recipe = str(r.recipe);
  if (recipe !== undefined) model.recipe = recipe;

  if (isObj(r.steps)) {
    for (const [name, s] of Object.entries(r.steps)) {
      if (!isObj(s)) continue;
      const step: StepModel = { name, stages: [] };
      const units = num(s.units);
      if (units !== undefined) step.units = units;
      if (isObj(s.stats)) for (const [stage, c] of Object.entries(s.stats)) step.stages.push({ name: stage, counters: counters(c) });
      model.steps.push(step);
    }
  }

  const mixture = isObj(r.mixture) ? counters(r.mixture) : {};
  if (isObj(r.subsets)) {
    for (const name of orderSubsets(Object.keys(r.subsets))) {
      const s = r.subsets[name];
      if (!isObj(s)) continue;
      const sub: SubsetModel = { name, funnel: [], histograms: {} };
      if (Array.isArray(s.funnel)) {
        for (const f of s.funnel) {
          if (!isObj(f) || str(f.step) === undefined) continue;
          const row: FunnelRow = { step: f.step as string };
          for (const k of ['docs', 'bytes', 'tokens'] as const) {
            const n = num(f[k]);
            if (n !== undefined) row[k] = n;
          }
          sub.funnel.push(row);
        }
      }
      if (isObj(s.histograms)) {
        for (const [h, v] of Object.entries(s.histograms)) {
          const hist = histogram(v);
          if (hist) sub.histograms[h] = hist;
        }
      }
      const tokens = num(s.tokens) ?? [...sub.funnel].reverse().find((f) => f.tokens !== undefined)?.tokens;
      if (tokens !== undefined) sub.tokens = tokens;
      const bpt = num(s.bytes_per_token);
      if (bpt !== undefined) sub.bytesPerToken = bpt;
      const target = num(s.mixture_target) ?? mixture[name];
      if (target !== undefined) sub.mixtureTarget = target;
      model.subsets.push(sub);
    }
  }

  if (isObj(r.drops)) {
    for (const subset of orderSubsets(Object.keys(r.drops))) {
      const reasons = Object.entries(counters(r.drops[subset])).filter(([, n]) => n > 0);
      reasons.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      if (reasons.length) model.drops.push({ subset, reasons });
    }
  }

  if (isObj(r.minhash)) {
    for (const subset of orderSubsets(Object.keys(r.minhash))) {
      const m = r.minhash[subset];
      if (!isObj(m)) continue;
      const mm: MinhashModel = { subset, sizes: [] };
      const clusters = num(m.clusters);
      if (clusters !== undefined) mm.clusters = clusters;
      const duplicates = num(m.duplicates);
      if (duplicates !== undefined) mm.duplicates = duplicates;
      for (const [size, n] of Object.entries(counters(m.cluster_sizes))) {
        const k = Number(size);
        if (Number.isFinite(k) && n > 0) mm.sizes.push([k, n]);
      }
      mm.sizes.sort((a, b) => a[0] - b[0]);
      model.minhash.push(mm);
    }
  }

  if (isObj(r.tokenizer)) {
    const t = r.tokenizer;
    const tok: NonNullable<ReportModel['tokenizer']> = { bytesPerToken: [], extra: [] };
    for (const [k, v] of Object.entries(t)) {
      if (['vocab_size', 'model_type', 'bytes_per_token'].includes(k)) continue;
      if (typeof v === 'string' || num(v) !== undefined) tok.extra.push([k, v as string | number]);
    }
    const vocab = num(t.vocab_size);
    if (vocab !== undefined) tok.vocabSize = vocab;
    const type = str(t.model_type);
    if (type !== undefined) tok.modelType = type;
    const bpt = counters(t.bytes_per_token);
    for (const s of orderSubsets(Object.keys(bpt))) tok.bytesPerToken.push([s, bpt[s]!]);
    if (!tok.bytesPerToken.length) {
      for (const s of model.subsets) if (s.bytesPerToken !== undefined) tok.bytesPerToken.push([s.name, s.bytesPerToken]);
    }
    model.tokenizer = tok;
  }

  if (isObj(r.samples)) {
    if (Array.isArray(r.samples.kept)) model.samples.kept = r.samples.kept.map(sample).filter((s): s is DocSample => s !== undefined);
    if (isObj(r.samples.dropped)) {
      for (const reason of Object.keys(r.samples.dropped).sort()) {
        const list = r.samples.dropped[reason];
        if (!Array.isArray(list)) continue;
        const docs = list.map(sample).filter((s): s is DocSample => s !== undefined);
        if (docs.length) model.samples.dropped.push([reason, docs]);
      }
    }
  }
  return model;
}
