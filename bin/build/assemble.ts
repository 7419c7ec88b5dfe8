/** Assembles the steps of `build` from a recipe, in order. */
import { type Step, type Subset, type Unit, writeFileAtomic } from '../../pipeline/index.js';
import { renderReportHtml } from '../report/index.js';
import { layout } from './layout.js';
import type { ReadKind } from '../commands/read.js';
import type { Recipe } from '../recipe/recipe.js';
import { dedupSteps } from './dedup-steps.js';
import { ingestStep } from './ingest-step.js';
import { reportStep } from './report-step.js';
import { samplesSection, subsetSections, tokenizerSection } from './report-sections.js';
import { tokenizerSteps } from './tokenizer-steps.js';

export function assembleSteps(recipe: Recipe, kinds: Record<string, ReadKind>): Step<Unit>[] {
  const steps: Step<Unit>[] = [];
  const ingest = ingestStep(recipe, kinds);
  let counts: Map<Subset, number> | null = null;
  const partCounts = async () => {
    if (!counts) {
      counts = new Map();
      for (const u of await ingest.units(undefined as never)) counts.set(u.subset, (counts.get(u.subset) ?? 0) + 1);
    }
    return counts;
  };
  steps.push(ingest as unknown as Step<Unit>);
  steps.push(...dedupSteps(recipe, partCounts));
  const partUnits = async () => {
    const c = await partCounts();
    const out: { subset: Subset; part: number }[] = [];
    for (const [subset, n] of c) for (let part = 0; part < n; part++) out.push({ subset, part });
    return out;
  };
  steps.push(...tokenizerSteps(recipe, partUnits));
  steps.push(reportStep(recipe, () => steps.map((s) => s.name), [
    async (_out, st) => subsetSections(recipe, st),
    async (out, st) => tokenizerSection(recipe, out, st),
    async (out) => samplesSection(out),
  ], async (report, out) => writeFileAtomic(layout.reportHtml(out), renderReportHtml(report))));
  return steps;
}
