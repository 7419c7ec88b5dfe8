/**
 * The sections of report.json derived from the step stats: per-subset funnel (documents, bytes, tokens),
 * drop reasons per subset, histograms before/after filtering, MinHash clusters, tokens against the
 * mixture targets and the tokenizer's bytes per token. Pure functions of the stats, so the report is
 * deterministic.
 */
import { promises as fs } from 'node:fs';
import { type Counters, type RunStats, type Subset, SUBSETS } from '../../pipeline/index.js';
import type { Recipe } from '../recipe/recipe.js';
import { histogramsFrom } from './doc-profile.js';
import { layout } from './layout.js';
import { collectSamples } from './samples.js';

export type StepStats = Record<string, { units: number; stats: RunStats }>;

const num = (c: Counters | undefined, k: string): number => c?.[k] ?? 0;

export interface FunnelRow {
  step: string;
  docs: number;
  bytes: number;
  tokens?: number;
}

export function subsetSections(recipe: Recipe, steps: StepStats): Record<string, unknown> {
  const subsets: Record<string, unknown> = {};
  const drops: Record<string, Record<string, number>> = {};
  const minhash: Record<string, unknown> = {};
  const present = SUBSETS.filter((s) => recipe.subsets[s]);
  const totalTokens = present.reduce((a, s) => a + num(steps['tokens-manifest']?.stats[s], 'tokens'), 0);
  const wsum = present.reduce((a, s) => a + recipe.mixture[s], 0) || 1;
  for (const s of present) {
    const ingest = steps.ingest?.stats ?? {};
    const read = ingest[`read-${s}`];
    const filt = ingest[`filter-${s}`];
    const write = ingest[`write-ingest-${s}`];
    // read: every record the source saw (sources count `in`); source: what it yielded after its own drops
    // (redirects, licences, non-HTML records ...).
    const funnel: FunnelRow[] = [
      { step: 'read', docs: Math.max(num(read, 'in'), num(read, 'kept')), bytes: Math.max(num(read, 'bytes_in'), num(read, 'bytes_out')) },
      { step: 'source', docs: num(read, 'kept'), bytes: num(read, 'bytes_out') },
    ];
    funnel.push({ step: 'filters', docs: num(write, 'in'), bytes: num(write, 'bytes_in') });
    for (const [step, label] of [['exact-filter', 'dedup-exact'], ['near-filter', 'dedup-near'], ['decontaminate', 'decontaminate']] as const) {
      const c = steps[step]?.stats[s];
      if (c) funnel.push({ step: label, docs: num(c, 'kept'), bytes: num(c, 'bytes_out') });
    }
    const enc = steps.encode?.stats[s];
    if (enc) funnel.push({ step: 'tokens', docs: num(enc, 'docs'), bytes: num(enc, 'bytes'), tokens: num(enc, 'tokens') });
    const reasons: Record<string, number> = {};
    const addReasons = (c: Counters | undefined, prefix = '') => {
      for (const [k, v] of Object.entries(c ?? {})) {
        if (k.startsWith('dropped:')) reasons[prefix + k.slice(8)] = (reasons[prefix + k.slice(8)] ?? 0) + v;
        if (k.startsWith('error:')) reasons[`error:${k.slice(6)}`] = (reasons[`error:${k.slice(6)}`] ?? 0) + v;
      }
    };
    addReasons(read);
    addReasons(filt);
    for (const step of ['exact-filter', 'near-filter', 'decontaminate']) addReasons(steps[step]?.stats[s]);
    drops[s] = Object.fromEntries(Object.entries(reasons).sort(([a], [b]) => a.localeCompare(b)));
    const nc = steps['near-cluster']?.stats[s];
    if (nc) {
      const sizes: Record<string, number> = {};
      for (const [k, v] of Object.entries(nc)) if (k.startsWith('cluster_size:')) sizes[k.slice(13)] = v;
      minhash[s] = { clusters: num(nc, 'clusters'), duplicates: num(nc, 'duplicates'), cluster_sizes: sizes };
    }
    const tokens = enc ? num(enc, 'tokens') : undefined;
    subsets[s] = {
      funnel,
      histograms: histogramsFrom({ ...(read ?? {}), ...(write ?? {}) }),
      ...(tokens !== undefined ? { tokens, bytes_per_token: tokens ? +(num(enc, 'bytes') / (tokens - num(enc, 'docs'))).toFixed(3) : null } : {}),
      mixture_target: +(recipe.mixture[s] / wsum).toFixed(4),
      ...(totalTokens && tokens !== undefined ? { token_share: +(tokens / totalTokens).toFixed(4) } : {}),
    };
  }
  return { subsets, drops, minhash };
}

export async function tokenizerSection(recipe: Recipe, outDir: string, steps: StepStats): Promise<Record<string, unknown>> {
  if (!recipe.tokenizer) return {};
  let vocab = 0;
  try {
    vocab = (await fs.readFile(`${layout.tokenizerPrefix(outDir)}.vocab`, 'utf8')).split('\n').filter(Boolean).length;
  } catch {
    return {};
  }
  const bpt: Record<string, number> = {};
  for (const s of SUBSETS) {
    const enc = steps.encode?.stats[s];
    if (enc && enc.tokens) bpt[s] = +(num(enc, 'bytes') / (enc.tokens - num(enc, 'docs'))).toFixed(3);
  }
  const train = steps['tokenizer-train']?.stats ?? {};
  const trainingBytes: Record<string, number> = {};
  for (const s of SUBSETS) if (train[s]) trainingBytes[s] = num(train[s], 'bytes');
  return {
    tokenizer: {
      vocab_size: vocab, model_type: recipe.tokenizer.modelType, normalization: (recipe.tokenizer.with?.normalization as string) ?? 'nfkc',
      bytes_per_token: bpt, training_bytes: trainingBytes, note: 'bytes per token exclude the end-of-document token',
    },
  };
}

export async function samplesSection(outDir: string): Promise<Record<string, unknown>> {
  return { samples: await collectSamples(outDir, 'ingest') };
}

export type { Subset };
