/**
 * The dedup steps of `build`, one step per phase so each runs as its own distributed job (ARCHITECTURE.md
 * section 6): exact (keys -> merge -> cluster -> filter), MinHash (signatures -> buckets -> clusters ->
 * filter), then decontamination, which writes the final docs/<subset>/part-NNNNN.jsonl.zst. Units are
 * (subset, part) for per-part phases and subsets for the global ones; part i of every phase comes from
 * ingest unit i of the subset, so unit lists are known from the recipe before anything runs.
 */
import * as path from 'node:path';
import { type Counters, type RecordError, type RunStats, type Step, type StepContext, type Subset, SUBSETS, type Unit } from '../../pipeline/index.js';
import {
  bucketBands, clusterDuplicates, clusterExact, computeExactKeys, computeSignatures, decontaminate, filterDuplicates, filterExact,
  mergeExactKeys, type ClusterSummary,
} from '../../stages/dedup/index.js';
import type { Recipe } from '../recipe/recipe.js';
import { layout, partFile } from './layout.js';

interface PartUnit extends Unit { subset: Subset; part: number; parts: number }
interface SubsetUnit extends Unit { subset: Subset; parts: number }

type PartCounts = () => Promise<Map<Subset, number>>;

const work = (out: string, what: string, subset: Subset) => path.join(out, 'work', what, subset);

function partUnits(counts: Map<Subset, number>): PartUnit[] {
  const units: PartUnit[] = [];
  for (const s of SUBSETS) {
    const n = counts.get(s) ?? 0;
    for (let p = 0; p < n; p++) units.push({ key: `${s}-${String(p).padStart(5, '0')}`, subset: s, part: p, parts: n });
  }
  return units;
}

function subsetUnits(counts: Map<Subset, number>): SubsetUnit[] {
  return SUBSETS.filter((s) => (counts.get(s) ?? 0) > 0).map((s) => ({ key: s, subset: s, parts: counts.get(s)! }));
}

const partsIn = (dir: string, n: number): string[] => Array.from({ length: n }, (_, i) => partFile(dir, i));

function onErrorFor(ctx: StepContext, counters: { n: Counters }) {
  return (e: RecordError) => {
    counters.n[`error:${e.code}`] = (counters.n[`error:${e.code}`] ?? 0) + 1;
    ctx.reporter.warn(e.code, e.message, e.position);
  };
}

function clusterCounters(c: ClusterSummary): Counters {
  const out: Counters = { docs: c.docs, clusters: c.clusters, duplicates: c.duplicates, edges: c.edges };
  for (const [size, n] of Object.entries(c.histogram)) out[`cluster_size:${size}`] = n;
  for (const [reason, n] of Object.entries(c.byReason)) out[`dropped:${reason}`] = n;
  return out;
}

function step<U extends Unit>(name: string, kind: 'array' | 'global', units: () => Promise<U[]>, run: (u: U, ctx: StepContext) => Promise<RunStats>): Step<Unit> {
  return { name, kind, units, runUnit: run as unknown as Step<Unit>['runUnit'] };
}

/** Where each subset's documents are after the dedup phase named `stage`, given the recipe's choices. */
export function dedupInputs(recipe: Recipe, out: string, subset: Subset, stage: 'exact' | 'near' | 'decontaminate'): string {
  const afterIngest = layout.ingest(out, subset);
  const afterExact = recipe.dedup.exact ? work(out, 'exact-kept', subset) : afterIngest;
  const afterNear = recipe.dedup.near ? work(out, 'near-kept', subset) : afterExact;
  return stage === 'exact' ? afterIngest : stage === 'near' ? afterExact : afterNear;
}

export function dedupSteps(recipe: Recipe, partCounts: PartCounts): Step<Unit>[] {
  const steps: Step<Unit>[] = [];
  const perPart = async () => partUnits(await partCounts());
  const perSubset = async () => subsetUnits(await partCounts());
  const mh = recipe.dedup.minhash ?? {};

  if (recipe.dedup.exact) {
    steps.push(step<PartUnit>('exact-keys', 'array', perPart, async (u, ctx) => {
      const errs = { n: {} as Counters };
      const c = await computeExactKeys({ parts: partsIn(dedupInputs(recipe, ctx.outDir, u.subset, 'exact'), u.parts), workDir: work(ctx.outDir, 'exact', u.subset),
        task: u.part, tasks: u.parts, onError: onErrorFor(ctx, errs), reporter: ctx.reporter, resume: false });
      return { [u.subset]: { ...stripMeta(c), ...errs.n } };
    }));
    steps.push(step<SubsetUnit>('exact-merge', 'array', perSubset, async (u, ctx) => ({
      [u.subset]: stripMeta(await mergeExactKeys({ parts: u.parts, workDir: work(ctx.outDir, 'exact', u.subset), resume: false })),
    })));
    steps.push(step<SubsetUnit>('exact-cluster', 'array', perSubset, async (u, ctx) => ({
      [u.subset]: clusterCounters(await clusterExact({ parts: u.parts, workDir: work(ctx.outDir, 'exact', u.subset) })),
    })));
    steps.push(step<PartUnit>('exact-filter', 'array', perPart, async (u, ctx) => ({
      [u.subset]: stripMeta(await filterExact({ parts: partsIn(dedupInputs(recipe, ctx.outDir, u.subset, 'exact'), u.parts), workDir: work(ctx.outDir, 'exact', u.subset),
        outDir: work(ctx.outDir, 'exact-kept', u.subset), task: u.part, tasks: u.parts, resume: false })),
    })));
  }
  if (recipe.dedup.near) {
    steps.push(step<PartUnit>('near-signatures', 'array', perPart, async (u, ctx) => {
      const errs = { n: {} as Counters };
      const c = await computeSignatures({ parts: partsIn(dedupInputs(recipe, ctx.outDir, u.subset, 'near'), u.parts), workDir: work(ctx.outDir, 'minhash', u.subset),
        task: u.part, tasks: u.parts, options: mh, pool: ctx.pool, workers: ctx.workers, onError: onErrorFor(ctx, errs), reporter: ctx.reporter, resume: false });
      return { [u.subset]: { ...stripMeta(c), ...errs.n } };
    }));
    steps.push(step<SubsetUnit>('near-buckets', 'array', perSubset, async (u, ctx) => ({
      [u.subset]: stripMeta(await bucketBands({ parts: u.parts, workDir: work(ctx.outDir, 'minhash', u.subset), options: mh, resume: false })),
    })));
    steps.push(step<SubsetUnit>('near-cluster', 'array', perSubset, async (u, ctx) => ({
      [u.subset]: clusterCounters(await clusterDuplicates({ parts: u.parts, workDir: work(ctx.outDir, 'minhash', u.subset), options: mh })),
    })));
    steps.push(step<PartUnit>('near-filter', 'array', perPart, async (u, ctx) => ({
      [u.subset]: stripMeta(await filterDuplicates({ parts: partsIn(dedupInputs(recipe, ctx.outDir, u.subset, 'near'), u.parts), workDir: work(ctx.outDir, 'minhash', u.subset),
        outDir: work(ctx.outDir, 'near-kept', u.subset), task: u.part, tasks: u.parts, resume: false, onError: () => {} })),
    })));
  }
  const against = recipe.dedup.against.map((f) => path.resolve(recipe.baseDir, f));
  const titleLists = (recipe.dedup.wikipediaTitleLists ?? []).map((f) => path.resolve(recipe.baseDir, f));
  steps.push(step<PartUnit>('decontaminate', 'array', perPart, async (u, ctx) => {
    const errs = { n: {} as Counters };
    const titles = titleLists.length ? await readTitleLists(titleLists) : undefined;
    const c = await decontaminate({ parts: partsIn(dedupInputs(recipe, ctx.outDir, u.subset, 'decontaminate'), u.parts), against,
      outDir: layout.docs(ctx.outDir, u.subset), workDir: work(ctx.outDir, 'decontaminate', u.subset), titles,
      task: u.part, tasks: u.parts, options: recipe.dedup.decontaminate ?? {}, resume: false, onError: onErrorFor(ctx, errs) });
    return { [u.subset]: { ...stripMeta(c), ...errs.n } };
  }));
  return steps;
}

async function readTitleLists(files: string[]): Promise<string[]> {
  const { readFile } = await import('node:fs/promises');
  const out: string[] = [];
  for (const f of files) for (const line of (await readFile(f, 'utf8')).split('\n')) if (line.trim() && !line.startsWith('#')) out.push(line.trim());
  return out;
}

/** Drops counters that describe this run rather than the data (resumed parts), so reports are stable. */
function stripMeta(c: Counters): Counters {
  const out: Counters = {};
  for (const [k, v] of Object.entries(c)) if (!k.startsWith('parts_') && !k.endsWith('_ms')) out[k] = v;
  return out;
}
