/**
 * Step `ingest`: one unit per (subset, input file). Reads the source, applies the subset's filters on the
 * worker pool, writes the kept documents to work/ingest/<subset>/part-NNNNN.jsonl.zst (and the dropped
 * ones to rejected/ when asked). An input that cannot be read at all is counted as error:<code> with its
 * path, and the build goes on with the other inputs.
 */
import {
  batchStage, type Document, DocumentPartWriter, isMassivetextError, runPipeline, type RunStats, type Sink,
  type Stage, StageStats, type Step, type StepContext, type Subset, SUBSETS, type Unit,
} from '../../pipeline/index.js';
import type { ReadKind } from '../commands/read.js';
import type { FilterSpecJson, Recipe } from '../recipe/recipe.js';
import { expandInputs, resolveWithPaths } from './inputs.js';
import { layout, partFile } from './layout.js';
import { profileInto } from './doc-profile.js';
import { type DocSamples, sampleText, writeSamples } from './samples.js';

export interface IngestUnit extends Unit {
  subset: Subset;
  index: number;
  kind: string;
  input: string;
  /** Inputs every unit of the source also reads (catalogs). */
  shared: string[];
  with: Record<string, unknown>;
  filters: FilterSpecJson[];
}

/** Errors of our own outputs (not of the input): they stop the build instead of being counted (short_write: pipeline/atomic-file.ts). */
const OUTPUT_ERRORS = new Set(['out_of_disk', 'write_denied', 'short_write']);
const SAMPLES_KEPT = 3;
const SAMPLES_PER_REASON = 2;

export const FILTERS_MODULE = new URL('../../filters/apply-filters.js', import.meta.url).href;

export function ingestStep(recipe: Recipe, kinds: Record<string, ReadKind>): Step<IngestUnit> {
  return {
    name: 'ingest',
    kind: 'array',
    async units() {
      const units: IngestUnit[] = [];
      for (const subset of SUBSETS) {
        const sr = recipe.subsets[subset];
        if (!sr) continue;
        let index = 0;
        for (const [i, src] of sr.sources.entries()) {
          const files = await expandInputs(src.inputs, recipe.baseDir, `subsets.${subset}.sources[${i}]`);
          const shared = src.shared ? await expandInputs(src.shared, recipe.baseDir, `subsets.${subset}.sources[${i}].shared`) : [];
          for (const input of files) {
            units.push({
              key: `${subset}-${String(index).padStart(5, '0')}`, subset, index: index++, kind: src.kind, input, shared,
              with: resolveWithPaths(src.with, recipe.baseDir), filters: sr.filters ?? recipe.defaultFilters,
            });
          }
        }
      }
      return units;
    },
    async runUnit(unit, ctx) {
      return ingestUnit(unit, recipe, kinds, ctx);
    },
  };
}

async function ingestUnit(unit: IngestUnit, recipe: Recipe, kinds: Record<string, ReadKind>, ctx: StepContext): Promise<RunStats> {
  const out = partFile(layout.ingest(ctx.outDir, unit.subset), unit.index);
  const writer = await DocumentPartWriter.open(out, { level: recipe.output.partLevel });
  const rejected = recipe.output.writeRejected
    ? await DocumentPartWriter.open(partFile(layout.rejected(ctx.outDir, 'filters', unit.subset), unit.index), { level: recipe.output.partLevel })
    : null;
  const stats = new Map<string, StageStats>();
  const samples: DocSamples = { kept: [], dropped: {} };
  const sourceName = `read-${unit.subset}`;
  try {
    const source = kinds[unit.kind]!.open([unit.input, ...unit.shared], { ...unit.with, subset: unit.subset });
    const named = {
      name: sourceName,
      async *read(c: Parameters<typeof source.read>[0]) {
        for await (const d of source.read(c)) {
          profileInto(c.stats, d.text, 'before');
          yield d;
        }
      },
    };
    const stages: Stage[] = [];
    if (unit.filters.length) {
      const target = ctx.pool
        ? { pool: ctx.pool, moduleUrl: FILTERS_MODULE, fn: 'applyFilters' }
        : { local: async (docs: Document[], specs: FilterSpecJson[]) => (await import(FILTERS_MODULE)).applyFilters(docs, specs) };
      stages.push(batchStage(`filter-${unit.subset}`, target, unit.filters, {
        onDrop: async (doc, v) => {
          const list = (samples.dropped[v.reason] ??= []);
          if (list.length < SAMPLES_PER_REASON) list.push(sampleText(doc, v.detail));
          if (rejected) await rejected.add({ ...doc, meta: { ...doc.meta, dropReason: v.reason } });
        },
      }));
    }
    const sink: Sink = {
      name: `write-ingest-${unit.subset}`,
      async write(input, c) {
        for await (const d of input) {
          profileInto(c.stats, d.text, 'after');
          if (samples.kept.length < SAMPLES_KEPT) samples.kept.push(sampleText(d));
          await writer.add(d.subset === unit.subset ? d : { ...d, subset: unit.subset });
        }
      },
    };
    await runPipeline(named, stages, sink, { reporter: ctx.reporter, step: `ingest ${unit.subset} ${unit.input.split('/').pop()}`, signal: ctx.signal, stats });
  } catch (e) {
    if (!isMassivetextError(e) || OUTPUT_ERRORS.has(e.code)) {
      await writer.abort();
      await rejected?.abort();
      throw e;
    }
    // The input could not be read at all (or broke midway): keep what was read, count the error.
    const s = stats.get(sourceName) ?? new StageStats(sourceName);
    stats.set(sourceName, s);
    s.error(e.code);
    ctx.reporter.warn(e.code, e.message, { file: unit.input, ...e.position });
  }
  try {
    await writer.commit();
    await rejected?.commit();
  } catch (e) {
    await writer.abort();
    await rejected?.abort();
    throw e;
  }
  await writeSamples(ctx.outDir, 'ingest', unit.key, samples);
  const result: RunStats = {};
  for (const [name, s] of stats) {
    const { wall_ms: _w, ...counters } = s.counters;
    result[name] = counters;
  }
  return result;
}
